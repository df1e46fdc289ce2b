"""Choices of the appointments context (English values, Chinese labels)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AppointmentStatus(models.TextChoices):
    BOOKED = "booked", _("已预约")
    CHECKED_IN = "checked_in", _("已签到")
    LATE = "late", _("迟到（按普通号）")
    NO_SHOW = "no_show", _("爽约")
    CANCELLED = "cancelled", _("已取消")


class BookingChannel(models.TextChoices):
    PHONE = "phone", _("手机预约")
    KIOSK = "kiosk", _("自助机预约")
    STAFF = "staff", _("电话预约（工作人员代约）")
    API = "api", _("接口")


class CancelReason(models.TextChoices):
    CITIZEN = "citizen", _("本人取消")
    MOVED = "moved", _("改约")
    CLOSURE = "closure", _("中心停办")


class OpeningKind(models.TextChoices):
    HOLIDAY = "holiday", _("节假日预约")
    EVENING = "evening", _("24小时值守（夜间）")


class HomeVisitStatus(models.TextChoices):
    REQUESTED = "requested", _("待审核")
    APPROVED = "approved", _("已通过待排期")
    REFUSED = "refused", _("未通过")
    SCHEDULED = "scheduled", _("已排期")
    DONE = "done", _("已上门受理")
    DELIVERY_DUE = "delivery_due", _("证件已到待送达")
    DELIVERED = "delivered", _("已送证到家")
    CANCELLED = "cancelled", _("已撤销")


class HomeVisitReason(models.TextChoices):
    BEDRIDDEN = "bedridden", _("卧床")
    ELDERLY = "elderly", _("高龄")
    DISABLED = "disabled", _("残疾")
    SERIOUSLY_ILL = "seriously_ill", _("重病")


class RequesterKind(models.TextChoices):
    FAMILY = "family", _("家属")
    COMMUNITY = "community", _("社区")
    NURSING_HOME = "nursing_home", _("敬老院/养老机构")
    RESCUE_STATION = "rescue_station", _("救助站")


class FingerprintStatus(models.TextChoices):
    CAPTURED = "captured", _("已采集")
    EXEMPT = "exempt", _("无法采集（免采）")
    NOT_NEEDED = "not_needed", _("无需采集")


#: Items a home visit may take (居民身份证 first-time, renewal, lost; 户口 items needing a photo).
HOME_VISIT_ITEMS = ("HZ01", "HZ02", "HZ03", "HZ10")
