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


class FaceErrorCode(models.TextChoices):
    INVALID_ID_NUMBER = "invalid_id_number", _("身份证号码无效")
    PERSON_NOT_FOUND = "person_not_found", _("登记库中没有此人")
    NO_REGISTRY_PHOTO = "no_registry_photo", _("没有登记照片")
    REGISTRY_PHOTO_UNUSABLE = "registry_photo_unusable", _("登记照片无法用于比对")
    INVALID_PURPOSE = "invalid_purpose", _("用途不明")
    GUARDIAN_REQUIRED = "guardian_consent_required", _("须监护人同意")
    INVALID_GUARDIAN = "invalid_guardian", _("监护人信息有误")
    CONSENT_MISSING = "consent_missing", _("未登记同意")
    CONSENT_EXPIRED = "consent_expired", _("同意已过期")
    CONSENT_USED = "consent_used", _("同意已使用")
    CONSENT_MISMATCH = "consent_mismatch", _("同意与核验对象不符")
    NO_FRAMES = "no_frames", _("没有画面")
    TOO_MANY_FRAMES = "too_many_frames", _("画面过多")
    CHECK_NOT_FOUND = "face_check_not_found", _("没有找到核验记录")
    ALREADY_DECIDED = "already_decided", _("已作出认定")
    REASON_REQUIRED = "reason_required", _("须说明理由")
    CASE_NOT_FOUND = "case_not_found", _("没有找到办件")
