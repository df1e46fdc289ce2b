"""The identity context sits below cases in the context layers: it imports nothing from cases
(cases hands it case facts through the interface it registers in its ``apps.ready()``), and
it reaches no context through an edge import-linter cannot see."""

from __future__ import annotations

from tests.support.boundaries import hidden_edges

ABOVE = (
    "bianmin.hall",
    "bianmin.cases",
    "bianmin.fees",
    "bianmin.demo",
    "bianmin.lost_found",
    "bianmin.family_desk",
)


def test_imports_nothing_from_the_contexts_above() -> None:
    assert hidden_edges("bianmin.identity", ABOVE) == []
