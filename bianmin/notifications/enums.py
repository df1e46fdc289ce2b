"""Statuses and error codes of the SMS platform (English values, Chinese labels)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class TemplateStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    APPROVED = "approved", _("已审核")
    RETIRED = "retired", _("已停用")


class MessageStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    SENDING = "sending", _("发送中")
    SENT = "sent", _("已提交")
    DELIVERED = "delivered", _("已送达")
    FAILED = "failed", _("发送失败")


class BatchKind(models.TextChoices):
    ARRIVAL_LIST = "arrival_list", _("到证清单")
    PLATES = "plates", _("号牌到货")


class BatchStatus(models.TextChoices):
    DRAFT = "draft", _("待确认")
    SENDING = "sending", _("发送中")
    DONE = "done", _("已完成")
    CANCELLED = "cancelled", _("已取消")


class BatchRowStatus(models.TextChoices):
    MATCHED = "matched", _("已匹配")
    UNMATCHED = "unmatched", _("未匹配")
    DUPLICATE = "duplicate", _("重复行")


class AttemptOutcome(models.TextChoices):
    ACCEPTED = "accepted", _("平台已受理")
    REJECTED = "rejected", _("平台拒绝")
    RETRY = "retry", _("稍后重试")
    AMBIGUOUS = "ambiguous", _("结果未知")
    QUERIED = "queried", _("查询结果")
