"""From the hourly need to shifts and a weekly roster proposal. Pure code, no database.

Shifts: whole hours inside the day's opening hours, at least `MIN_SHIFT_HOURS` and at most
`MAX_SHIFT_HOURS` long; a shift of `BREAK_FROM_HOURS` or more gets a one-hour break, taken in
the lunch closure when the hall has one, otherwise in the hour of the shift with the most spare
officers. Shifts are laid greedily from the morning: where the officers on duty fall short of
the need, as many shifts start as are missing, each running while the need lasts.

A short morning shift and a short afternoon shift that fit in one working day (at most
`MAX_SHIFT_HOURS` hours together, at most `MAX_SPAN_HOURS` from first to last hour, at least an
hour apart) are one officer's split duty: the officers a day needs are its duties.

The week: each officer works at most one duty a day and `MAX_DAYS_PER_WEEK` days; duties go
to the officers with the fewest hours so far, all-round officers (全科) before those authorized
for a few items. A day whose shifts outnumber the officers left, an hour whose rostered officers
are below the need, or a category with demand but nobody authorized on duty is warned about.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from django.utils.translation import gettext as _

MIN_SHIFT_HOURS = 3
MAX_SHIFT_HOURS = 8
BREAK_FROM_HOURS = 6
MAX_DAYS_PER_WEEK = 5
MAX_SPAN_HOURS = 10


@dataclass(frozen=True)
class Shift:
    start: int  # hour the shift starts
    end: int  # hour it ends (exclusive)
    break_hour: int | None = None

    @property
    def hours(self) -> int:
        return self.end - self.start - (1 if self.break_hour is not None else 0)

    def on_duty(self, hour: int) -> bool:
        return self.start <= hour < self.end and hour != self.break_hour

    def label(self) -> str:
        text = f"{self.start:02d}:00–{self.end:02d}:00"
        if self.break_hour is not None:
            text += f"（{self.break_hour:02d}:00 休息）"
        return text


def coverage(shifts: Sequence[Shift], hour: int) -> int:
    return sum(1 for s in shifts if s.on_duty(hour))


def shifts_for_need(
    need: Mapping[int, int], *, lunch_hours: frozenset[int] = frozenset()
) -> list[Shift]:
    """The shifts that cover `need` (hour → officers), with their breaks."""
    hours = sorted(h for h in need if h not in lunch_hours)
    if not hours:
        return []
    first, last = hours[0], hours[-1] + 1
    shifts: list[Shift] = []
    for _round in range(3):  # a break may open a gap; a second pass covers it
        for hour in hours:
            missing = need[hour] - coverage(shifts, hour)
            for _n in range(max(0, missing)):
                end = hour + 1
                while (
                    end < last
                    and end - hour < MAX_SHIFT_HOURS
                    and (end in lunch_hours or need.get(end, 0) > coverage(shifts, end))
                ):
                    end += 1
                if end - hour < MIN_SHIFT_HOURS:  # a short need: start earlier or end later
                    end = min(last, hour + MIN_SHIFT_HOURS)
                    start = max(first, end - MIN_SHIFT_HOURS)
                else:
                    start = hour
                shifts.append(_with_break(Shift(start, end), shifts, need, lunch_hours))
        if all(need[h] <= coverage(shifts, h) for h in hours):
            break
    return shifts


def _with_break(
    shift: Shift, others: Sequence[Shift], need: Mapping[int, int], lunch_hours: frozenset[int]
) -> Shift:
    span = range(shift.start, shift.end)
    if any(h in lunch_hours for h in span):
        return Shift(shift.start, shift.end, next(h for h in span if h in lunch_hours))
    if shift.end - shift.start < BREAK_FROM_HOURS:
        return shift
    inner = list(span)[2:-2] or list(span)
    spare = max(inner, key=lambda h: (coverage(others, h) + 1 - need.get(h, 0), -h))
    return Shift(shift.start, shift.end, spare)


@dataclass(frozen=True)
class Duty:
    """One officer's day at the windows: one shift, or a split morning and afternoon."""

    parts: tuple[Shift, ...]

    @property
    def hours(self) -> int:
        return sum(p.hours for p in self.parts)

    def on_duty(self, hour: int) -> bool:
        return any(p.on_duty(hour) for p in self.parts)

    def label(self) -> str:
        return "、".join(p.label() for p in self.parts)


def _fits(first: Shift, second: Shift) -> bool:
    return (
        second.start > first.end
        and first.hours + second.hours <= MAX_SHIFT_HOURS
        and second.end - first.start <= MAX_SPAN_HOURS
    )


def duties_from_shifts(shifts: Sequence[Shift]) -> list[Duty]:
    """Pair short shifts into split duties (longest first, each with the longest that fits)."""
    left = sorted(shifts, key=lambda s: (-s.hours, s.start))
    duties: list[Duty] = []
    while left:
        shift = left.pop(0)
        partners = [other for other in left if _fits(shift, other) or _fits(other, shift)]
        if partners:
            other = max(partners, key=lambda o: (o.hours, -o.start))
            left.remove(other)
            duties.append(Duty(tuple(sorted((shift, other), key=lambda p: p.start))))
        else:
            duties.append(Duty((shift,)))
    return duties


@dataclass(frozen=True)
class OfficerInfo:
    id: int
    name: str
    categories: frozenset[str] | None  # None: all-round (全科)


@dataclass(frozen=True)
class Assignment:
    officer: OfficerInfo
    shift: Duty


@dataclass
class DayRoster:
    day: date
    need: dict[int, int]
    shifts: list[Duty]
    assignments: list[Assignment] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def rostered(self, hour: int) -> int:
        return sum(1 for a in self.assignments if a.shift.on_duty(hour))


@dataclass(frozen=True)
class DayNeed:
    day: date
    need: dict[int, int]
    lunch_hours: frozenset[int]
    categories_by_hour: dict[int, frozenset[str]]  # categories with demand in that hour
    absent: int = 0  # officers away that day (training)


def roster_week(
    days: Sequence[DayNeed],
    officers: Sequence[OfficerInfo],
    *,
    labels: Callable[[str], str] = str,
) -> list[DayRoster]:
    """A week's roster proposal with its warnings (Chinese, for the director); `labels` names
    a category code in the warnings."""
    worked_hours = {o.id: 0 for o in officers}
    worked_days = {o.id: 0 for o in officers}
    result: list[DayRoster] = []
    for plan in days:
        shifts = duties_from_shifts(shifts_for_need(plan.need, lunch_hours=plan.lunch_hours))
        roster = DayRoster(day=plan.day, need=dict(plan.need), shifts=shifts)
        free = [o for o in officers if worked_days[o.id] < MAX_DAYS_PER_WEEK]
        free.sort(key=lambda o: (o.categories is not None, worked_hours[o.id], o.id))
        if plan.absent:
            free = free[: max(0, len(free) - plan.absent)]
        for shift, officer in zip(sorted(shifts, key=lambda s: -s.hours), free, strict=False):
            roster.assignments.append(Assignment(officer, shift))
            worked_hours[officer.id] += shift.hours
            worked_days[officer.id] += 1
        short = len(shifts) - len(roster.assignments)
        label = _("%(month)d月%(day)d日") % {"month": plan.day.month, "day": plan.day.day}
        if short > 0:
            roster.warnings.append(
                _("%(day)s：需要 %(shifts)d 名民警，可排民警只有 %(have)d 人，缺 %(short)d 人")
                % {
                    "day": label,
                    "shifts": len(shifts),
                    "have": len(roster.assignments),
                    "short": short,
                }
            )
        for hour in sorted(plan.need):
            have, want = roster.rostered(hour), plan.need[hour]
            if have < want:
                roster.warnings.append(
                    _("%(day)s %(hour)02d时：排班 %(have)d 人，低于需要的 %(want)d 人")
                    % {"day": label, "hour": hour, "have": have, "want": want}
                )
            on_duty = [a.officer for a in roster.assignments if a.shift.on_duty(hour)]
            for category in sorted(plan.categories_by_hour.get(hour, frozenset())):
                if on_duty and not any(
                    o.categories is None or category in o.categories for o in on_duty
                ):
                    roster.warnings.append(
                        _("%(day)s %(hour)02d时：在岗民警无人获授权办理“%(category)s”类事项")
                        % {"day": label, "hour": hour, "category": labels(category)}
                    )
        result.append(roster)
    return result
