"""The uniform shape every report section returns, and the period it is computed for.

A section is one function ``(period: Period) -> Section``. It reads other contexts through
their selectors only and never renders anything: the one renderer (HTML, PDF, Excel) lays out
every section the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol


@dataclass(frozen=True)
class Period:
    """The days a report covers (inclusive) and the days it is compared with."""

    center_id: int
    start: date
    end: date
    previous_start: date
    previous_end: date


Number = int | float | None


class PeriodFigures[F](Protocol):
    def __call__(self, *, center_id: int, start: date, end: date) -> F: ...


def both_periods[F](figures: PeriodFigures[F], period: Period) -> tuple[F, F]:
    """A context's `period_figures` for the report's period and for the period compared."""
    return (
        figures(center_id=period.center_id, start=period.start, end=period.end),
        figures(center_id=period.center_id, start=period.previous_start, end=period.previous_end),
    )


@dataclass(frozen=True)
class Row:
    """One figure: its label, value in the period, value in the compared period, unit."""

    label: str
    value: Number
    previous: Number = None
    unit: str = ""
    compare: bool = True  # False: a state (e.g. a hash) with no meaningful change

    @property
    def change(self) -> Number:
        if not self.compare or self.value is None or self.previous is None:
            return None
        if isinstance(self.value, float) or isinstance(self.previous, float):
            return round(self.value - self.previous, 1)
        return self.value - self.previous

    @property
    def change_percent(self) -> float | None:
        change = self.change
        if change is None or not self.previous:
            return None
        return round(100 * change / self.previous, 1)

    def as_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "value": self.value,
            "previous": self.previous,
            "change": self.change,
            "change_percent": self.change_percent,
            "unit": self.unit,
        }


@dataclass(frozen=True)
class Chart:
    """A bar chart: one category axis, one or two series (this period, the compared one)."""

    labels: list[str]
    series: list[tuple[str, list[float]]]
    unit: str = ""


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    rows: list[Row]
    chart: Chart | None = None
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "title": self.title,
            "note": self.note,
            "rows": [row.as_dict() for row in self.rows],
            "chart": None
            if self.chart is None
            else {
                "labels": self.chart.labels,
                "series": [{"name": n, "data": d} for n, d in self.chart.series],
                "unit": self.chart.unit,
            },
        }


def yuan(fen: int) -> float:
    return round(fen / 100, 2)
