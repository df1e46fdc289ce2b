"""Print the contexts' layers, as import-linter's `layers` contract declares them, as a Mermaid
diagram for docs/architecture.md (`python scripts/layers_diagram.py`; the test of the contract
checks the document shows the current contract)."""

import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def layers() -> list[list[str]]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    contract = next(
        c for c in config["tool"]["importlinter"]["contracts"] if c.get("id") == "layers"
    )
    rows = []
    for layer in contract["layers"]:
        # "(name)" is an optional layer: a context planned but not built yet is not drawn.
        names = [name.strip() for name in layer.split("|")]
        present = [
            name.strip("()")
            for name in names
            if not name.startswith("(") or (ROOT / "bianmin" / name.strip("()")).is_dir()
        ]
        if present:
            rows.append(present)
    return rows


def mermaid() -> str:
    rows = layers()
    lines = ["```mermaid", "flowchart TB"]
    for index, row in enumerate(rows):
        lines.append(f'    subgraph L{index}[" "]')
        lines.append("        direction LR")
        lines.extend(f"        {name}" for name in row)
        lines.append("    end")
    lines.extend(f"    L{index} --> L{index + 1}" for index in range(len(rows) - 1))
    lines.append("```")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.stdout.write(mermaid() + "\n")
