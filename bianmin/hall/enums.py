"""Hall vocabulary: ticket states, priority classes, issuing channels and event kinds."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class TicketStatus(models.TextChoices):
    WAITING = "waiting", _("等候中")
    CALLED = "called", _("已叫号")
    PARKED = "parked", _("暂挂")
    FINISHED = "finished", _("已办结")
    NO_SHOW = "no_show", _("过号")
    CANCELLED = "cancelled", _("已取消")


# Statuses after which nothing more happens to a ticket.
FINAL_STATUSES = frozenset({TicketStatus.FINISHED, TicketStatus.NO_SHOW, TicketStatus.CANCELLED})


class Priority(models.TextChoices):
    NORMAL = "normal", _("普通")
    APPOINTMENT = "appointment", _("预约")
    ELDERLY = "elderly", _("老年人")
    DISABLED = "disabled", _("残疾人")
    MILITARY = "military", _("军人")


class IssueChannel(models.TextChoices):
    GUIDE = "guide", _("导办台")
    KIOSK = "kiosk", _("自助取号机")
    PHONE = "phone", _("手机取号")
    API = "api", _("接口")


class EventKind(models.TextChoices):
    ISSUE = "issue", _("取号")
    CALL = "call", _("叫号")
    RECALL = "recall", _("重呼")
    REQUEUE = "requeue", _("未到顺延")
    NO_SHOW = "no_show", _("过号")
    TRANSFER = "transfer", _("转移")
    PARK = "park", _("暂挂")
    UNPARK = "unpark", _("取回暂挂")
    FINISH = "finish", _("办结")
    CANCEL = "cancel", _("取消")
    SIGN_IN = "sign_in", _("窗口签到")
    SIGN_OUT = "sign_out", _("窗口签退")
    PAUSE = "pause", _("暂停服务")
    RESUME = "resume", _("恢复服务")
    PRIORITY_CONFIRM = "priority_confirm", _("确认优先")
    PRIORITY_DENY = "priority_deny", _("不予优先")
