"""The sections of every report, in order: the one list to add a section to.

A section is a module with ``build(period: Period) -> Section`` that reads one context through
its selectors. Adding one (ratings, appointments, home visits …) is that module plus one line
below.
"""

from collections.abc import Callable

from bianmin.reports.sections import (
    appointments,
    audit,
    cases,
    family_desk,
    fees,
    hall,
    lost_found,
    ratings,
    sms,
)
from bianmin.reports.sections.base import Chart, Period, Row, Section

SectionBuilder = Callable[[Period], Section]

SECTIONS: list[SectionBuilder] = [
    hall.build,
    cases.build,
    fees.build,
    sms.build,
    lost_found.build,
    family_desk.build,
    appointments.build,
    ratings.build,
    audit.build,
]

__all__ = ["SECTIONS", "Chart", "Period", "Row", "Section", "SectionBuilder"]
