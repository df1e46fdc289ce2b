from django.db import models
from django.utils.translation import gettext_lazy as _


class PaymentMethod(models.TextChoices):
    CASH = "cash", _("现金")
    WECHAT = "wechat", _("微信支付")
    ALIPAY = "alipay", _("支付宝")
    UNIONPAY = "unionpay", _("银联二维码")
    NONE = "none", _("免收（无需付款）")


# The methods an officer may choose when something is payable.
PAYING_METHODS = (
    PaymentMethod.CASH,
    PaymentMethod.WECHAT,
    PaymentMethod.ALIPAY,
    PaymentMethod.UNIONPAY,
)


class FeeKind(models.TextChoices):
    """Which fee of a case a payment settles; a case pays each kind at most once."""

    ITEM = "item", _("工本费")
    TEMPORARY_CARD = "temporary_card", _("临时居民身份证工本费")
    PLATE = "plate", _("号牌费")


class PaymentStage(models.TextChoices):
    ACCEPTANCE = "acceptance", _("受理时收费")
    PICKUP = "pickup", _("领证时收费")
    WALK_IN = "walk_in", _("当场办理")


class Group(models.TextChoices):
    """Applicant groups that waiver policies can name (财综〔2004〕8号 and local campaigns)."""

    LOW_INCOME = "low_income", _("特困群体")
    WUBAO = "wubao", _("五保户")
    POVERTY = "poverty", _("贫困户")
    RELIEF = "relief", _("定期救济户")
    DIBAO = "dibao", _("城市低保")
    YOUFU = "youfu", _("优抚对象")
    STUDENT = "student", _("中小学生")


LOW_INCOME_GROUPS = (
    Group.LOW_INCOME,
    Group.WUBAO,
    Group.POVERTY,
    Group.RELIEF,
    Group.DIBAO,
    Group.YOUFU,
)


class WaiverKind(models.TextChoices):
    FULL = "full", _("全免")
    PERCENT = "percent", _("按比例减免")
    AMOUNT = "amount", _("减免固定金额")


class RefundStatus(models.TextChoices):
    REQUESTED = "requested", _("待审批")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("已驳回")


class PolicyScope(models.TextChoices):
    """Who a waiver policy applies to: one center, or every center of the province."""

    CENTER = "center", _("本中心")
    PROVINCE = "province", _("全省通用")
