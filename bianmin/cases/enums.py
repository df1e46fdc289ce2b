"""Case vocabulary: statuses, events, material states, (English values, Chinese labels); error codes are in errors.py."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseStatus(models.TextChoices):
    """The case's lifecycle. Where an accepted case stands in its pipeline is `Case.stage`."""

    PRE_REVIEW = "pre_review", _("预审中")
    AWAITING_SUPPLEMENT = "awaiting_supplement", _("待补正材料")
    ACCEPTED = "accepted", _("已受理")
    CLOSED = "closed", _("已办结")
    TERMINATED = "terminated", _("已终止")


OPEN_STATUSES = (CaseStatus.PRE_REVIEW, CaseStatus.AWAITING_SUPPLEMENT, CaseStatus.ACCEPTED)
FINAL_STATUSES = (CaseStatus.CLOSED, CaseStatus.TERMINATED)


class MaterialState(models.TextChoices):
    PROVIDED = "provided", _("已提供")
    MISSING = "missing", _("缺少")
    DEFECTIVE = "defective", _("不符合要求")
    NOT_CHECKED = "not_checked", _("未核验")


class IdType(models.TextChoices):
    RESIDENT_ID = "resident_id", _("居民身份证")
    TEMPORARY_ID = "temporary_id", _("临时居民身份证")
    RESIDENCE_PERMIT = "residence_permit", _("港澳台居民居住证")


class ConfirmationStage(models.TextChoices):
    """零差错: where the applicant confirmed name, gender, ID type and number."""

    FORM = "form", _("填表")
    WINDOW = "window", _("窗口核对")
    PAYMENT = "payment", _("缴费")


class ConfirmationMethod(models.TextChoices):
    """零差错: how the applicant's data was confirmed at a stage."""

    TYPED = "typed", _("手工录入")
    CARD = "card", _("读取身份证")
    REGISTRY = "registry", _("人口信息检索")
    FACE = "face", _("刷脸核验")


class PickupMethod(models.TextChoices):
    ID_CARD = "id_card", _("查验身份证件")
    FACE = "face", _("刷脸核验")


class InquiryStatus(models.TextChoices):
    OPEN = "open", _("接待中")
    HANDOVER_PENDING = "handover_pending", _("待接手")
    ANSWERED = "answered", _("已答复")
    CONVERTED = "converted", _("已转办件")


class CaseEventType(models.TextChoices):
    CREATED = "created", _("登记申请")
    CONFIRMED = "confirmed", _("申请人确认信息")
    # a refused confirmation (零差错): the applicant's data differed from the registration
    CONFIRMATION_MISMATCH = "confirm_mismatch", _("确认信息不一致")
    PRE_REVIEWED = "pre_reviewed", _("材料预审")
    FACTS_CHANGED = "facts_changed", _("申请人情况变化")
    NOTICE_ISSUED = "notice_issued", _("出具一次性告知单")
    ACCEPTED = "accepted", _("受理")
    ACCEPTED_WITH_GAPS = "accepted_with_gaps", _("容缺受理")
    GAPS_SUPPLIED = "gaps_supplied", _("容缺材料已补齐")
    CLAIMED = "claimed", _("认领")
    RELEASED = "released", _("释放")
    ADVANCED = "advanced", _("流转")
    SENT_BACK = "sent_back", _("退回")
    ARRIVED = "arrived", _("到证登记")
    PICKED_UP = "picked_up", _("领证")
    CLOSED = "closed", _("办结")
    WARNED = "warned", _("临期预警")
    OVERDUE = "overdue", _("超期")
    TERMINATED = "terminated", _("终止")
    CORRECTED = "corrected", _("更正")
