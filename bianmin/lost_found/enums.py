"""Choices of the lost-and-found context (English values, Chinese labels)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class FoundCategory(models.TextChoices):
    DOCUMENT = "document", _("证件")
    WALLET = "wallet", _("钱包/现金")
    ELECTRONICS = "electronics", _("手机/电子产品")
    KEYS = "keys", _("钥匙")
    BAG = "bag", _("包袋")
    CLOTHING = "clothing", _("衣物")
    OTHER = "other", _("其他")


class DocumentType(models.TextChoices):
    ID_CARD = "id_card", _("身份证")
    DRIVING_LICENCE = "driving_licence", _("驾驶证")
    HOUSEHOLD_REGISTER = "household_register", _("户口簿")
    PASSPORT = "passport", _("护照")
    SOCIAL_SECURITY_CARD = "social_security_card", _("社保卡")


class FoundItemStatus(models.TextChoices):
    REGISTERED = "registered", _("待入库")
    STORED = "stored", _("已入库")
    PUBLISHED = "published", _("招领中")
    RETURNED = "returned", _("已认领")
    DISPOSAL_REQUESTED = "disposal_requested", _("待审批处置")
    DISPOSED = "disposed", _("已处置")


class LostReportStatus(models.TextChoices):
    OPEN = "open", _("寻找中")
    MATCHED = "matched", _("已找到可能的物品")
    CLOSED = "closed", _("已结束")


class MatchStatus(models.TextChoices):
    CANDIDATE = "candidate", _("待核实")
    CONFIRMED = "confirmed", _("已确认")
    REJECTED = "rejected", _("已排除")


class IdentityMethod(models.TextChoices):
    ID_CARD = "id_card", _("查验身份证")
    FACE = "face", _("刷脸核验")


class DisposalMethod(models.TextChoices):
    TREASURY = "treasury", _("上缴国库")
    TRANSFER = "transfer", _("移交")
    AUCTION = "auction", _("拍卖")
    DESTROY = "destroy", _("销毁")


class DisposalStatus(models.TextChoices):
    REQUESTED = "requested", _("待审批")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("已驳回")
