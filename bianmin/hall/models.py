import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from bianmin.core.fields import EncryptedTextField
from bianmin.core.models import TimeStampedModel
from bianmin.hall.enums import EventKind, IssueChannel, Priority, TicketStatus


def new_ticket_id() -> str:
    """128 random bits, URL-safe: a ticket's id is its only credential on the public pages."""
    return secrets.token_urlsafe(16)


class Window(TimeStampedModel):
    """A service counter. Any authorized officer may sign in at any window (pooled hall)."""

    center = models.ForeignKey(
        "accounts.Center", verbose_name=_("中心"), on_delete=models.PROTECT, related_name="windows"
    )
    code = models.CharField(_("窗口编号"), max_length=8)
    name = models.CharField(_("名称"), max_length=40)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["center", "code"]
        verbose_name = _("窗口")
        verbose_name_plural = _("窗口")
        constraints = [
            models.UniqueConstraint(fields=["center", "code"], name="window_code_unique")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def number(self) -> int:
        """The number announced in the hall: W03 → 3."""
        digits = "".join(ch for ch in self.code if ch.isdigit())
        return int(digits) if digits else 0


# The calling rule ranks a ticket past the waiting limit above every priority class: no weight
# may reach this rank (the settings cap the weights, the ticket table checks them).
OVERDUE_RANK = 10_000
MAX_PRIORITY_WEIGHT = 1_000
_WEIGHT_LIMIT = [MaxValueValidator(MAX_PRIORITY_WEIGHT)]


class HallSettings(TimeStampedModel):
    """The director's knobs for one hall: calling rule weights, no-show ladder, alerts."""

    center = models.OneToOneField(
        "accounts.Center",
        verbose_name=_("中心"),
        on_delete=models.CASCADE,
        related_name="hall_settings",
    )
    is_closed = models.BooleanField(
        _("暂停取号"), default=False, help_text=_("临时闭厅时打开，自助机和手机将不能取号")
    )
    closed_notice = models.CharField(_("闭厅说明"), max_length=100, blank=True)
    weight_appointment = models.PositiveSmallIntegerField(
        _("预约优先级"), default=30, validators=_WEIGHT_LIMIT
    )
    weight_elderly = models.PositiveSmallIntegerField(
        _("老年人优先级"), default=20, validators=_WEIGHT_LIMIT
    )
    weight_disabled = models.PositiveSmallIntegerField(
        _("残疾人优先级"), default=20, validators=_WEIGHT_LIMIT
    )
    weight_military = models.PositiveSmallIntegerField(
        _("军人优先级"), default=20, validators=_WEIGHT_LIMIT
    )
    elderly_age = models.PositiveSmallIntegerField(_("老年人年龄"), default=70)
    wait_limit_minutes = models.PositiveSmallIntegerField(
        _("最长等候（分钟）"), default=60, help_text=_("等候超过此时长的号票不论类别优先叫")
    )
    recall_limit = models.PositiveSmallIntegerField(_("重呼次数"), default=2)
    requeue_places = models.PositiveSmallIntegerField(_("未到顺延位数"), default=5)
    requeue_limit = models.PositiveSmallIntegerField(_("顺延次数"), default=1)
    near_position = models.PositiveSmallIntegerField(
        _("到号提醒位次"), default=3, help_text=_("前面还剩几人时发短信提醒")
    )
    alert_wait_minutes = models.PositiveSmallIntegerField(_("等候告警（分钟）"), default=30)

    class Meta:
        verbose_name = _("大厅设置")
        verbose_name_plural = _("大厅设置")

    def __str__(self) -> str:
        return f"{self.center_id}"

    def weight_for(self, priority: str) -> int:
        return {
            Priority.APPOINTMENT: self.weight_appointment,
            Priority.ELDERLY: self.weight_elderly,
            Priority.DISABLED: self.weight_disabled,
            Priority.MILITARY: self.weight_military,
        }.get(Priority(priority), 0)


class TicketCounter(models.Model):
    """The last number handed out per center, day and prefix; incremented under a row lock."""

    center = models.ForeignKey("accounts.Center", on_delete=models.CASCADE, related_name="+")
    service_day = models.DateField()
    prefix = models.CharField(max_length=2)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("号码计数器")
        verbose_name_plural = _("号码计数器")
        constraints = [
            models.UniqueConstraint(
                fields=["center", "service_day", "prefix"], name="ticket_counter_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.center_id}/{self.service_day}/{self.prefix}={self.last}"


class Ticket(TimeStampedModel):
    """取号: one visit of one citizen, for one or several items, through the pooled queue."""

    id = models.CharField(primary_key=True, max_length=24, default=new_ticket_id, editable=False)
    center = models.ForeignKey(
        "accounts.Center", verbose_name=_("中心"), on_delete=models.PROTECT, related_name="+"
    )
    service_day = models.DateField(_("日期"))
    prefix = models.CharField(_("类别字母"), max_length=2)
    seq = models.PositiveIntegerField(_("序号"))
    number = models.CharField(_("号码"), max_length=8)
    item = models.ForeignKey(
        "catalogue.ServiceItem",
        verbose_name=_("当前事项"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("状态"), max_length=12, choices=TicketStatus.choices, default=TicketStatus.WAITING
    )
    priority = models.CharField(
        _("优先类别"), max_length=12, choices=Priority.choices, default=Priority.NORMAL
    )
    priority_weight = models.PositiveSmallIntegerField(_("优先权重"), default=0)
    # A class chosen by the citizen (kiosk, phone, public API): it does not count until the guide
    # desk confirms it; blank when nothing waits for confirmation.
    priority_claim = models.CharField(
        _("待确认优先类别"), max_length=12, choices=Priority.choices, blank=True, default=""
    )
    channel = models.CharField(_("取号渠道"), max_length=8, choices=IssueChannel.choices)
    arrived_at = models.DateTimeField(_("取号时间"))
    # Sort key of the pool: the arrival time, except after a no-show moved the ticket back.
    queue_at = models.DateTimeField(_("排队时间"))
    called_at = models.DateTimeField(_("叫号时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("民警"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    window = models.ForeignKey(
        Window,
        verbose_name=_("窗口"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    target_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("转给民警"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("取号人员"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    recall_count = models.PositiveSmallIntegerField(_("重呼次数"), default=0)
    requeue_count = models.PositiveSmallIntegerField(_("顺延次数"), default=0)
    phone = EncryptedTextField(_("手机号码"), null=True, blank=True)
    has_phone = models.BooleanField(default=False)
    near_notified_at = models.DateTimeField(_("到号提醒时间"), null=True, blank=True)
    request_key = models.CharField(max_length=64, null=True, blank=True)

    class Meta:
        ordering = ["center", "service_day", "arrived_at"]
        verbose_name = _("号票")
        verbose_name_plural = _("号票")
        constraints = [
            models.UniqueConstraint(
                fields=["center", "service_day", "number"], name="ticket_number_unique"
            ),
            models.UniqueConstraint(
                fields=["center", "request_key"],
                name="ticket_request_unique",
                condition=models.Q(request_key__isnull=False),
            ),
            # the calling rule's segments (selectors.pool) rest on it
            models.CheckConstraint(
                condition=models.Q(priority_weight__lt=OVERDUE_RANK),
                name="ticket_weight_below_overdue",
            ),
        ]
        indexes = [
            # the calling order within the waiting limit; the people ahead by weight
            models.Index(
                fields=["center", "status", "service_day", "-priority_weight", "queue_at", "seq"],
                name="ticket_weight_idx",
            ),
            # the calling order past the waiting limit: the longest wait first
            models.Index(
                fields=["center", "status", "service_day", "queue_at", "seq"],
                name="ticket_queue_idx",
            ),
            models.Index(fields=["officer", "status"], name="ticket_officer_idx"),
            # the tickets transferred to a named officer, the first segment of their calls; the
            # few that are (the rest leave the column NULL, which SQLite's statistics then call
            # unselective)
            models.Index(
                fields=["center", "status", "service_day", "target_officer"],
                name="ticket_target_idx",
                condition=models.Q(target_officer__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.number


class WaitingTally(models.Model):
    """How many tickets wait, per center, day, item, priority weight and whether they were
    transferred to a named officer: the waiting line summed, so that the people ahead of a new
    ticket are a few rows to add, not the whole line to count.

    Kept by the database itself: triggers on the ticket table (migration 0005) move a row by
    one whenever a ticket enters the line, leaves it, or changes bucket while in it — in the
    same transaction as the change, whichever code makes it (a service, a bulk update, demo
    data, a test's factory). Never written from Python."""

    center = models.ForeignKey("accounts.Center", on_delete=models.CASCADE, related_name="+")
    service_day = models.DateField()
    item = models.ForeignKey("catalogue.ServiceItem", on_delete=models.CASCADE, related_name="+")
    priority_weight = models.PositiveSmallIntegerField()
    targeted = models.BooleanField()  # transferred to a named officer
    n = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("候号人数")
        verbose_name_plural = _("候号人数")
        constraints = [
            models.UniqueConstraint(
                fields=["center", "service_day", "item", "priority_weight", "targeted"],
                name="waiting_tally_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.center_id}/{self.service_day}/{self.item_id}/{self.priority_weight}={self.n}"


class TicketItem(models.Model):
    """The items of a visit; the ticket's `item` is the one it queues for now."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="items")
    item = models.ForeignKey("catalogue.ServiceItem", on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["ticket", "position"]
        verbose_name = _("号票事项")
        verbose_name_plural = _("号票事项")
        constraints = [
            models.UniqueConstraint(fields=["ticket", "item"], name="ticket_item_unique")
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id}/{self.item_id}"


class WindowSession(models.Model):
    """An officer signed in at a window, from sign-in to sign-out (one open session each)."""

    center = models.ForeignKey("accounts.Center", on_delete=models.CASCADE, related_name="+")
    window = models.ForeignKey(
        Window, verbose_name=_("窗口"), on_delete=models.CASCADE, related_name="sessions"
    )
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("民警"), on_delete=models.CASCADE, related_name="+"
    )
    started_at = models.DateTimeField(_("签到时间"))
    ended_at = models.DateTimeField(_("签退时间"), null=True, blank=True)
    paused_at = models.DateTimeField(_("暂停时间"), null=True, blank=True)
    pause_reason = models.CharField(_("暂停原因"), max_length=40, blank=True)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("窗口签到")
        verbose_name_plural = _("窗口签到")
        constraints = [
            models.UniqueConstraint(
                fields=["officer"],
                condition=models.Q(ended_at__isnull=True),
                name="one_open_session_per_officer",
            ),
            models.UniqueConstraint(
                fields=["window"],
                condition=models.Q(ended_at__isnull=True),
                name="one_open_session_per_window",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.officer_id}@{self.window_id}"

    @property
    def is_paused(self) -> bool:
        return self.paused_at is not None


class TicketEvent(models.Model):
    """Append-only: every issue, call, recall, transfer, park, no-show, finish and every
    sign-in/out and pause. All hall KPIs (waits, service times, counts) are derived from it."""

    center = models.ForeignKey("accounts.Center", on_delete=models.CASCADE, related_name="+")
    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, null=True, blank=True, related_name="events"
    )
    kind = models.CharField(_("事件"), max_length=20, choices=EventKind.choices)
    at = models.DateTimeField(_("时间"))
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    window = models.ForeignKey(
        Window, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    item = models.ForeignKey(
        "catalogue.ServiceItem", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # call: seconds since arrival; finish: seconds since the (last) call.
    wait_seconds = models.PositiveIntegerField(null=True, blank=True)
    service_seconds = models.PositiveIntegerField(null=True, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("号票事件")
        verbose_name_plural = _("号票事件")
        indexes = [
            models.Index(fields=["center", "kind", "at"], name="ticket_event_kind_idx"),
            models.Index(fields=["center", "at"], name="ticket_event_at_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}@{self.at:%H:%M:%S}"

    def save(self, *args: object, **kwargs: object) -> None:
        # Append-only: an event is written once and never changed.
        if not self._state.adding:
            raise RuntimeError("TicketEvent rows are append-only")
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class GuideCall(models.Model):
    """呼叫导办员: a citizen at a self-service kiosk pressed "call a guide". One open call per
    kiosk (a second press while it is open is the same call); the guide desk answers it."""

    center = models.ForeignKey("accounts.Center", on_delete=models.CASCADE, related_name="+")
    kiosk = models.CharField(_("自助机编号"), max_length=8)
    created_at = models.DateTimeField(_("呼叫时间"))
    answered_at = models.DateTimeField(_("响应时间"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("呼叫导办员")
        verbose_name_plural = _("呼叫导办员")
        constraints = [
            models.UniqueConstraint(
                fields=["center", "kiosk"],
                condition=models.Q(answered_at__isnull=True),
                name="guide_call_one_open_per_kiosk",
            )
        ]

    def __str__(self) -> str:
        return f"{self.center_id} kiosk {self.kiosk}"
