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


class HallErrorCode(models.TextChoices):
    CENTER_CLOSED = "center_closed", _("中心未开放")
    UNKNOWN_CENTER = "unknown_center", _("没有这个中心")
    UNKNOWN_WINDOW = "unknown_window", _("没有这个窗口")
    UNKNOWN_ITEM = "unknown_item", _("没有这个事项")
    UNKNOWN_TICKET = "unknown_ticket", _("没有这张号票")
    NOT_SIGNED_IN = "not_signed_in", _("未在此窗口签到")
    WINDOW_TAKEN = "window_taken", _("窗口已有人签到")
    WINDOW_PAUSED = "window_paused", _("窗口暂停中")
    CURRENT_TICKET = "current_ticket", _("当前号未办结")
    NOT_YOUR_TICKET = "not_your_ticket", _("不是您叫的号")
    WRONG_STATUS = "wrong_status", _("号票状态不允许此操作")
    EXPIRED = "expired", _("号票已过期")
    RECALL_LIMIT = "recall_limit", _("已达重呼上限")
    RECALLS_PENDING = "recalls_pending", _("重呼次数未满")
    INVALID_ID_NUMBER = "invalid_id_number", _("身份证号码无效")
    INVALID_PHONE = "invalid_phone", _("手机号码无效")
    THROTTLED = "throttled", _("取号过于频繁")
