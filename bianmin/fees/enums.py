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


class FeeErrorCode(models.TextChoices):
    UNKNOWN_ITEM = "unknown_item", _("未知事项")
    UNKNOWN_VARIANT = "unknown_variant", _("未知收费类型")
    DATE_OUT_OF_RANGE = "date_out_of_range", _("日期超出收费数据范围")
    INVALID_ID_NUMBER = "invalid_id_number", _("身份证号码无效")
    UNKNOWN_GROUP = "unknown_group", _("未知人群类别")
    EVIDENCE_REQUIRED = "evidence_required", _("缺少证明材料")
    INVALID_AMOUNT = "invalid_amount", _("金额无效")
    ALREADY_PAID = "already_paid", _("已收费")
    REFUND_TOO_LARGE = "refund_too_large", _("退费超过实收")
    UNKNOWN_CASE = "unknown_case", _("未知办件")
    INVALID_METHOD = "invalid_method", _("付款方式无效")
