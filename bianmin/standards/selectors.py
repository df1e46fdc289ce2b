"""Reads of the standards context, always scoped to one center."""

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db.models import Q, QuerySet

from bianmin.accounts.selectors import staff_of_center
from bianmin.catalogue.enums import Category
from bianmin.catalogue.selectors import item_list
from bianmin.core import clock
from bianmin.core.permissions import Role
from bianmin.hall.selectors import officer_weekdays
from bianmin.standards.enums import AttemptStatus, DrawStatus
from bianmin.standards.models import (
    Certificate,
    Course,
    Draw,
    DutyShift,
    Exam,
    ExamAttempt,
    FindingPhoto,
    Question,
    StarObjection,
    StarResult,
    StarRule,
    TrainingSettings,
)

WEEKDAYS = ["星期一", "星期二", "星期三", "星期四", "星期五"]
WINDOW_ROLES = (Role.OFFICER, Role.SHIFT_LEADER)


def certificates_expiring_for(*, officer_id: int) -> list[Certificate]:
    """The officer's valid certificates whose expiry notice is due (the in-app notice)."""
    return list(
        Certificate.objects.filter(
            officer_id=officer_id, revoked_on__isnull=True, notice_sent_on__isnull=False
        )
        .select_related("item")
        .order_by("expires_on")
    )


def certificates_of(*, center_id: int, officer_id: int) -> QuerySet[Certificate]:
    """The officer's valid certificates (their current 交叉授权 by certification)."""
    return (
        Certificate.objects.filter(
            center_id=center_id, officer_id=officer_id, revoked_on__isnull=True
        )
        .select_related("item")
        .order_by("item__code")
    )


def settings_of(*, center_id: int) -> TrainingSettings:
    return TrainingSettings.objects.filter(center_id=center_id).first() or TrainingSettings(
        center_id=center_id
    )


def course_list(*, center_id: int) -> QuerySet[Course]:
    return Course.objects.filter(center_id=center_id).select_related("item")


def course_get(*, center_id: int, pk: int) -> Course | None:
    return course_list(center_id=center_id).filter(pk=pk).first()


def item_rules(*, item_id: int | None) -> Any:
    """The item's rules from the catalogue: materials (with conditions), time limit, basis."""
    if item_id is None:
        return None
    return item_list(active_only=False).filter(pk=item_id).first()


def exam_list(*, center_id: int) -> QuerySet[Exam]:
    return Exam.objects.filter(center_id=center_id, is_active=True).select_related("item")


def attempts_of(*, center_id: int, officer_id: int) -> QuerySet[ExamAttempt]:
    return ExamAttempt.objects.filter(center_id=center_id, officer_id=officer_id).select_related(
        "exam"
    )


def attempt_get(*, center_id: int, officer_id: int, pk: int) -> ExamAttempt | None:
    return attempts_of(center_id=center_id, officer_id=officer_id).filter(pk=pk).first()


def attempt_paper(attempt: ExamAttempt) -> list[Question]:
    """The attempt's questions in the paper's order (the template never shows `answer`)."""
    by_id = {q.pk: q for q in Question.objects.filter(pk__in=attempt.question_ids)}
    return [by_id[qid] for qid in attempt.question_ids if qid in by_id]


def question_count(*, center_id: int) -> dict[str, int]:
    out: dict[str, int] = {}
    for category in Question.objects.filter(center_id=center_id, is_active=True).values_list(
        "category", flat=True
    ):
        label = str(Category(category).label) if category in Category.values else category
        out[label] = out.get(label, 0) + 1
    return out


# --- the certification board -------------------------------------------------------------------


@dataclass
class BoardRow:
    item: Any
    certified: list[str]
    per_weekday: list[int]
    red_weekdays: list[str]


@dataclass
class Board:
    officers: list[dict[str, Any]]
    rows: list[BoardRow]
    minimum: int
    months: list[str] = field(default_factory=list)
    all_round_by_month: list[int] = field(default_factory=list)
    target: int = 20
    baseline: int = 32
    red_items: int = 0


def _valid_on(day: date) -> Q:
    # expires_on too: a certificate past its expiry never counts, even before the nightly task
    # has revoked it
    return Q(issued_on__lte=day, expires_on__gt=day) & (
        Q(revoked_on__isnull=True) | Q(revoked_on__gt=day)
    )


def certification_board(*, center_id: int, today: date | None = None) -> Board:
    """Who holds a valid certificate for what; per item and weekday, how many certified officers
    usually work that weekday (window sign-ins of the last 4 weeks) — under the minimum is red;
    and the path to the all-round hall: officers certified for every item, month by month."""
    day = today or clock.today()
    settings = settings_of(center_id=center_id)
    items = list(item_list())
    officers = [s for s in staff_of_center(center_id=center_id) if s.role in WINDOW_ROLES]
    valid = list(
        Certificate.objects.filter(center_id=center_id)
        .filter(_valid_on(day))
        .values_list("officer_id", "item_id", "expires_on")
    )
    held: dict[int, set[int]] = {}
    for officer_id, item_id, _expires in valid:
        held.setdefault(officer_id, set()).add(item_id)
    weekdays = officer_weekdays(center_id=center_id, since=day - timedelta(days=28))
    all_ids = {item.pk for item in items}
    rows = []
    for item in items:
        holders = [o for o in officers if item.pk in held.get(o.pk, set())]
        per_weekday = [
            sum(1 for o in holders if weekday in weekdays.get(o.pk, set())) for weekday in range(5)
        ]
        red = [
            WEEKDAYS[i] for i, n in enumerate(per_weekday) if n < settings.min_certified_per_item
        ]
        rows.append(
            BoardRow(
                item=item,
                certified=[str(o) for o in holders],
                per_weekday=per_weekday,
                red_weekdays=red,
            )
        )
    officer_rows = [
        {
            "officer": str(o),
            "username": o.username,
            "count": len(held.get(o.pk, set()) & all_ids),
            "all_round": bool(all_ids) and all_ids <= held.get(o.pk, set()),
        }
        for o in officers
    ]
    board = Board(
        officers=sorted(officer_rows, key=lambda r: (-r["count"], r["username"])),
        rows=rows,
        minimum=settings.min_certified_per_item,
        target=settings.all_round_target,
        baseline=settings.specialized_baseline,
        red_items=sum(1 for r in rows if r.red_weekdays),
    )
    first = day.replace(day=1)
    months = []
    for back in range(11, -1, -1):
        year, month = divmod(first.year * 12 + first.month - 1 - back, 12)
        months.append(date(year, month + 1, 1))
    rows_all = list(
        Certificate.objects.filter(center_id=center_id).values_list(
            "officer_id", "item_id", "issued_on", "revoked_on"
        )
    )
    for start in months:
        end = (start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        end = min(end, day)
        have: dict[int, set[int]] = {}
        for officer_id, item_id, issued, revoked in rows_all:
            if issued <= end and (revoked is None or revoked > end):
                have.setdefault(officer_id, set()).add(item_id)
        board.months.append(f"{start:%Y-%m}")
        board.all_round_by_month.append(
            sum(1 for ids in have.values() if all_ids and all_ids <= ids)
        )
    return board


# --- stars -------------------------------------------------------------------------------------


def stars_for_month(*, center_id: int, month: date) -> QuerySet[StarResult]:
    return (
        StarResult.objects.filter(center_id=center_id, month=month.replace(day=1), is_current=True)
        .select_related("officer", "rule")
        .order_by("officer__username")
    )


def stars_latest_month(*, center_id: int) -> date | None:
    """The latest month with computed stars (the hall board shows it)."""
    return (
        StarResult.objects.filter(center_id=center_id, is_current=True)
        .order_by("-month")
        .values_list("month", flat=True)
        .first()
    )


def star_history(*, center_id: int, officer_id: int, month: date) -> QuerySet[StarResult]:
    return StarResult.objects.filter(
        center_id=center_id, officer_id=officer_id, month=month.replace(day=1)
    ).order_by("-revision")


def star_result_get(*, center_id: int, pk: int) -> StarResult | None:
    return StarResult.objects.filter(center_id=center_id, pk=pk).select_related("officer").first()


def objections_open(*, center_id: int) -> QuerySet[StarObjection]:
    return StarObjection.objects.filter(center_id=center_id).select_related(
        "result", "result__officer"
    )


def star_rules(*, center_id: int) -> QuerySet[StarRule]:
    return StarRule.objects.filter(center_id=center_id).order_by("-version")


@dataclass(frozen=True)
class AnnualRow:
    officer: str
    skill: int
    discipline: int
    satisfaction: int

    @property
    def total(self) -> int:
        return self.skill + self.discipline + self.satisfaction


def stars_annual(*, center_id: int, year: int) -> list[AnnualRow]:
    """The year's roll-up per officer (评先评优): stars of the current results of each month."""
    counts: dict[str, list[int]] = {}
    for result in StarResult.objects.filter(
        center_id=center_id, month__year=year, is_current=True
    ).select_related("officer"):
        row = counts.setdefault(str(result.officer), [0, 0, 0])
        row[0] += int(result.skill)
        row[1] += int(result.discipline)
        row[2] += int(result.satisfaction)
    rows = [AnnualRow(name, *values) for name, values in counts.items()]
    return sorted(rows, key=lambda r: (-r.total, r.officer))


# --- draws -------------------------------------------------------------------------------------


def draw_list(*, center_id: int) -> QuerySet[Draw]:
    return Draw.objects.filter(center_id=center_id).prefetch_related("findings__photos")


def draw_get(*, center_id: int, pk: int) -> Draw | None:
    return draw_list(center_id=center_id).filter(pk=pk).first()


def draws_published(*, center_id: int | None = None) -> QuerySet[Draw]:
    qs = Draw.objects.filter(status=DrawStatus.PUBLISHED).select_related("center")
    return qs.filter(center_id=center_id) if center_id is not None else qs


def draw_public(*, pk: int) -> Draw | None:
    return draws_published().filter(pk=pk).prefetch_related("findings").first()


def draws_overdue_publication(*, center_id: int, today: date | None = None) -> QuerySet[Draw]:
    return Draw.objects.filter(
        center_id=center_id, status=DrawStatus.FINISHED, publish_due__lt=today or clock.today()
    )


def passed_attempts(*, center_id: int) -> QuerySet[ExamAttempt]:
    return ExamAttempt.objects.filter(center_id=center_id, status=AttemptStatus.PASSED)


def draw_any(*, pk: int) -> Draw | None:
    """For the server-side verification command only (no actor, every center)."""
    return Draw.objects.filter(pk=pk).first()


def finding_photo_get(*, center_id: int, pk: int) -> FindingPhoto | None:
    return FindingPhoto.objects.filter(pk=pk, finding__center_id=center_id).first()


# --- duty roster -------------------------------------------------------------------------------

ROSTER_ROLES = (Role.OFFICER, Role.SHIFT_LEADER)


def week_monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


@dataclass(frozen=True)
class RosterRow:
    officer: Any
    days: list[list[DutyShift]]  # 7 lists, Monday first


def duty_week(*, center_id: int, monday: date) -> list[RosterRow]:
    """The center's window officers × the 7 days from `monday`, each cell that day's shifts."""
    shifts: dict[tuple[int, date], list[DutyShift]] = {}
    for shift in DutyShift.objects.filter(
        center_id=center_id, day__gte=monday, day__lt=monday + timedelta(days=7)
    ).order_by("start"):
        shifts.setdefault((shift.officer_id, shift.day), []).append(shift)
    officers = [s for s in staff_of_center(center_id=center_id) if s.role in ROSTER_ROLES]
    return [
        RosterRow(
            officer=officer,
            days=[shifts.get((officer.pk, monday + timedelta(days=n)), []) for n in range(7)],
        )
        for officer in officers
    ]


def duty_starts(*, center_id: int, officer_id: int, start: date, end: date) -> dict[date, Any]:
    """{day: the start time of the officer's first shift that day} for days in [start, end)."""
    out: dict[date, Any] = {}
    for day, begins in DutyShift.objects.filter(
        center_id=center_id, officer_id=officer_id, day__gte=start, day__lt=end
    ).values_list("day", "start"):
        if day not in out or begins < out[day]:
            out[day] = begins
    return out
