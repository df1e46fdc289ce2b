"""The layers contract is real: a deliberately introduced upward import fails `make test`.

The check runs import-linter on a copy of the source tree, once as it is (kept) and once with a
probe module in the audit context that imports the cases context (broken).
"""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")

pytestmark = pytest.mark.slow


def _copy_tree(target: Path) -> Path:
    shutil.copytree(
        ROOT / "bianmin",
        target / "bianmin",
        ignore=shutil.ignore_patterns("__pycache__", "static", "templates", "data", "*.dat"),
    )
    shutil.copy(ROOT / "pyproject.toml", target / "pyproject.toml")
    return target


def _lint(tree: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--contract", "layers", "--no-cache"],
        cwd=tree,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_the_tree_keeps_its_layers(tmp_path: Path) -> None:
    result = _lint(_copy_tree(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr


def test_an_upward_import_breaks_the_layers(tmp_path: Path) -> None:
    tree = _copy_tree(tmp_path)
    probe = tree / "bianmin" / "audit" / "cycle_probe.py"
    probe.write_text("from bianmin.cases import services  # noqa: F401\n")
    result = _lint(tree)
    assert result.returncode != 0
    assert "bianmin.audit.cycle_probe -> bianmin.cases.services" in result.stdout


def test_a_context_missing_from_the_layers_breaks_the_contract(tmp_path: Path) -> None:
    tree = _copy_tree(tmp_path)
    newcomer = tree / "bianmin" / "newcomer"
    newcomer.mkdir()
    (newcomer / "__init__.py").write_text("")
    result = _lint(tree)
    assert result.returncode != 0
    assert "newcomer" in result.stdout


def test_the_architecture_document_shows_the_current_layers() -> None:
    diagram = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "layers_diagram.py")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    document = (ROOT / "docs" / "architecture.md").read_text()
    block = document.split("<!-- layers:begin -->\n", 1)[1].split("<!-- layers:end -->", 1)[0]
    assert block == diagram, "run `python scripts/layers_diagram.py` and paste it into the doc"


def test_every_context_guards_its_internals_from_all_the_others() -> None:
    """Each context has a "forbidden internals" contract whose sources are every other context
    (the shared kernel, `core`, sits below all and is guarded by the layers): a new context that
    forgets to add itself to the others' contracts fails here."""
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    contracts = config["tool"]["importlinter"]["contracts"]
    contexts = {path.name for path in (ROOT / "bianmin").iterdir() if (path / "apps.py").exists()}
    guarded = {}
    for contract in contracts:
        forbidden = contract.get("forbidden_modules", [])
        owners = {name.split(".")[1] for name in forbidden if "*" not in name}
        if contract.get("type") == "forbidden" and len(owners) == 1:
            guarded[owners.pop()] = {name.split(".")[1] for name in contract["source_modules"]}
    for context in sorted(contexts - {"demo", "core"}):
        expected = contexts - {context, "core"}
        assert context in guarded, f"no contract guards the internals of {context}"
        assert guarded[context] == expected, (
            f"{context}'s contract misses sources {sorted(expected - guarded[context])}: "
            "run `python scripts/import_contracts.py`"
        )
