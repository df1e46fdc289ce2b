"""The identity context imports nothing from the contexts above it (cases hands it case facts
through the interface it registers in its ``apps.ready()``), nor from its siblings, and it
reaches no context through an edge import-linter cannot see."""

from tests.support.boundaries import hidden_edges, not_importable_from


def test_imports_nothing_from_the_contexts_above() -> None:
    assert hidden_edges("bianmin.identity", not_importable_from("identity")) == []
