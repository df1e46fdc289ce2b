"""Reads of the SMS platform, always scoped to the user's center."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from bianmin.core import clock
from bianmin.core.actors import StaffActor, home_center_id
from bianmin.core.workdays import workdays_between
from bianmin.notifications import pipeline
from bianmin.notifications.case_links import picked_up_cases
from bianmin.notifications.enums import BatchRowStatus, MessageStatus, TemplateStatus
from bianmin.notifications.models import Batch, BatchRow, Message, SmsTemplate
from bianmin.notifications.services.common import local_now, quiet_hours

SENT_STATUSES = (MessageStatus.SENT, MessageStatus.DELIVERED)
PICKUP_GOAL_WORKDAYS = 7
MAX_ID = 2**63 - 1  # the largest primary key a database integer can hold


def message_list(
    *,
    user: StaffActor,
    status: str = "",
    template_code: str = "",
    batch_id: int | None = None,
    phone_index: str = "",
) -> QuerySet[Message]:
    qs = Message.objects.filter(center_id=home_center_id(user)).select_related("template")
    if batch_id is not None and not 0 < batch_id <= MAX_ID:
        return qs.none()  # no such batch (and a database integer cannot hold it)
    if status:
        qs = qs.filter(status=status)
    if template_code:
        qs = qs.filter(template_code=template_code)
    if batch_id:
        qs = qs.filter(batch_id=batch_id)
    if phone_index:
        qs = qs.filter(phone_index=phone_index)
    return qs.order_by("-created_at", "-pk")


def message_get(*, user: StaffActor, message_id: int) -> Message | None:
    return (
        Message.objects.filter(center_id=home_center_id(user), pk=message_id)
        .select_related("template", "batch")
        .first()
    )


def template_list() -> list[dict[str, Any]]:
    """One line per template code: the approved version and the newest draft, if any."""
    out: dict[str, dict[str, Any]] = {}
    for template in SmsTemplate.objects.order_by("code", "-version"):
        entry = out.setdefault(
            template.code,
            {"code": template.code, "approved": None, "draft": None, "latest": template},
        )
        if template.status == TemplateStatus.APPROVED and entry["approved"] is None:
            entry["approved"] = template
        if template.status == TemplateStatus.DRAFT and entry["draft"] is None:
            entry["draft"] = template
    return list(out.values())


def template_versions(*, code: str) -> QuerySet[SmsTemplate]:
    return SmsTemplate.objects.filter(code=code).order_by("-version")


def batch_list(*, user: StaffActor) -> QuerySet[Batch]:
    return Batch.objects.filter(center_id=home_center_id(user)).order_by("-created_at", "-pk")


def batch_get(*, user: StaffActor, batch_id: int) -> Batch | None:
    if not 0 < batch_id <= MAX_ID:
        return None
    return Batch.objects.filter(center_id=home_center_id(user), pk=batch_id).first()


def batch_rows(*, batch: Batch) -> QuerySet[BatchRow]:
    return batch.rows.select_related("message").order_by("row_number")


def message_waiting_reason(*, message: Message) -> str:
    """Why a queued message waits ("" for any other status): quiet hours, a daily cap, a
    gateway error being retried, or its turn under the send-rate limit."""
    if message.status != MessageStatus.QUEUED:
        return ""
    return pipeline.waiting_reason(
        is_urgent=message.is_urgent,
        next_attempt_at=message.next_attempt_at,
        error_code=message.error_code,
        error_message=message.error_message,
        local_now=local_now(),
        quiet=quiet_hours(),
    )


def message_status_text(*, message: Message) -> str:
    """The honest one-line state of a message for staff screens: "已排队，08:00 后发送",
    never "已发送" for a message that is only queued."""
    if message.status == MessageStatus.QUEUED:
        return message_waiting_reason(message=message)
    return str(MessageStatus(message.status).label)


def case_sms_status(*, case_id: int, template_code: str) -> str:
    """The state of the latest SMS of that kind for a case ("" when none was queued), for
    the screens of the contexts that send case notices (e.g. the missing-material notice)."""
    message = case_sms_latest(case_id=case_id, template_code=template_code)
    if message is None:
        return ""
    return _("短信%(state)s") % {"state": message_status_text(message=message)}


def case_sms_latest(*, case_id: int, template_code: str) -> Message | None:
    return (
        Message.objects.filter(case_id=case_id, template_code=template_code)
        .order_by("-created_at", "-pk")
        .first()
    )


@dataclass(frozen=True)
class BatchProgress:
    total: int
    queued: int
    sending: int
    sent: int
    delivered: int
    failed: int
    waiting_reason: str = ""  # why the queued messages have not gone out yet

    @property
    def done(self) -> int:
        return self.sent + self.delivered + self.failed

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 100

    @property
    def is_finished(self) -> bool:
        return self.queued == 0 and self.sending == 0


def batch_progress(*, batch: Batch) -> BatchProgress:
    counts = Counter(dict(batch.messages.values_list("status").annotate(n=Count("pk"))))
    first_waiting = (
        batch.messages.filter(status=MessageStatus.QUEUED).order_by("next_attempt_at", "pk").first()
    )
    return BatchProgress(
        waiting_reason=message_waiting_reason(message=first_waiting) if first_waiting else "",
        total=sum(counts.values()),
        queued=counts.get(MessageStatus.QUEUED, 0),
        sending=counts.get(MessageStatus.SENDING, 0),
        sent=counts.get(MessageStatus.SENT, 0),
        delivered=counts.get(MessageStatus.DELIVERED, 0),
        failed=counts.get(MessageStatus.FAILED, 0),
    )


def batch_unmatched(*, batch: Batch) -> QuerySet[BatchRow]:
    return batch.rows.exclude(status=BatchRowStatus.MATCHED).order_by("row_number")


# -- statistics -------------------------------------------------------------------------------


def sms_sent_total(*, center_id: int) -> int:
    """The headline "已累计发送 N 条": messages accepted by a gateway (sent or delivered)."""
    return Message.objects.filter(center_id=center_id, status__in=SENT_STATUSES).count()


@dataclass(frozen=True)
class SmsOverview:
    total_sent: int
    total_segments: int
    today_sent: int
    queued: int
    sending: int
    failed_today: int
    delivered_rate: float | None  # delivered / (delivered + failed), last 30 days
    queued_reason: str = ""  # why the earliest queued message waits ("" when none waits)


def sms_overview(*, center_id: int) -> SmsOverview:
    now = clock.now()
    midnight = clock.local(now).replace(hour=0, minute=0, second=0, microsecond=0)
    qs = Message.objects.filter(center_id=center_id)
    sent = qs.filter(status__in=SENT_STATUSES)
    month = qs.filter(created_at__gte=now - timedelta(days=30))
    finals = month.aggregate(
        delivered=Count("pk", filter=Q(status=MessageStatus.DELIVERED)),
        failed=Count("pk", filter=Q(status=MessageStatus.FAILED)),
    )
    final_total = finals["delivered"] + finals["failed"]
    first_waiting = qs.filter(status=MessageStatus.QUEUED).order_by("next_attempt_at", "pk").first()
    return SmsOverview(
        queued_reason=message_waiting_reason(message=first_waiting) if first_waiting else "",
        total_sent=sent.count(),
        total_segments=sent.aggregate(n=Sum("segments"))["n"] or 0,
        today_sent=sent.filter(sent_at__gte=midnight).count(),
        queued=qs.filter(status=MessageStatus.QUEUED).count(),
        sending=qs.filter(status=MessageStatus.SENDING).count(),
        failed_today=qs.filter(status=MessageStatus.FAILED, failed_at__gte=midnight).count(),
        delivered_rate=round(100 * finals["delivered"] / final_total, 1) if final_total else None,
    )


def sms_monthly_by_template(*, center_id: int, months: int = 12) -> dict[str, Any]:
    """Sent messages per month and template (for the stacked bar chart)."""
    since = clock.local(clock.now()).date().replace(day=1) - timedelta(days=31 * (months - 1))
    rows = (
        Message.objects.filter(
            center_id=center_id, status__in=SENT_STATUSES, sent_at__date__gte=since.replace(day=1)
        )
        .annotate(month=TruncMonth("sent_at"))
        .values_list("month", "template_code")
        .annotate(n=Count("pk"), segments=Sum("segments"))
        .order_by("month", "template_code")
    )
    names = dict(SmsTemplate.objects.values_list("code", "name").order_by("code", "version"))
    month_keys: list[str] = []
    series: dict[str, dict[str, int]] = {}
    totals: list[dict[str, Any]] = []
    for month, code, n, segments in rows:
        key = month.strftime("%Y-%m") if month else "?"
        if key not in month_keys:
            month_keys.append(key)
        series.setdefault(code, {})[key] = n
        totals.append(
            {
                "month": key,
                "template": code,
                "name": names.get(code, code),
                "count": n,
                "segments": segments or 0,
            }
        )
    return {
        "months": month_keys,
        "series": [
            {
                "code": code,
                "name": names.get(code, code),
                "data": [values.get(m, 0) for m in month_keys],
            }
            for code, values in sorted(series.items())
        ],
        "rows": totals,
    }


@dataclass
class PickupStats:
    notified: int = 0  # pickup notices accepted by the gateway
    picked_up: int = 0
    waiting: int = 0
    within_goal: int = 0
    median_workdays: float | None = None
    buckets: list[int] = field(default_factory=list)  # 0..7 working days, then ">7"
    labels: list[str] = field(default_factory=list)
    source: str = ""

    @property
    def within_goal_percent(self) -> float | None:
        return round(100 * self.within_goal / self.picked_up, 1) if self.picked_up else None


def pickup_stats(*, center_id: int, days: int = 180) -> PickupStats:
    """Arrival → notified → picked up: working days from acceptance to pickup per case, against
    the 7-working-day goal (cases' ``case_pickup_durations``), with our own notice counts."""
    since = clock.today() - timedelta(days=days)
    stats = PickupStats(
        labels=[*(str(d) for d in range(PICKUP_GOAL_WORKDAYS + 1)), f">{PICKUP_GOAL_WORKDAYS}"]
    )
    stats.buckets = [0] * (PICKUP_GOAL_WORKDAYS + 2)
    notices = Message.objects.filter(
        center_id=center_id,
        template_code__in=("pickup_ready", "plate_ready"),
        status__in=SENT_STATUSES,
        sent_at__date__gte=since,
    )
    stats.notified = notices.count()
    notified_numbers = {
        str(p.get("case_number", "")) for p in notices.values_list("params", flat=True)
    }
    picked = picked_up_cases(center_id=center_id, since=since)
    if picked is None:
        stats.source = "unavailable"
        stats.waiting = stats.notified
        return stats
    stats.source = "cases"
    durations: list[int] = []
    picked_numbers: set[str] = set()
    for row in picked:
        start = clock.local(row.accepted_at).date()
        end = clock.local(row.picked_up_at).date()
        try:
            n = workdays_between(start, end)
        except Exception:  # noqa: BLE001 -- a year without calendar data: count calendar days
            n = (end - start).days
        durations.append(n)
        picked_numbers.add(row.number)
        stats.buckets[min(n, PICKUP_GOAL_WORKDAYS + 1)] += 1
    stats.picked_up = len(durations)
    stats.within_goal = sum(1 for n in durations if n <= PICKUP_GOAL_WORKDAYS)
    stats.waiting = len(notified_numbers - picked_numbers - {""})
    if durations:
        ordered = sorted(durations)
        mid = len(ordered) // 2
        stats.median_workdays = (
            float(ordered[mid]) if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2
        )
    return stats


def message_daily_counts(*, center_id: int, days: int = 30) -> list[tuple[date, int]]:
    since = clock.today() - timedelta(days=days - 1)
    rows = dict(
        Message.objects.filter(
            center_id=center_id, status__in=SENT_STATUSES, sent_at__date__gte=since
        )
        .values_list("sent_at__date")
        .annotate(n=Count("pk"))
        .values_list("sent_at__date", "n")
    )
    return [
        (since + timedelta(days=i), rows.get(since + timedelta(days=i), 0)) for i in range(days)
    ]


def batch_report(*, batch: Batch) -> dict[str, Any]:
    """A batch with its rows and progress, as the API shows it (notifications' and cases')."""
    progress = batch_progress(batch=batch)
    rows = []
    for row in batch_rows(batch=batch):
        reason = row.reason
        if row.status == "matched" and batch.kind == "plates":
            reason = ""  # the plate kept in `reason` is not a reason
        rows.append(
            {
                "row_number": row.row_number,
                "value_masked": row.value_masked,
                "case_number": row.case_number,
                "item_name": row.item_name,
                "phone_masked": row.phone_masked,
                "status": row.status,
                "reason": reason,
                "message_id": row.message_id,
            }
        )
    return {
        "id": batch.pk,
        "kind": batch.kind,
        "status": batch.status,
        "filename": batch.filename,
        "rows_total": batch.rows_total,
        "rows_matched": batch.rows_matched,
        "rows_unmatched": batch.rows_unmatched,
        "messages_total": batch.messages_total,
        "progress": {
            "total": progress.total,
            "queued": progress.queued,
            "sending": progress.sending,
            "sent": progress.sent,
            "delivered": progress.delivered,
            "failed": progress.failed,
            "percent": progress.percent,
        },
        "rows": rows,
    }


# --- period figures (the reports context's briefing and periodic reports) -------------------


@dataclass(frozen=True)
class SmsPeriodFigures:
    """Messages of one center in `start`..`end` (inclusive days, the center's time)."""

    sent: int  # accepted by a gateway in the period
    segments: int  # billed segments of those
    delivered: int  # delivery receipts received in the period
    failed: int  # failed in the period


def period_figures(*, center_id: int, start: date, end: date) -> SmsPeriodFigures:
    zone = timezone.get_current_timezone()
    since = datetime.combine(start, time.min, tzinfo=zone)
    until = datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone)
    totals = Message.objects.filter(center_id=center_id).aggregate(
        sent=Count("pk", filter=Q(sent_at__gte=since, sent_at__lt=until)),
        segments=Sum("segments", filter=Q(sent_at__gte=since, sent_at__lt=until)),
        delivered=Count("pk", filter=Q(delivered_at__gte=since, delivered_at__lt=until)),
        failed=Count(
            "pk",
            filter=Q(status=MessageStatus.FAILED, failed_at__gte=since, failed_at__lt=until),
        ),
    )
    return SmsPeriodFigures(
        sent=totals["sent"],
        segments=totals["segments"] or 0,
        delivered=totals["delivered"],
        failed=totals["failed"],
    )


def pickup_notified_numbers(*, center_id: int, since: date) -> set[str]:
    """Case numbers whose holder was told by SMS that the certificate arrived (since `since`)."""
    params = Message.objects.filter(
        center_id=center_id,
        template_code__in=("pickup_ready", "plate_ready"),
        status__in=SENT_STATUSES,
        sent_at__date__gte=since,
    ).values_list("params", flat=True)
    return {str(p.get("case_number", "")) for p in params} - {""}
