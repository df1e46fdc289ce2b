"""The vocabulary of ratings and complaints: English values, Chinese labels."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.IntegerChoices):
    """好差评's five levels (GB/T 39734-2020); 1 and 2 are the bad ones (差评)."""

    VERY_DISSATISFIED = 1, _("非常不满意")
    DISSATISFIED = 2, _("不满意")
    BASIC = 3, _("基本满意")
    SATISFIED = 4, _("满意")
    VERY_SATISFIED = 5, _("非常满意")


BAD_LEVELS = frozenset({1, 2})
SATISFIED_LEVELS = frozenset({4, 5})


class Reason(models.TextChoices):
    """Why a bad rating: the citizen picks from these."""

    ATTITUDE = "attitude", _("态度")
    EFFICIENCY = "efficiency", _("效率")
    UNCLEAR_MATERIALS = "unclear_materials", _("材料要求不清")
    REPEATED_TRIPS = "repeated_trips", _("多次跑腿")
    ENVIRONMENT = "environment", _("环境")
    OTHER = "other", _("其他")


class EventKind(models.TextChoices):
    """What was done: one rating per service event."""

    TICKET = "ticket", _("窗口服务")
    CASE_ACCEPTED = "case_accepted", _("办件受理")
    CASE_PICKED_UP = "case_picked_up", _("领证")
    HOME_VISIT = "home_visit", _("上门服务")
    DESK_REQUEST = "desk_request", _("惠民暖警服务台")


class Channel(models.TextChoices):
    """Where the rating was given."""

    PAD = "pad", _("窗口评价器")
    SMS = "sms", _("短信链接")
    KIOSK = "kiosk", _("自助终端")
    POSITION = "position", _("排队页面")
    CALLBACK = "callback", _("电话回访（工作人员录入）")


class RectificationStatus(models.TextChoices):
    OPEN = "open", _("待回访")
    CALLED_BACK = "called_back", _("整改中")
    RESOLVED = "resolved", _("已整改待确认")
    CONTESTED = "contested", _("群众申请复核")
    CLOSED = "closed", _("已办结")
    REVOKED = "revoked", _("申诉成立已撤销")


OPEN_RECTIFICATION = frozenset(
    {
        RectificationStatus.OPEN,
        RectificationStatus.CALLED_BACK,
        RectificationStatus.RESOLVED,
        RectificationStatus.CONTESTED,
    }
)


class AppealStatus(models.TextChoices):
    PENDING = "pending", _("待主任裁定")
    UPHELD = "upheld", _("申诉成立")
    REJECTED = "rejected", _("申诉不成立")


class ComplaintChannel(models.TextChoices):
    PHONE_PAGE = "phone_page", _("手机页面")
    KIOSK = "kiosk", _("自助终端")
    BOX = "box", _("意见箱（工作人员录入）")
    HOTLINE = "hotline", _("12345热线转办")


class ComplaintCategory(models.TextChoices):
    SERVICE = "service", _("服务态度")
    EFFICIENCY = "efficiency", _("办事效率")
    ENVIRONMENT = "environment", _("环境设施")
    SUGGESTION = "suggestion", _("意见建议")
    OTHER = "other", _("其他")


class ComplaintStatus(models.TextChoices):
    RECEIVED = "received", _("已登记")
    ASSIGNED = "assigned", _("办理中")
    ANSWERED = "answered", _("已答复")
    CLOSED = "closed", _("已办结")


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    BASIC = "basic", _("基本满意")
    DISSATISFIED = "dissatisfied", _("不满意")


class NoteKind(models.TextChoices):
    NOTE = "note", _("内部备注")
    REPLY = "reply", _("答复群众")
