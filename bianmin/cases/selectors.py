"""Reads of the cases context, always scoped to the user's center."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from bianmin.audit.enums import AuditAction
from bianmin.audit.services import audit_record
from bianmin.cases import pipeline
from bianmin.cases.enums import OPEN_STATUSES, CaseEventType, CaseStatus, InquiryStatus
from bianmin.cases.errors import CaseError
from bianmin.cases.models import Case, CaseEvent, Inquiry, MissingNotice
from bianmin.cases.services import phone_digest
from bianmin.catalogue.enums import Stage
from bianmin.core import clock
from bianmin.core.errors import NotFound
from bianmin.people.selectors import person_find_by_id_number
from bianmin.people.services import id_number_index

QUEUE_STAGES: tuple[str, ...] = (
    Stage.REVIEW,
    Stage.APPROVE,
    Stage.PRODUCTION,
    Stage.ARRIVAL,
    Stage.PICKUP,
    Stage.CLOSED,
)


def _scoped(user: Any) -> QuerySet[Case]:
    qs = Case.objects.all()
    if getattr(user, "center_id", None) is not None:
        qs = qs.filter(center_id=user.center_id)
    return qs


def case_get(*, user: Any, number: str) -> Case:
    case = (
        _scoped(user)
        .select_related("item", "applicant", "accepted_by", "created_by", "locked_by")
        .filter(number=number.strip().upper())
        .first()
    )
    if case is None:
        raise NotFound(f"没有找到受理编号为 {number[:30]} 的办件", code=CaseError.CASE_NOT_FOUND)
    return case


def case_events(*, case: Case) -> QuerySet[CaseEvent]:
    return case.events.select_related("actor").order_by("created_at", "pk")


def case_notice_get(*, case: Case, seq: int) -> MissingNotice:
    notice = case.notices.select_related("issued_by").filter(seq=seq).first()
    if notice is None:
        raise NotFound("没有找到该一次性告知单", code=CaseError.NOTICE_NOT_FOUND)
    return notice


def case_for_ticket(*, user: Any, ticket_id: str) -> Case | None:
    """The latest case registered on a ticket at the user's center (the workspace's parked list)."""
    return (
        Case.objects.filter(center_id=user.center_id, ticket_id=ticket_id)
        .only("number")
        .order_by("-created_at")
        .first()
    )


def inquiry_for_ticket(*, user: Any, ticket_id: str) -> Inquiry | None:
    return (
        Inquiry.objects.filter(center_id=user.center_id, ticket_id=ticket_id)
        .select_related("first_responder", "responsible", "item")
        .order_by("-created_at")
        .first()
    )


def inquiry_list_open(*, user: Any) -> QuerySet[Inquiry]:
    return Inquiry.objects.filter(
        center_id=user.center_id,
        status__in=[InquiryStatus.OPEN, InquiryStatus.HANDOVER_PENDING],
    ).select_related("first_responder", "responsible", "item")


def case_for_inquiry(*, inquiry: Inquiry) -> Case | None:
    return inquiry.cases.order_by("-created_at").first()


# --- queues -----------------------------------------------------------------------------------------


def case_queue(*, user: Any, next_stage: str) -> QuerySet[Case]:
    """Cases waiting for one step: urgent first, then the nearest deadline."""
    return (
        _scoped(user)
        .filter(status=CaseStatus.ACCEPTED, next_stage=next_stage)
        .select_related("item", "locked_by")
        .order_by("-is_urgent", "deadline", "accepted_at", "pk")
    )


def case_queue_counts(*, user: Any) -> dict[str, int]:
    rows = (
        _scoped(user)
        .filter(status=CaseStatus.ACCEPTED)
        .values("next_stage")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts = dict.fromkeys(QUEUE_STAGES, 0)
    for row in rows:
        counts[row["next_stage"]] = row["n"]
    return counts


def case_overdue_list(
    *, center_id: int | None, today: date | None = None, limit: int = 20
) -> list[Case]:
    today = today or clock.today()
    qs = Case.objects.filter(status=CaseStatus.ACCEPTED, deadline__lt=today)
    if center_id is not None:
        qs = qs.filter(center_id=center_id)
    return list(qs.select_related("item").order_by("deadline", "pk")[:limit])


def case_warning_list(
    *, center_id: int | None, today: date | None = None, limit: int = 20
) -> list[Case]:
    today = today or clock.today()
    qs = Case.objects.filter(status=CaseStatus.ACCEPTED, warn_on__lte=today, deadline__gte=today)
    if center_id is not None:
        qs = qs.filter(center_id=center_id)
    return list(qs.select_related("item").order_by("deadline", "pk")[:limit])


def case_overdue_count(*, center_id: int, today: date | None = None) -> int:
    today = today or clock.today()
    return Case.objects.filter(
        center_id=center_id, status=CaseStatus.ACCEPTED, deadline__lt=today
    ).count()


# --- backlog board ----------------------------------------------------------------------------------


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


@dataclass(frozen=True)
class BacklogRow:
    stage: str
    label: str
    buckets: list[int]
    total: int
    overdue: int


@dataclass(frozen=True)
class Backlog:
    buckets: list[str]
    rows: list[BacklogRow]
    total: int
    overdue: int
    warning: int


def case_backlog(*, center_id: int, today: date | None = None) -> Backlog:
    """Open (accepted, not closed) cases by pending step and age in days since acceptance.

    One grouped query with conditional counts; the index (center, status, accepted_at) serves it.
    """
    today = today or clock.today()
    aggregates: dict[str, Any] = {}
    for index, (_label, low, high) in enumerate(pipeline.AGE_BUCKETS):
        cond = Q(accepted_at__lt=_day_start(today - timedelta(days=low - 1)))
        if high is not None:
            cond &= Q(accepted_at__gte=_day_start(today - timedelta(days=high)))
        aggregates[f"b{index}"] = Count("pk", filter=cond)
    aggregates["total"] = Count("pk")
    aggregates["overdue"] = Count("pk", filter=Q(deadline__lt=today))
    aggregates["warning"] = Count("pk", filter=Q(warn_on__lte=today, deadline__gte=today))
    grouped: Any = (
        Case.objects.filter(center_id=center_id, status=CaseStatus.ACCEPTED)
        .values("next_stage")
        .annotate(**aggregates)
        .order_by()
    )
    rows_by_stage: dict[str, dict[str, int]] = {row["next_stage"]: row for row in grouped}
    rows = []
    for stage in QUEUE_STAGES:
        row: dict[str, int] = rows_by_stage.get(stage, {})
        rows.append(
            BacklogRow(
                stage=stage,
                label=pipeline.STEPS[stage].queue_label,
                buckets=[row.get(f"b{i}", 0) for i in range(len(pipeline.AGE_BUCKETS))],
                total=row.get("total", 0),
                overdue=row.get("overdue", 0),
            )
        )
    return Backlog(
        buckets=[label for label, _low, _high in pipeline.AGE_BUCKETS],
        rows=rows,
        total=sum(r.total for r in rows),
        overdue=sum(r.overdue for r in rows),
        warning=sum(row.get("warning", 0) for row in rows_by_stage.values()),
    )


@dataclass(frozen=True)
class TrendPoint:
    day: date
    accepted: int
    concluded: int
    backlog: int


def case_backlog_trend(
    *, center_id: int, today: date | None = None, days: int = 30
) -> list[TrendPoint]:
    """The daily trend: cases accepted and concluded (closed or terminated) per day, and the
    backlog left at the end of each day, walked back from today's open count. Four indexed
    queries whatever the window; no scan of the table's history."""
    today = today or clock.today()
    first = today - timedelta(days=days - 1)
    of_center = Case.objects.filter(center_id=center_id)
    bounds = [_day_start(first + timedelta(days=i)) for i in range(days + 1)]

    def per_day(field: str) -> dict[date, int]:
        # one range scan with a conditional count per day (no per-row date conversion)
        # closing implies acceptance; a termination may come before it (then it is no backlog)
        base = (
            of_center.filter(accepted_at__isnull=False) if field == "terminated_at" else of_center
        )
        counts = base.filter(**{f"{field}__gte": bounds[0], f"{field}__lt": bounds[-1]}).aggregate(
            **{
                f"d{i}": Count(
                    "pk", filter=Q(**{f"{field}__gte": bounds[i], f"{field}__lt": bounds[i + 1]})
                )
                for i in range(days)
            }
        )
        return {first + timedelta(days=i): counts[f"d{i}"] or 0 for i in range(days)}

    accepted, closed, terminated = (
        per_day("accepted_at"),
        per_day("closed_at"),
        per_day("terminated_at"),
    )
    backlog = Case.objects.filter(center_id=center_id, status=CaseStatus.ACCEPTED).count()
    points: list[TrendPoint] = []
    for i in range(days - 1, -1, -1):
        day = first + timedelta(days=i)
        concluded = closed.get(day, 0) + terminated.get(day, 0)
        points.append(
            TrendPoint(day=day, accepted=accepted.get(day, 0), concluded=concluded, backlog=backlog)
        )
        backlog = backlog - accepted.get(day, 0) + concluded
    points.reverse()
    return points


# --- arrival, pickup, fees (used by other contexts) -----------------------------------------------


def case_find_for_arrival(
    *, center_id: int, case_number: str = "", id_number: str = "", include_arrived: bool = False
) -> Case | None:
    """The case waiting for its certificate to arrive, by case number or applicant's ID number
    (the earliest deadline first when one person has several). With `include_arrived`, also a
    case that arrived and waits for pickup (so its pickup notice can still be sent)."""
    waiting = Q(next_stage=Stage.ARRIVAL)
    if include_arrived:
        waiting |= Q(next_stage=Stage.PICKUP, arrived_at__isnull=False)
    qs = Case.objects.filter(
        waiting, center_id=center_id, status=CaseStatus.ACCEPTED
    ).select_related("item", "applicant")
    if case_number.strip():
        qs = qs.filter(number=case_number.strip().upper())
    elif id_number.strip():
        qs = qs.filter(applicant__id_number_index=id_number_index(id_number))
    else:
        return None
    return qs.order_by("deadline", "pk").first()


@dataclass(frozen=True)
class CaseFeeFacts:
    id: int
    number: str
    center_id: int
    item_code: str
    fee_variant: str | None
    applicant_id_number: str  # plain, for the age rule of waivers; never shown
    applicant_name: str
    applicant_gender: str
    groups: list[str]
    status: str


def case_fee_facts(*, case_number: str, user: Any) -> CaseFeeFacts | None:
    """What fees needs to charge a case of the user's center, or None; the read is audited."""
    case = (
        _scoped(user)
        .select_related("item", "applicant")
        .filter(number=case_number.strip().upper())
        .first()
    )
    if case is None:
        return None
    person = case.applicant
    # the plain ID number leaves the encrypted registry for the fee rules (age, payer check):
    # every such read is recorded, like any other read of personal data
    audit_record(
        actor=user,
        action=AuditAction.CASE_VIEWED,
        target=case,
        center_id=case.center_id,
        after={"number": case.number, "read": "fee_facts", "fields": ["id_number"]},
    )
    groups = list(case.groups)
    if case.facts.get("student") and "student" not in groups:
        groups.append("student")
    return CaseFeeFacts(
        id=case.pk,
        number=case.number,
        center_id=case.center_id,
        item_code=case.item.code,
        fee_variant=case.fee_variant or None,
        applicant_id_number=person.id_number or "",
        applicant_name=person.name,
        applicant_gender=person.gender,
        groups=groups,
        status=case.status,
    )


@dataclass(frozen=True)
class PickupDuration:
    number: str
    item_code: str
    accepted_at: datetime
    arrived_at: datetime | None
    picked_up_at: datetime
    arrival_to_pickup_hours: float | None
    acceptance_to_pickup_hours: float
    by_proxy: bool


def case_pickup_durations(*, center_id: int, since: date) -> list[PickupDuration]:
    """Per picked-up case: hours from arrival to pickup and from acceptance to pickup."""
    rows = (
        Case.objects.filter(
            center_id=center_id, picked_up_at__gte=_day_start(since), accepted_at__isnull=False
        )
        .values_list(
            "number", "item__code", "accepted_at", "arrived_at", "picked_up_at", "pickup_by_proxy"
        )
        .order_by("picked_up_at")
    )
    out = []
    for number, item_code, accepted_at, arrived_at, picked_up_at, by_proxy in rows:
        if accepted_at is None or picked_up_at is None:
            continue
        out.append(
            PickupDuration(
                number=number,
                item_code=item_code,
                accepted_at=accepted_at,
                arrived_at=arrived_at,
                picked_up_at=picked_up_at,
                arrival_to_pickup_hours=round((picked_up_at - arrived_at).total_seconds() / 3600, 2)
                if arrived_at
                else None,
                acceptance_to_pickup_hours=round(
                    (picked_up_at - accepted_at).total_seconds() / 3600, 2
                ),
                by_proxy=by_proxy,
            )
        )
    return out


# --- public progress -------------------------------------------------------------------------------

_DUMMY_DIGEST = "0" * 64


@dataclass(frozen=True)
class ProgressView:
    number: str
    item_name: str
    status: str
    status_label: str
    deadline: date | None
    applicant_name_masked: str
    center_name: str = ""
    center_phone: str = ""  # "请致电服务中心" needs the number (not part of the API answer)


def case_progress(*, number: str, phone_last4: str) -> ProgressView | None:
    """The citizen's lookup. A wrong pair and an unknown number take the same path: one query,
    one digest, one constant-time comparison, and the same None."""
    number = (number or "").strip().upper()[:24]
    last4 = (phone_last4 or "").strip()[:4]
    row = (
        Case.objects.filter(number=number)
        .select_related("item", "center")
        .only(
            "center__name",
            "center__phone",
            "number",
            "status",
            "next_stage",
            "deadline",
            "applicant_name_masked",
            "phone_last4_digest",
            "item__name",
        )
        .first()
    )
    expected = (
        row.phone_last4_digest if row is not None and row.phone_last4_digest else _DUMMY_DIGEST
    )
    given = phone_digest(number, last4 if len(last4) == 4 and last4.isdigit() else "----")
    matches = hmac.compare_digest(expected.encode(), given.encode())
    if row is None or not matches:
        return None
    return ProgressView(
        number=row.number,
        item_name=row.item.name,
        status=row.status,
        status_label=pipeline.progress_label(status=row.status, next_stage_=row.next_stage),
        deadline=row.deadline,
        applicant_name_masked=row.applicant_name_masked,
        center_name=row.center.name,
        center_phone=row.center.phone or "",
    )


def case_flagged_list(*, center_id: int, limit: int = 50) -> list[Case]:
    """Open cases marked urgent, holiday appointment or 24-hour standby."""
    return list(
        Case.objects.filter(
            center_id=center_id, status__in=[CaseStatus.ACCEPTED, CaseStatus.PRE_REVIEW]
        )
        .filter(Q(is_urgent=True) | Q(is_holiday_appointment=True) | Q(is_standby_24h=True))
        .select_related("item")
        .order_by("deadline", "pk")[:limit]
    )


# --- facts for the standards context (业务技能星, 双随机 case pools) -------------------------


@dataclass(frozen=True)
class OfficerCaseFacts:
    handled: int  # cases the officer accepted in the period
    corrections: int  # corrections recorded in the period on those cases
    sent_back: int  # sent back (退回) in the period, on cases the officer accepted
    overdue: int  # the officer's cases that went overdue in the period
    # confirmations refused in the period because the applicant's data differed from what the
    # officer registered (零差错), on cases the officer registered
    mismatches: int


def _period(start: date, end: date) -> tuple[datetime, datetime]:
    zone = timezone.get_current_timezone()
    return (
        datetime.combine(start, time.min, tzinfo=zone),
        datetime.combine(end, time.min, tzinfo=zone),
    )


def officer_case_facts(
    *, center_id: int, officer_id: int, start: date, end: date
) -> OfficerCaseFacts:
    """Read-only figures of one officer's cases for [start, end) (center's days)."""
    since, until = _period(start, end)
    mine = Case.objects.filter(center_id=center_id, accepted_by_id=officer_id)
    events = CaseEvent.objects.filter(
        case__center_id=center_id,
        case__accepted_by_id=officer_id,
        created_at__gte=since,
        created_at__lt=until,
    )
    return OfficerCaseFacts(
        handled=mine.filter(accepted_at__gte=since, accepted_at__lt=until).count(),
        corrections=events.filter(type=CaseEventType.CORRECTED).count(),
        sent_back=events.filter(type=CaseEventType.SENT_BACK).count(),
        overdue=mine.filter(overdue_at__gte=since, overdue_at__lt=until).count(),
        mismatches=CaseEvent.objects.filter(
            case__center_id=center_id,
            case__created_by_id=officer_id,
            type=CaseEventType.CONFIRMATION_MISMATCH,
            created_at__gte=since,
            created_at__lt=until,
        ).count(),
    )


def case_numbers_accepted(
    *, center_id: int, start: date, end: date
) -> list[tuple[str, int | None]]:
    """(case number, accepting officer id) of the cases accepted in [start, end), by number."""
    since, until = _period(start, end)
    return list(
        Case.objects.filter(center_id=center_id, accepted_at__gte=since, accepted_at__lt=until)
        .order_by("number")
        .values_list("number", "accepted_by_id")
    )


# --- period figures (the reports context's briefing and periodic reports) --------------------


@dataclass(frozen=True)
class CasePeriodFigures:
    """Cases of one center in `start`..`end` (inclusive days), and where they stood at its end."""

    accepted: int  # accepted in the period (complete or 容缺)
    accepted_with_gaps: int  # of which 容缺受理
    concluded: int  # 办结 in the period
    terminated: int
    notices: int  # 一次性告知单 issued in the period
    warned: int  # 临期预警 raised in the period
    became_overdue: int  # passed their promised time limit in the period
    overdue_open_at_end: int  # overdue and still open at the end of the period
    gaps_pending_at_end: int  # 容缺 cases whose missing materials were still owed at the end


def period_figures(*, center_id: int, start: date, end: date) -> CasePeriodFigures:
    since, until = _day_start(start), _day_start(end + timedelta(days=1))
    cases = Case.objects.filter(center_id=center_id)
    still_open = (Q(closed_at__isnull=True) | Q(closed_at__gte=until)) & (
        Q(terminated_at__isnull=True) | Q(terminated_at__gte=until)
    )
    # Range counts on the (center, accepted_at / closed_at / terminated_at) indexes; one pass
    # over the rows that were ever warned or overdue for the rest.
    accepted = cases.filter(accepted_at__gte=since, accepted_at__lt=until).aggregate(
        n=Count("pk"), gaps=Count("pk", filter=Q(accepted_with_gaps=True))
    )
    flagged = cases.filter(Q(warned_at__isnull=False) | Q(overdue_at__isnull=False)).aggregate(
        warned=Count("pk", filter=Q(warned_at__gte=since, warned_at__lt=until)),
        became_overdue=Count("pk", filter=Q(overdue_at__gte=since, overdue_at__lt=until)),
        overdue_open=Count("pk", filter=Q(overdue_at__lt=until) & still_open),
    )
    counts = {
        "accepted": accepted["n"],
        "gaps": accepted["gaps"],
        "concluded": cases.filter(closed_at__gte=since, closed_at__lt=until).count(),
        "terminated": cases.filter(terminated_at__gte=since, terminated_at__lt=until).count(),
        **flagged,
    }
    gap_cases = cases.filter(accepted_with_gaps=True, accepted_at__lt=until).filter(still_open)
    supplied = (
        CaseEvent.objects.filter(
            type=CaseEventType.GAPS_SUPPLIED, created_at__lt=until, case__in=gap_cases
        )
        .values("case_id")
        .distinct()
        .count()
    )
    gaps_pending = gap_cases.count() - supplied
    notices = MissingNotice.objects.filter(
        case__center_id=center_id, created_at__gte=since, created_at__lt=until
    ).count()
    return CasePeriodFigures(
        accepted=counts["accepted"],
        accepted_with_gaps=counts["gaps"],
        concluded=counts["concluded"],
        terminated=counts["terminated"],
        notices=notices,
        warned=counts["warned"],
        became_overdue=counts["became_overdue"],
        overdue_open_at_end=counts["overdue_open"],
        gaps_pending_at_end=gaps_pending,
    )


# --- the kiosk: a citizen's open cases after reading the ID card -------------------------------


@dataclass(frozen=True)
class KioskCaseRow:
    number: str
    item_name: str
    status_label: str
    deadline: date | None
    applicant_name_masked: str


def open_cases_by_card(*, center_id: int, id_number: str, name: str) -> list[KioskCaseRow]:
    """The open cases at this center of the resident whose card was read at the kiosk: the ID
    number and the name on the chip must both match the registry. Audited (no actor: the
    public) with the number of cases shown; masked rows only."""
    person = person_find_by_id_number(actor=None, id_number=(id_number or "").strip().upper())
    if person is None or person.name != (name or "").strip():
        return []
    rows = list(
        Case.objects.filter(center_id=center_id, applicant=person)
        .filter(status__in=OPEN_STATUSES)
        .select_related("item")
        .order_by("-created_at")[:10]
    )
    for case in rows:
        audit_record(
            actor=None,
            action=AuditAction.CASE_VIEWED,
            target=case,
            center_id=case.center_id,
            after={"number": case.number, "channel": "kiosk_card"},
        )
    return [
        KioskCaseRow(
            number=c.number,
            item_name=c.item.name,
            status_label=str(pipeline.progress_label(status=c.status, next_stage_=c.next_stage)),
            deadline=c.deadline,
            applicant_name_masked=c.applicant_name_masked,
        )
        for c in rows
    ]
