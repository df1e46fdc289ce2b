"""The desk's vocabulary: English values, Chinese labels."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RequestType(models.TextChoices):
    CONSULT = "consult", _("咨询")
    ASSISTED = "assisted", _("帮办")
    ON_BEHALF = "on_behalf", _("代办")


class RequestStatus(models.TextChoices):
    PENDING = "pending", _("待受理")
    IN_PROGRESS = "in_progress", _("处理中")
    AWAITING_INFO = "awaiting_info", _("待补充")
    CLOSED = "closed", _("已办结")
    WITHDRAWN = "withdrawn", _("已撤回")


OPEN_STATUSES = frozenset(
    {RequestStatus.PENDING, RequestStatus.IN_PROGRESS, RequestStatus.AWAITING_INFO}
)


class LifeEvent(models.TextChoices):
    MARRIAGE = "marriage", _("结婚")
    BIRTH = "birth", _("生育")
    SCHOOL = "school", _("入学")
    RETIREMENT = "retirement", _("退休")
    HOME_PURCHASE = "home_purchase", _("购房")
    MEDICAL = "medical", _("就医")


class Relation(models.TextChoices):
    SPOUSE = "spouse", _("配偶")
    CHILD = "child", _("子女")
    PARENT = "parent", _("父母")
    PARENT_IN_LAW = "parent_in_law", _("配偶父母")
    OTHER = "other", _("其他近亲属")


class ContactPreference(models.TextChoices):
    PHONE = "phone", _("电话")
    SMS = "sms", _("短信")
    WECHAT = "wechat", _("警务微信群")


class MessageKind(models.TextChoices):
    REPLY = "reply", _("答复")
    NOTE = "note", _("内部备注")


class CustodyAction(models.TextChoices):
    RECEIVED = "received", _("服务台接收")
    HANDED_TO_UNIT = "handed_to_unit", _("交办理单位")
    RETURNED_FROM_UNIT = "returned_from_unit", _("单位退回")
    RETURNED_TO_REQUESTER = "returned_to_requester", _("交还申请人")
