"""Director's edits of the working-day calendar."""

from datetime import date
from typing import Any

from django.db import transaction

from bianmin.core.models import CalendarOverride, CalendarYear


@transaction.atomic
def calendar_override_set(*, day: date, is_workday: bool, note: str) -> CalendarOverride:
    """Callers check the permission and write the audit entry (core knows no contexts)."""
    override, _ = CalendarOverride.objects.update_or_create(
        day=day, defaults={"is_workday": is_workday, "note": note[:100]}
    )
    return override


@transaction.atomic
def calendar_override_delete(*, day: date) -> None:
    CalendarOverride.objects.filter(day=day).delete()


@transaction.atomic
def calendar_year_confirm(*, year: int, source: str) -> CalendarYear:
    row, _ = CalendarYear.objects.update_or_create(year=year, defaults={"source": source[:200]})
    return row


def calendar_warnings(*, today: date) -> list[dict[str, Any]]:
    """Years the deadlines may reach that rest on the provisional fallback."""
    from bianmin.core.workdays import CalendarUnknown, year_status

    warnings = []
    for year in (today.year, today.year + 1):
        try:
            status = year_status(year)
        except CalendarUnknown:
            warnings.append({"year": year, "level": "alert"})
            continue
        if status.is_provisional:
            warnings.append({"year": year, "level": "warn"})
    return warnings
