"""Bring every context's "forbidden internals" contract in pyproject.toml up to date: its
sources become all the other contexts (core excluded — the layers guard it), in layer order.
Run after adding a context: `python scripts/import_contracts.py` (the layers test checks it)."""

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = ROOT / "pyproject.toml"
HEADER = re.compile(r'^name = "Other contexts reach (\w+) only through', re.MULTILINE)


def contexts_in_layer_order() -> list[str]:
    config = tomllib.loads(PYPROJECT.read_text())
    layers = next(c for c in config["tool"]["importlinter"]["contracts"] if c.get("id") == "layers")
    names = [
        n.strip().strip("()") for layer in reversed(layers["layers"]) for n in layer.split("|")
    ]
    return [n for n in names if n != "core" and (ROOT / "bianmin" / n / "apps.py").exists()]


def rewrite(text: str, contexts: list[str]) -> str:
    out, owner = [], None
    for line in text.splitlines(keepends=True):
        header = HEADER.match(line)
        if header:
            owner = header.group(1)
        elif owner and line.startswith("source_modules = "):
            sources = ", ".join(f'"bianmin.{c}"' for c in contexts if c != owner)
            line = f"source_modules = [{sources}]\n"
            owner = None
        out.append(line)
    return "".join(out)


if __name__ == "__main__":
    PYPROJECT.write_text(rewrite(PYPROJECT.read_text(), contexts_in_layer_order()))
