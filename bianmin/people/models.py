from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from bianmin.core import clock
from bianmin.core.fields import EncryptedBinaryField, EncryptedTextField
from bianmin.core.models import TimeStampedModel
from bianmin.people.enums import Gender, ImportStatus
from bianmin.people.idnumber import age_on


class Person(TimeStampedModel):
    """A resident in the province's registry (ADR 0007). ID number, phone, address and photo are
    SM4-encrypted at rest; lookups go through keyed SM3 blind indexes; lists show only the
    stored masks. No clear column may let the masked digits be rebuilt (no birth date)."""

    center = models.ForeignKey(
        "accounts.Center",
        verbose_name=_("登记中心"),
        on_delete=models.PROTECT,
        related_name="people",
    )
    name = models.CharField(_("姓名"), max_length=50)
    gender = models.CharField(_("性别"), max_length=6, choices=Gender.choices)
    id_number = EncryptedTextField(_("公民身份号码"))
    id_number_index = models.CharField(max_length=64, unique=True)
    id_number_masked = models.CharField(_("公民身份号码"), max_length=18)
    region_code = models.CharField(_("地址码"), max_length=6)
    phone = EncryptedTextField(_("手机号码"), null=True, blank=True)
    phone_index = models.CharField(max_length=64, blank=True, db_index=True)
    phone_masked = models.CharField(_("手机号码"), max_length=11, blank=True)
    address = EncryptedTextField(_("住址"), null=True, blank=True)
    photo = EncryptedBinaryField(_("登记照片"), null=True, blank=True, editable=False)
    photo_sha256 = models.CharField(max_length=64, blank=True)
    photo_updated_at = models.DateTimeField(_("照片更新时间"), null=True, blank=True)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("人口信息")
        verbose_name_plural = _("人口信息")

    def __str__(self) -> str:
        return f"{self.name}（{self.id_number_masked}）"

    @property
    def has_photo(self) -> bool:
        return bool(self.photo_sha256)

    @property
    def age(self) -> int | None:
        """Whole years today (the center's day). The birth date itself is never stored or shown
        in clear: its 8 digits are exactly the ones the ID mask hides."""
        try:
            return age_on(self.id_number or "", clock.today())
        except ValueError:
            return None


class PersonImport(TimeStampedModel):
    """One uploaded Excel file of persons: all rows or none, with per-row errors."""

    center = models.ForeignKey("accounts.Center", on_delete=models.PROTECT, related_name="+")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    filename = models.CharField(_("文件名"), max_length=200)
    content = EncryptedBinaryField(null=True)  # the file itself holds personal data
    status = models.CharField(
        _("状态"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.PENDING
    )
    rows_total = models.PositiveIntegerField(_("总行数"), default=0)
    rows_done = models.PositiveIntegerField(_("已处理"), default=0)
    created_count = models.PositiveIntegerField(_("新增"), default=0)
    updated_count = models.PositiveIntegerField(_("更新"), default=0)
    errors = models.JSONField(_("错误"), default=list)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("人口信息导入")
        verbose_name_plural = _("人口信息导入")

    def __str__(self) -> str:
        return self.filename

    @property
    def percent(self) -> int:
        return int(100 * self.rows_done / self.rows_total) if self.rows_total else 0
