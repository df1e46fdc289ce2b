"""Ratings (好差评), their rectification, officers' appeals, rating pads, complaints (诉求).

Every row belongs to a center. A citizen's rating is written once and never edited or deleted:
an appeal upheld by the director marks it ``is_revoked`` (it then no longer counts against
the officer) but the row and its level stay.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bianmin.core.fields import EncryptedTextField
from bianmin.core.models import TimeStampedModel
from bianmin.ratings.enums import (
    AppealStatus,
    Channel,
    ComplaintCategory,
    ComplaintChannel,
    ComplaintStatus,
    EventKind,
    Level,
    NoteKind,
    RectificationStatus,
    Satisfaction,
)

STAFF = settings.AUTH_USER_MODEL


class RatingSettings(TimeStampedModel):
    """Per-center deadlines (working days) and the publication switch the director sets."""

    center = models.OneToOneField(
        "accounts.Center", verbose_name=_("所属中心"), on_delete=models.CASCADE
    )
    callback_workdays = models.PositiveSmallIntegerField(_("差评回访时限（工作日）"), default=1)
    rectification_workdays = models.PositiveSmallIntegerField(
        _("差评整改时限（工作日）"), default=5
    )
    complaint_workdays = models.PositiveSmallIntegerField(_("诉求答复时限（工作日）"), default=5)
    complaint_complex_workdays = models.PositiveSmallIntegerField(
        _("复杂诉求答复时限（工作日）"), default=15
    )
    publish_officer_names = models.BooleanField(_("公示页显示民警姓名"), default=False)

    class Meta:
        verbose_name = _("好差评设置")
        verbose_name_plural = _("好差评设置")

    def __str__(self) -> str:
        return str(self.center_id)


class ServiceEvent(models.Model):
    """One service that may be rated once: a ticket's visit, a case's acceptance, a pickup, a
    home visit, a desk request. Written by the subscribers of the lower contexts' events."""

    center = models.ForeignKey("accounts.Center", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("服务类型"), max_length=20, choices=EventKind.choices)
    reference = models.CharField(_("业务编号"), max_length=40)
    ticket_id = models.CharField(max_length=24, blank=True, db_index=True)
    number = models.CharField(_("号码"), max_length=8, blank=True)
    case_id = models.PositiveBigIntegerField(null=True, blank=True)
    case_number = models.CharField(_("办件编号"), max_length=32, blank=True)
    officer = models.ForeignKey(
        STAFF,
        verbose_name=_("经办民警"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    window_code = models.CharField(_("窗口"), max_length=8, blank=True)
    item_code = models.CharField(_("事项"), max_length=40, blank=True)
    at = models.DateTimeField(_("服务时间"))
    day = models.DateField(_("服务日期"), db_index=True)
    has_phone = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("服务记录")
        verbose_name_plural = _("服务记录")
        ordering = ["-at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["center", "kind", "reference"], name="ratings_event_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.reference}"


class RatingToken(models.Model):
    """A one-use invitation to rate one service event; only the SM3 digest is kept."""

    service_event = models.ForeignKey(ServiceEvent, on_delete=models.CASCADE, related_name="tokens")
    digest = models.CharField(max_length=64, unique=True)
    channel = models.CharField(max_length=12, choices=Channel.choices)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("评价凭证")
        verbose_name_plural = _("评价凭证")

    def __str__(self) -> str:
        return f"{self.service_event_id}/{self.channel}"


class Rating(models.Model):
    """The citizen's rating of one service event (一次一评). Never edited, never deleted."""

    center = models.ForeignKey("accounts.Center", on_delete=models.CASCADE, related_name="+")
    service_event = models.OneToOneField(
        ServiceEvent, on_delete=models.PROTECT, related_name="rating"
    )
    level = models.PositiveSmallIntegerField(_("评价等级"), choices=Level.choices)
    reasons = models.JSONField(_("差评原因"), default=list, blank=True)
    comment = models.TextField(_("意见"), blank=True)
    channel = models.CharField(_("评价渠道"), max_length=12, choices=Channel.choices)
    # A phone callback's answer typed in by staff is marked: who typed it, and what was said.
    entered_by = models.ForeignKey(
        STAFF,
        verbose_name=_("录入人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    callback_note = models.CharField(_("回访记录"), max_length=300, blank=True)
    officer = models.ForeignKey(
        STAFF,
        verbose_name=_("经办民警"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    window_code = models.CharField(_("窗口"), max_length=8, blank=True)
    item_code = models.CharField(_("事项"), max_length=40, blank=True)
    case_number = models.CharField(_("办件编号"), max_length=32, blank=True)
    rated_at = models.DateTimeField(_("评价时间"))
    day = models.DateField(_("评价日期"), db_index=True)
    is_revoked = models.BooleanField(_("申诉成立不计入"), default=False)

    class Meta:
        verbose_name = _("评价")
        verbose_name_plural = _("评价")
        ordering = ["-rated_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(level__gte=1) & Q(level__lte=5), name="ratings_level_1_5"
            ),
            models.CheckConstraint(
                condition=Q(channel=Channel.CALLBACK, entered_by__isnull=False)
                | (~Q(channel=Channel.CALLBACK) & Q(entered_by__isnull=True)),
                name="ratings_callback_marked",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service_event_id}={self.level}"

    @property
    def is_bad(self) -> bool:
        return self.level <= 2


class Rectification(TimeStampedModel):
    """差评整改: the shift leader calls back within a working day and fixes within the deadline."""

    center = models.ForeignKey("accounts.Center", on_delete=models.CASCADE, related_name="+")
    rating = models.OneToOneField(Rating, on_delete=models.PROTECT, related_name="rectification")
    status = models.CharField(
        _("状态"),
        max_length=12,
        choices=RectificationStatus.choices,
        default=RectificationStatus.OPEN,
    )
    assignee = models.ForeignKey(
        STAFF,
        verbose_name=_("责任值班长"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    callback_due = models.DateField(_("回访期限"))
    due_on = models.DateField(_("整改期限"))
    called_back_at = models.DateTimeField(_("回访时间"), null=True, blank=True)
    callback_note = models.TextField(_("回访记录"), blank=True)
    evidence = models.TextField(_("整改佐证"), blank=True)
    result = models.TextField(_("整改结果"), blank=True)
    resolved_at = models.DateTimeField(_("整改完成时间"), null=True, blank=True)
    citizen_note = models.TextField(_("群众意见"), blank=True)
    review_note = models.TextField(_("主任复核意见"), blank=True)
    reviewed_by = models.ForeignKey(
        STAFF,
        verbose_name=_("复核人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("差评整改")
        verbose_name_plural = _("差评整改")
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return f"R{self.pk}"


class Appeal(TimeStampedModel):
    """申诉: the officer contests a bad rating with evidence; only the director decides."""

    center = models.ForeignKey("accounts.Center", on_delete=models.CASCADE, related_name="+")
    rating = models.ForeignKey(Rating, on_delete=models.PROTECT, related_name="appeals")
    officer = models.ForeignKey(STAFF, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("申诉理由"))
    evidence = models.TextField(_("佐证材料"))
    status = models.CharField(
        _("状态"), max_length=10, choices=AppealStatus.choices, default=AppealStatus.PENDING
    )
    decided_by = models.ForeignKey(
        STAFF, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(_("裁定意见"), blank=True)

    class Meta:
        verbose_name = _("差评申诉")
        verbose_name_plural = _("差评申诉")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["rating"],
                condition=Q(status="pending"),
                name="ratings_one_pending_appeal",
            )
        ]

    def __str__(self) -> str:
        return f"A{self.pk}"


class RatingPad(TimeStampedModel):
    """评价器: a tablet facing the citizen at one window. It is a device session of its own
    (a secret key in a cookie), paired by a short code a shift leader or officer shows."""

    center = models.ForeignKey("accounts.Center", on_delete=models.CASCADE, related_name="+")
    window = models.ForeignKey("hall.Window", on_delete=models.CASCADE, related_name="+")
    code_digest = models.CharField(max_length=64, blank=True)
    code_expires_at = models.DateTimeField(null=True, blank=True)
    code_issued_by = models.ForeignKey(
        STAFF, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    key_digest = models.CharField(max_length=64, blank=True, db_index=True)
    paired_at = models.DateTimeField(_("配对时间"), null=True, blank=True)
    last_seen_at = models.DateTimeField(_("最近在线"), null=True, blank=True)

    class Meta:
        verbose_name = _("评价器")
        verbose_name_plural = _("评价器")
        constraints = [
            models.UniqueConstraint(fields=["window"], name="ratings_one_pad_per_window")
        ]

    def __str__(self) -> str:
        return f"pad@{self.window_id}"


class NumberCounter(models.Model):
    """The day's last complaint number of a center (TS-YYYYMMDD-NNN)."""

    center = models.ForeignKey("accounts.Center", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["center", "day"], name="ratings_counter_day")
        ]

    def __str__(self) -> str:
        return f"{self.center_id}:{self.day}:{self.last}"


class Complaint(TimeStampedModel):
    """诉求: a complaint or suggestion, from the phone page, the kiosk, the box or 12345."""

    center = models.ForeignKey("accounts.Center", on_delete=models.CASCADE, related_name="+")
    number = models.CharField(_("受理编号"), max_length=20, unique=True)
    channel = models.CharField(_("渠道"), max_length=12, choices=ComplaintChannel.choices)
    category = models.CharField(_("类别"), max_length=12, choices=ComplaintCategory.choices)
    text = models.TextField(_("内容"))
    phone = EncryptedTextField(_("联系电话"), null=True, blank=True)
    phone_masked = models.CharField(_("联系电话"), max_length=11, blank=True)
    hotline_reference = models.CharField(_("12345工单号"), max_length=40, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=ComplaintStatus.choices, default=ComplaintStatus.RECEIVED
    )
    is_complex = models.BooleanField(_("复杂诉求"), default=False)
    due_on = models.DateField(_("答复期限"))
    assignee = models.ForeignKey(
        STAFF,
        verbose_name=_("承办人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    entered_by = models.ForeignKey(
        STAFF,
        verbose_name=_("录入人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    received_at = models.DateTimeField(_("受理时间"))
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    satisfaction = models.CharField(
        _("群众满意度"), max_length=12, choices=Satisfaction.choices, blank=True
    )
    callback_note = models.TextField(_("回访记录"), blank=True)
    is_adopted = models.BooleanField(_("建议已采纳"), default=False)
    is_published = models.BooleanField(_("已公开"), default=False)
    request_key = models.CharField(max_length=64, null=True, blank=True, unique=True)

    class Meta:
        verbose_name = _("诉求")
        verbose_name_plural = _("诉求")
        ordering = ["-received_at", "-pk"]

    def __str__(self) -> str:
        return self.number

    @property
    def is_anonymous(self) -> bool:
        return not self.phone_masked


class ComplaintNote(models.Model):
    """A reply to the citizen or an internal note; only replies leave the building."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="notes")
    kind = models.CharField(max_length=8, choices=NoteKind.choices)
    author = models.ForeignKey(STAFF, null=True, on_delete=models.SET_NULL, related_name="+")
    text = models.TextField()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.complaint_id}:{self.kind}"
