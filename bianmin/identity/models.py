"""刷脸办 records: the citizen's separate consent, the registry-photo template, each 1:1 check,
and (only when a case needs them) the encrypted frames of a check.

Live frames are never stored by default; a check keeps the score, the decision and a SHA-256
of the frames. Templates and kept frames are SM4-encrypted (`EncryptedBinaryField`).
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from bianmin.core.fields import EncryptedBinaryField, EncryptedTextField
from bianmin.core.models import TimeStampedModel
from bianmin.identity.enums import Decision, EnrollmentStatus, Liveness, OfficerDecision


class FaceConsent(TimeStampedModel):
    """单独同意: one consent for one face check of one person, for one stated purpose.

    Under-14s: the guardian's name and ID number (encrypted) are recorded. A consent expires
    after a short time and is used by at most one check (`FaceCheck.consent` is one-to-one).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    center = models.ForeignKey(
        "accounts.Center", verbose_name=_("中心"), on_delete=models.PROTECT, related_name="+"
    )
    person = models.ForeignKey(
        "people.Person", verbose_name=_("核验对象"), on_delete=models.PROTECT, related_name="+"
    )
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("经办人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    purpose = models.CharField(_("用途"), max_length=100)
    is_minor = models.BooleanField(_("未满十四周岁"), default=False)
    guardian_name = EncryptedTextField(_("监护人姓名"), null=True, blank=True)
    guardian_id_number = EncryptedTextField(_("监护人身份证号码"), null=True, blank=True)
    guardian_id_number_masked = models.CharField(_("监护人身份证号码"), max_length=18, blank=True)
    expires_at = models.DateTimeField(_("有效期至"))
    used_at = models.DateTimeField(_("使用时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("人脸核验同意")
        verbose_name_plural = _("人脸核验同意")

    def __str__(self) -> str:
        return f"{self.person_id} {self.purpose}"


class FaceEnrollment(TimeStampedModel):
    """The template of a person's current registry photo (one row per person).

    A photo without exactly one usable face is recorded as `failed` with a Chinese reason,
    so that the person's page and the check page can say why face verification is unavailable.
    """

    person = models.OneToOneField(
        "people.Person",
        verbose_name=_("人员"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    status = models.CharField(_("状态"), max_length=10, choices=EnrollmentStatus.choices)
    template = EncryptedBinaryField(_("人脸模板"), null=True, blank=True, editable=False)
    model_name = models.CharField(_("算法"), max_length=40)
    model_version = models.CharField(_("算法版本"), max_length=60)
    photo_sha256 = models.CharField(_("照片摘要"), max_length=64)
    reason_code = models.CharField(_("原因代码"), max_length=40, blank=True)
    reason = models.CharField(_("原因"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("人脸模板")
        verbose_name_plural = _("人脸模板")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="enrolled") | models.Q(template__isnull=False),
                name="face_enrollment_enrolled_has_template",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.status} {self.model_version}"


class FaceCheck(TimeStampedModel):
    """One 1:1 verification of live frames against the registry template, and the officer's
    conclusion. No image is stored here: only the score, the decision and a frames hash."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    center = models.ForeignKey(
        "accounts.Center", verbose_name=_("中心"), on_delete=models.PROTECT, related_name="+"
    )
    person = models.ForeignKey(
        "people.Person", verbose_name=_("核验对象"), on_delete=models.PROTECT, related_name="+"
    )
    consent = models.OneToOneField(
        FaceConsent, verbose_name=_("同意"), on_delete=models.PROTECT, related_name="face_check"
    )
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("经办人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    score = models.FloatField(_("相似度"))
    threshold = models.FloatField(_("通过阈值"))
    reject_threshold = models.FloatField(_("不通过阈值"))
    decision = models.CharField(_("比对结论"), max_length=10, choices=Decision.choices)
    liveness = models.CharField(_("活体检测"), max_length=12, choices=Liveness.choices)
    liveness_challenge = models.CharField(_("活体动作"), max_length=10, blank=True)
    liveness_code = models.CharField(_("活体结果代码"), max_length=40, blank=True)
    model_name = models.CharField(_("算法"), max_length=40)
    model_version = models.CharField(_("算法版本"), max_length=60)
    frame_count = models.PositiveSmallIntegerField(_("画面数"))
    frames_sha256 = models.CharField(_("画面摘要"), max_length=64)
    case_number = models.CharField(_("留存所属办件"), max_length=40, blank=True)
    officer_decision = models.CharField(
        _("人工认定"), max_length=10, choices=OfficerDecision.choices, blank=True
    )
    officer_reason = models.CharField(_("认定理由"), max_length=300, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("认定人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("认定时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("人脸核验")
        verbose_name_plural = _("人脸核验")

    def __str__(self) -> str:
        return f"{self.pk} {self.decision}"

    @property
    def is_override(self) -> bool:
        """The officer concluded against the engine (an uncertain result accepted counts)."""
        if self.officer_decision == OfficerDecision.ACCEPTED:
            return self.decision != Decision.MATCH
        if self.officer_decision == OfficerDecision.REJECTED:
            return self.decision == Decision.MATCH
        return False


class FaceFrame(TimeStampedModel):
    """A live frame kept because a case needs it (`keep_for_case`); deleted when the case
    closes (see `services.face_frames_purge`)."""

    face_check = models.ForeignKey(
        FaceCheck, verbose_name=_("核验"), on_delete=models.CASCADE, related_name="frames"
    )
    center = models.ForeignKey(
        "accounts.Center", verbose_name=_("中心"), on_delete=models.PROTECT, related_name="+"
    )
    case_number = models.CharField(_("办件编号"), max_length=40, db_index=True)
    seq = models.PositiveSmallIntegerField(_("序号"))
    image = EncryptedBinaryField(_("画面"), editable=False)
    sha256 = models.CharField(_("摘要"), max_length=64)

    class Meta:
        ordering = ["face_check", "seq"]
        verbose_name = _("留存画面")
        verbose_name_plural = _("留存画面")
        constraints = [
            models.UniqueConstraint(
                fields=["face_check", "seq"], name="face_frame_check_seq_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_number} #{self.seq}"
