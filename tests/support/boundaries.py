"""Static checks of a context's imports: the edges import-linter cannot see.

``hidden_edges(package, forbidden)`` lists, for every product module of ``package`` (tests
excluded), each import of a forbidden package and each "optional collaborator" trick
(``importlib.import_module``, ``except ImportError``, ``_meta.get_field(...).related_model``).
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

#: The context layers of the common brief, top first; siblings share a tuple.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("demo",),
    ("fees",),
    ("cases",),
    ("lost_found", "family_desk"),
    ("hall", "identity"),
    ("notifications",),
    ("people",),
    ("accounts",),
    ("catalogue",),
    ("audit",),
    ("core",),
)


def not_importable_from(context: str) -> tuple[str, ...]:
    """The packages ``bianmin.<context>`` must not import: every layer above it, and its
    siblings on its own layer."""
    for depth, layer in enumerate(LAYERS):
        if context in layer:
            above = [name for upper in LAYERS[:depth] for name in upper]
            siblings = [name for name in layer if name != context]
            return tuple(f"bianmin.{name}" for name in [*above, *siblings])
    raise ValueError(f"unknown context {context!r}")


def _modules(package: str) -> list[Path]:
    folder = ROOT.joinpath(*package.split("."))
    return [
        path
        for path in sorted(folder.rglob("*.py"))
        if "tests" not in path.relative_to(folder).parts
        and "migrations" not in path.relative_to(folder).parts
    ]


def _imported(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
        return [node.module]
    return []


def hidden_edges(package: str, forbidden: tuple[str, ...]) -> list[str]:
    found: list[str] = []
    for path in _modules(package):
        name = path.relative_to(ROOT).as_posix()
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            line = getattr(node, "lineno", 0)
            for module in _imported(node):
                if any(module == f or module.startswith(f + ".") for f in forbidden):
                    found.append(f"{name}:{line} imports {module}")
            if isinstance(node, ast.ExceptHandler) and node.type is not None:
                names = ast.unparse(node.type)
                if "ImportError" in names or "ModuleNotFoundError" in names:
                    found.append(f"{name}:{line} catches {names}")
            if isinstance(node, ast.Attribute) and node.attr == "import_module":
                found.append(f"{name}:{line} imports a module by name (import_module)")
            if isinstance(node, ast.ImportFrom) and any(
                a.name == "import_module" for a in node.names
            ):
                found.append(f"{name}:{line} imports import_module")
            if isinstance(node, ast.Attribute) and node.attr == "related_model":
                found.append(f"{name}:{line} reaches a model through related_model")
    return found
