"""SMS templates (versioned), messages (one row per recipient), batches and gateway state."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bianmin.core.fields import EncryptedTextField
from bianmin.core.models import TimeStampedModel
from bianmin.notifications.enums import (
    AttemptOutcome,
    BatchKind,
    BatchRowStatus,
    BatchStatus,
    MessageStatus,
    TemplateStatus,
)


class SmsTemplate(TimeStampedModel):
    """One version of a template. Editing an approved version creates a new draft version;
    approving a draft retires the previously approved version of the same code. Only the
    approved version sends, and every message records the version it used."""

    code = models.CharField(_("模板代码"), max_length=40)
    version = models.PositiveIntegerField(_("版本"))
    name = models.CharField(_("模板名称"), max_length=60)
    purpose = models.CharField(_("用途"), max_length=200, blank=True)
    body = models.TextField(_("模板内容"))
    variables = models.JSONField(_("变量"), default=list)
    max_segments = models.PositiveSmallIntegerField(_("允许条数"), default=1)
    aliyun_code = models.CharField(_("阿里云模板编号"), max_length=40, blank=True)
    tencent_id = models.CharField(_("腾讯云模板ID"), max_length=20, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=TemplateStatus.choices, default=TemplateStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("审核时间"), null=True, blank=True)

    class Meta:
        ordering = ["code", "-version"]
        verbose_name = _("短信模板")
        verbose_name_plural = _("短信模板")
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="sms_template_code_version"),
            models.UniqueConstraint(
                fields=["code"], condition=Q(status="approved"), name="sms_template_one_approved"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class Batch(TimeStampedModel):
    """One click for a whole arrival list: rows are matched first, then every message is
    created in one transaction before any is sent (Notify's job + notifications)."""

    center = models.ForeignKey("accounts.Center", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("类型"), max_length=20, choices=BatchKind.choices)
    template_code = models.CharField(_("模板代码"), max_length=40)
    filename = models.CharField(_("文件名"), max_length=200, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=BatchStatus.choices, default=BatchStatus.DRAFT
    )
    rows_total = models.PositiveIntegerField(_("总行数"), default=0)
    rows_matched = models.PositiveIntegerField(_("已匹配"), default=0)
    rows_unmatched = models.PositiveIntegerField(_("未匹配"), default=0)
    messages_total = models.PositiveIntegerField(_("短信数"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("确认发送时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("批量通知")
        verbose_name_plural = _("批量通知")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"


class BatchRow(models.Model):
    """One row of an imported list: what was read (masked), what it matched, and why not."""

    batch = models.ForeignKey(Batch, on_delete=models.CASCADE, related_name="rows")
    row_number = models.PositiveIntegerField(_("行号"))
    value_masked = models.CharField(_("内容"), max_length=40)
    case_id = models.PositiveBigIntegerField(_("办件"), null=True, blank=True)
    case_number = models.CharField(_("办件编号"), max_length=40, blank=True)
    item_name = models.CharField(_("事项"), max_length=60, blank=True)
    phone_masked = models.CharField(_("手机号码"), max_length=11, blank=True)
    status = models.CharField(_("结果"), max_length=10, choices=BatchRowStatus.choices)
    reason = models.CharField(_("原因"), max_length=200, blank=True)
    message = models.ForeignKey(
        "Message", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["batch", "row_number"]
        verbose_name = _("批量通知行")
        verbose_name_plural = _("批量通知行")
        constraints = [
            models.UniqueConstraint(fields=["batch", "row_number"], name="sms_batch_row_number")
        ]

    def __str__(self) -> str:
        return f"{self.batch_id}:{self.row_number}"


class Message(TimeStampedModel):
    """One SMS to one recipient, created before anything is sent.

    queued → sending (conditional claim) → sent (provider accepted) → delivered / failed.
    ``dedupe_key`` is unique: the same notice for the same case can exist only once.
    ``reference`` travels to the provider as OutId / SessionContext so that a status query
    can find the message after a crash or a timeout.
    """

    center = models.ForeignKey("accounts.Center", on_delete=models.PROTECT, related_name="+")
    template = models.ForeignKey(SmsTemplate, on_delete=models.PROTECT, related_name="messages")
    template_code = models.CharField(_("模板"), max_length=40, db_index=True)
    batch = models.ForeignKey(
        Batch, on_delete=models.SET_NULL, null=True, blank=True, related_name="messages"
    )
    row_number = models.PositiveIntegerField(_("行号"), null=True, blank=True)
    case_id = models.PositiveBigIntegerField(_("办件"), null=True, blank=True, db_index=True)
    phone = EncryptedTextField(_("手机号码"))
    phone_index = models.CharField(max_length=64, db_index=True)
    phone_masked = models.CharField(_("手机号码"), max_length=11)
    params = models.JSONField(_("参数"), default=dict)  # secret ones masked (wording.secret)
    text = models.TextField(_("短信内容"))  # as sent, with secret parameters masked
    # The secret parameters (JSON), SM4-encrypted, until the provider has accepted the SMS.
    secret = EncryptedTextField(_("保密参数"), null=True, blank=True)
    characters = models.PositiveSmallIntegerField(_("字数"))
    segments = models.PositiveSmallIntegerField(_("计费条数"))
    dedupe_key = models.CharField(_("去重键"), max_length=200, unique=True)
    reference = models.CharField(_("消息编号"), max_length=40, unique=True)
    is_urgent = models.BooleanField(_("紧急"), default=False)
    status = models.CharField(
        _("状态"), max_length=10, choices=MessageStatus.choices, default=MessageStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("发送次数"), default=0)
    next_attempt_at = models.DateTimeField(_("计划发送时间"))
    claim_token = models.CharField(max_length=32, blank=True)
    claimed_at = models.DateTimeField(_("领取时间"), null=True, blank=True)
    gateway = models.CharField(_("通道"), max_length=20, blank=True)
    provider_id = models.CharField(_("平台流水号"), max_length=64, blank=True, db_index=True)
    sent_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("送达时间"), null=True, blank=True)
    failed_at = models.DateTimeField(_("失败时间"), null=True, blank=True)
    receipt_code = models.CharField(_("回执状态"), max_length=40, blank=True)
    error_code = models.CharField(_("错误代码"), max_length=60, blank=True)
    error_message = models.CharField(_("错误说明"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("短信")
        verbose_name_plural = _("短信")
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="sms_msg_status_due"),
            models.Index(fields=["status", "claimed_at"], name="sms_msg_status_claimed"),
            models.Index(fields=["phone_index", "template_code", "sent_at"], name="sms_msg_cap"),
            models.Index(fields=["batch", "status"], name="sms_msg_batch_status"),
        ]

    def __str__(self) -> str:
        return f"{self.template_code} → {self.phone_masked} ({self.status})"

    @property
    def is_final(self) -> bool:
        return self.status in (MessageStatus.DELIVERED, MessageStatus.FAILED)


class MessageAttempt(models.Model):
    """Each claim, gateway answer and status query of a message, for staff and for audits."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="history")
    at = models.DateTimeField(_("时间"))
    gateway = models.CharField(_("通道"), max_length=20)
    outcome = models.CharField(_("结果"), max_length=12, choices=AttemptOutcome.choices)
    provider_id = models.CharField(_("平台流水号"), max_length=64, blank=True)
    error_code = models.CharField(_("错误代码"), max_length=60, blank=True)
    detail = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        ordering = ["message", "at", "pk"]
        verbose_name = _("发送记录")
        verbose_name_plural = _("发送记录")

    def __str__(self) -> str:
        return f"{self.message_id} {self.outcome}"


class GatewayState(models.Model):
    """Shared per-gateway state for every worker process: the rate limiter's theoretical
    arrival time (GCRA token bucket) and the error window behind failover damping."""

    name = models.CharField(max_length=20, primary_key=True)
    tat = models.FloatField(default=0.0)  # epoch seconds
    consecutive_errors = models.PositiveIntegerField(default=0)
    first_error_at = models.FloatField(null=True, blank=True)
    failover_until = models.FloatField(null=True, blank=True)
    last_switch_at = models.FloatField(null=True, blank=True)

    class Meta:
        verbose_name = _("通道状态")
        verbose_name_plural = _("通道状态")

    def __str__(self) -> str:
        return self.name
