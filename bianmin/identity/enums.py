"""Choices of the identity (刷脸办) context: English values, Chinese labels."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class EnrollmentStatus(models.TextChoices):
    ENROLLED = "enrolled", _("已登记")
    FAILED = "failed", _("无法登记")


class Decision(models.TextChoices):
    """The engine's decision on the score (accept / reject thresholds)."""

    MATCH = "match", _("一致")
    NO_MATCH = "no_match", _("不一致")
    UNCERTAIN = "uncertain", _("无法确定")


class Liveness(models.TextChoices):
    PASSED = "passed", _("通过")
    FAILED = "failed", _("未通过")
    NOT_CHECKED = "not_checked", _("未检测")


class OfficerDecision(models.TextChoices):
    """What the officer concluded; going against the engine's decision needs a reason."""

    ACCEPTED = "accepted", _("确认本人")
    REJECTED = "rejected", _("不予认定（改用其他方式）")
