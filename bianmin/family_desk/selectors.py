"""Reads of the desk: the guide and its search, the boards, the figures (counts only)."""

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from bianmin.accounts.selectors import staff_list
from bianmin.core import clock
from bianmin.core.actors import StaffActor, home_center_id
from bianmin.core.permissions import Perm, has_perm
from bianmin.family_desk import search
from bianmin.family_desk.enums import OPEN_STATUSES, LifeEvent, RequestStatus, RequestType
from bianmin.family_desk.models import (
    DeskRequest,
    DeskSettings,
    FamilyMember,
    Procedure,
    Synonym,
    Unit,
)

STALE_AFTER_DAYS = 365  # a procedure not checked for 12 months is flagged to the desk


def guide_is_public(*, center_id: int) -> bool:
    """Whether the director opened the center's guide to the public (closed by default)."""
    return DeskSettings.objects.filter(center_id=center_id, guide_is_public=True).exists()


def unit_list(*, center_id: int) -> QuerySet[Unit]:
    return Unit.objects.filter(center_id=center_id).annotate(n=Count("procedures"))


def procedure_get(*, center_id: int, procedure_id: int) -> Procedure | None:
    return (
        Procedure.objects.select_related("unit")
        .filter(pk=procedure_id, center_id=center_id, is_active=True)
        .first()
    )


def synonym_groups(*, center_id: int) -> list[list[str]]:
    return [s.word_list for s in Synonym.objects.filter(center_id=center_id)]


def _doc(procedure: Procedure) -> search.Doc:
    events = " ".join(
        str(LifeEvent(e).label) for e in procedure.life_events if e in LifeEvent.values
    )
    return search.Doc(
        id=procedure.pk,
        name=procedure.name,
        unit=procedure.unit.name,
        keywords=procedure.keywords,
        events=events,
        purpose=procedure.purpose,
        body=" ".join((procedure.eligibility, procedure.materials, procedure.place)),
    )


def procedure_search(
    *, center_id: int, q: str = "", unit_id: int | None = None, event: str = ""
) -> list[Procedure]:
    """The guide filtered by unit and life event, ranked by the words of `q` (all when empty)."""
    qs = Procedure.objects.select_related("unit").filter(center_id=center_id, is_active=True)
    if unit_id:
        qs = qs.filter(unit_id=unit_id)
    procedures = list(qs)
    if event:
        procedures = [p for p in procedures if event in p.life_events]
    if not (q or "").strip():
        return procedures
    synonyms = search.synonym_map(synonym_groups(center_id=center_id))
    vocabulary = {p.unit.name for p in procedures}
    query = search.parse(q, synonyms=synonyms, vocabulary=vocabulary)
    by_id = {p.pk: p for p in procedures}
    return [by_id[doc.id] for doc, _score in search.rank(map(_doc, procedures), query)]


def procedures_stale(*, center_id: int, today: date | None = None) -> QuerySet[Procedure]:
    """Procedures nobody checked in the last 12 months (or never)."""
    cutoff = (today or clock.today()) - timedelta(days=STALE_AFTER_DAYS)
    return (
        Procedure.objects.select_related("unit")
        .filter(center_id=center_id, is_active=True)
        .filter(Q(last_checked_on__isnull=True) | Q(last_checked_on__lt=cutoff))
    )


def is_stale(procedure: Procedure, today: date | None = None) -> bool:
    cutoff = (today or clock.today()) - timedelta(days=STALE_AFTER_DAYS)
    return procedure.last_checked_on is None or procedure.last_checked_on < cutoff


def procedure_versions(*, procedure: Procedure) -> list[Any]:
    return list(procedure.history.select_related("history_user").order_by("-history_date"))


def desk_alerts(*, today: date | None = None) -> dict[int, dict[str, int]]:
    """Per center: open requests past their due date, procedures unchecked for 12 months."""
    today = today or clock.today()
    overdue = Counter(
        DeskRequest.objects.filter(status__in=OPEN_STATUSES, due_on__lt=today).values_list(
            "center_id", flat=True
        )
    )
    cutoff = today - timedelta(days=STALE_AFTER_DAYS)
    stale = Counter(
        Procedure.objects.filter(is_active=True)
        .filter(Q(last_checked_on__isnull=True) | Q(last_checked_on__lt=cutoff))
        .values_list("center_id", flat=True)
    )
    return {
        center_id: {"overdue": overdue[center_id], "stale": stale[center_id]}
        for center_id in sorted(set(overdue) | set(stale))
    }


# -- requests ---------------------------------------------------------------------------------


def _requests(center_id: int) -> QuerySet[DeskRequest]:
    return DeskRequest.objects.select_related(
        "procedure__unit", "handler", "requester_staff", "requester_family"
    ).filter(center_id=center_id)


def request_list_for_desk(
    *, actor: StaffActor, status: str = "", overdue_only: bool = False
) -> QuerySet[DeskRequest]:
    if not has_perm(actor, Perm.DESK_HANDLE):
        return DeskRequest.objects.none()
    qs = _requests(home_center_id(actor))
    if status:
        qs = qs.filter(status=status)
    if overdue_only:
        qs = qs.filter(status__in=OPEN_STATUSES, due_on__lt=clock.today())
    return qs.order_by("due_on", "pk")


def request_list_handled_by(*, actor: StaffActor) -> QuerySet[DeskRequest]:
    return _requests(home_center_id(actor)).filter(handler_id=actor.pk).order_by("-pk")


def request_list_asked_by_staff(*, actor: StaffActor) -> QuerySet[DeskRequest]:
    return _requests(home_center_id(actor)).filter(requester_staff_id=actor.pk).order_by("-pk")


def request_list_asked_by_family(*, member: FamilyMember) -> QuerySet[DeskRequest]:
    return _requests(member.center_id).filter(requester_family=member).order_by("-pk")


def family_members_of(*, officer: StaffActor) -> QuerySet[FamilyMember]:
    return FamilyMember.objects.filter(
        center_id=home_center_id(officer), officer_id=officer.pk, is_active=True
    )


def family_member_get(*, center_id: int, member_id: int) -> FamilyMember | None:
    return FamilyMember.objects.filter(pk=member_id, center_id=center_id, is_active=True).first()


def handlers_for(*, actor: StaffActor) -> list[Any]:
    return [s for s in staff_list(user=actor) if has_perm(s, Perm.DESK_ASK)]


# -- figures (counts only: the director's view never shows a request's content) --------------


@dataclass(frozen=True)
class Figures:
    months: list[str]
    by_month_type: dict[str, list[int]]  # type label → count per month
    by_unit: list[tuple[str, int]]
    by_unit_month: dict[str, list[int]]  # the busiest units → count per month
    median_close_days: float | None
    open_count: int
    overdue: int
    rated: int
    satisfaction: float | None  # mean of 1–5
    by_status: list[tuple[str, int]]


def _month_keys(today: date, months: int) -> list[str]:
    keys = []
    year, month = today.year, today.month
    for _i in range(months):
        keys.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return list(reversed(keys))


def desk_figures(*, center_id: int, months: int = 6, today: date | None = None) -> Figures:
    today = today or clock.today()
    keys = _month_keys(today, months)
    rows = list(
        DeskRequest.objects.filter(center_id=center_id).values(
            "type", "status", "created_on", "due_on", "closed_at", "rating", "procedure__unit__name"
        )
    )
    by_month_type: dict[str, list[int]] = {
        str(label): [0] * len(keys) for label in RequestType.labels
    }
    unit_counts: Counter[str] = Counter()
    unit_months: dict[str, list[int]] = defaultdict(lambda: [0] * len(keys))
    close_days: list[float] = []
    ratings: list[int] = []
    statuses: Counter[str] = Counter()
    for row in rows:
        key = f"{row['created_on']:%Y-%m}"
        if key in keys:
            by_month_type[str(RequestType(row["type"]).label)][keys.index(key)] += 1
        unit = row["procedure__unit__name"] or _("未指明事项")
        unit_counts[unit] += 1
        if key in keys:
            unit_months[unit][keys.index(key)] += 1
        statuses[row["status"]] += 1
        if row["closed_at"]:
            closed_on = clock.local(row["closed_at"]).date()
            close_days.append((closed_on - row["created_on"]).days)
        if row["rating"]:
            ratings.append(row["rating"])
    overdue = sum(1 for row in rows if row["status"] in OPEN_STATUSES and row["due_on"] < today)
    return Figures(
        months=keys,
        by_month_type=by_month_type,
        by_unit=unit_counts.most_common(10),
        by_unit_month={
            name: unit_months[name]
            for name, _n in unit_counts.most_common(8)
            if name in unit_months
        },
        median_close_days=statistics.median(close_days) if close_days else None,
        open_count=sum(statuses[s] for s in OPEN_STATUSES),
        overdue=overdue,
        rated=len(ratings),
        satisfaction=round(sum(ratings) / len(ratings), 2) if ratings else None,
        by_status=[(str(RequestStatus(s).label), statuses[s]) for s in RequestStatus.values],
    )


def weekly_summary(*, center_id: int, today: date | None = None) -> str:
    """A text for the police WeChat group: counts and topics only, never a name or phone."""
    today = today or clock.today()
    start = today - timedelta(days=today.weekday() + 7)  # last Monday-to-Sunday week
    end = start + timedelta(days=6)
    week = DeskRequest.objects.filter(
        center_id=center_id, created_on__gte=start, created_on__lte=end
    )
    types: Counter[str] = Counter(week.values_list("type", flat=True))
    closed = DeskRequest.objects.filter(
        center_id=center_id,
        status=RequestStatus.CLOSED,
        closed_at__date__gte=start,
        closed_at__date__lte=end,
    )
    ratings = [r for r in closed.values_list("rating", flat=True) if r]
    topics: dict[str, int] = defaultdict(int)
    for name in week.exclude(procedure=None).values_list("procedure__name", flat=True):
        topics[name] += 1
    top = sorted(topics.items(), key=lambda kv: (-kv[1], kv[0]))[:3]
    open_now = DeskRequest.objects.filter(center_id=center_id, status__in=OPEN_STATUSES)
    overdue = open_now.filter(due_on__lt=today).count()
    lines = [
        _("【惠民暖警服务台周报】%(s)s至%(e)s")
        % {"s": f"{start.month}月{start.day}日", "e": f"{end.month}月{end.day}日"},
        _("本周受理诉求%(n)d件：咨询%(c)d件、帮办%(a)d件、代办%(b)d件。")
        % {
            "n": sum(types.values()),
            "c": types[RequestType.CONSULT],
            "a": types[RequestType.ASSISTED],
            "b": types[RequestType.ON_BEHALF],
        },
        _("办结%(n)d件，当前在办%(o)d件，其中超期%(d)d件。")
        % {"n": closed.count(), "o": open_now.count(), "d": overdue},
    ]
    if ratings:
        lines.append(
            _("评价%(n)d件，平均满意度%(s).1f分（满分5分）。")
            % {"n": len(ratings), "s": sum(ratings) / len(ratings)}
        )
    if top:
        lines.append(
            _("本周大家最常问：%(t)s。") % {"t": "、".join(f"{name}（{n}件）" for name, n in top)}
        )
    lines.append(_("有事请找惠民暖警服务台，民警及登记家属可在手机页面直接提问。"))
    return "\n".join(lines)


# -- period figures (the reports context's briefing and periodic reports) ---------------------


@dataclass(frozen=True)
class DeskPeriodFigures:
    """Counts only, for `start`..`end` (inclusive days): never what a request says."""

    received: int
    by_type: dict[str, int]  # RequestType value → requests received
    closed: int
    overdue_open_at_end: int  # open at the end of the period and past their reply date


def period_figures(*, center_id: int, start: date, end: date) -> DeskPeriodFigures:
    zone = timezone.get_current_timezone()
    since = datetime.combine(start, time.min, tzinfo=zone)
    until = datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone)
    requests = DeskRequest.objects.filter(center_id=center_id)
    received = requests.filter(created_on__gte=start, created_on__lte=end)
    by_type = dict(
        received.values_list("type").annotate(n=Count("pk")).order_by().values_list("type", "n")
    )
    overdue = (
        requests.filter(created_on__lte=end, due_on__lt=end)
        .exclude(status=RequestStatus.WITHDRAWN)
        .filter(Q(closed_at__isnull=True) | Q(closed_at__gte=until))
        .count()
    )
    return DeskPeriodFigures(
        received=sum(by_type.values()),
        by_type=by_type,
        closed=requests.filter(closed_at__gte=since, closed_at__lt=until).count(),
        overdue_open_at_end=overdue,
    )
