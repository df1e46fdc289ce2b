from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from bianmin.core.fields import EncryptedTextField
from bianmin.core.models import TimeStampedModel
from bianmin.core.permissions import TWO_FACTOR_ROLES, Role


class Center(TimeStampedModel):
    """One service hall. A province runs many on one installation; every record belongs to one."""

    code = models.CharField(_("中心代码"), max_length=16, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    phone = models.CharField(_("咨询电话"), max_length=30, blank=True)
    sms_signature = models.CharField(_("短信签名"), max_length=8, blank=True)
    opens_at = models.TimeField(_("开门时间"), default="08:30")
    closes_at = models.TimeField(_("关门时间"), default="17:30")
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("便民服务中心")
        verbose_name_plural = _("便民服务中心")

    def __str__(self) -> str:
        return self.name


class Staff(AbstractUser):
    """A staff account. Citizens never log in; they use the public pages."""

    full_name = models.CharField(_("姓名"), max_length=50)
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices)
    center = models.ForeignKey(
        Center,
        verbose_name=_("所属中心"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
    )
    badge_number = models.CharField(_("警号"), max_length=20, blank=True)
    is_all_round = models.BooleanField(_("全科"), default=False)
    totp_secret = EncryptedTextField(_("动态口令密钥"), null=True, blank=True)
    totp_confirmed_at = models.DateTimeField(_("动态口令绑定时间"), null=True, blank=True)
    failed_logins = models.PositiveSmallIntegerField(_("连续登录失败次数"), default=0)
    locked_until = models.DateTimeField(_("锁定至"), null=True, blank=True)

    REQUIRED_FIELDS = ["full_name", "role"]

    class Meta:
        ordering = ["username"]
        verbose_name = _("工作人员")
        verbose_name_plural = _("工作人员")

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def needs_two_factor(self) -> bool:
        return self.role in TWO_FACTOR_ROLES

    @property
    def role_label(self) -> str:
        return str(Role(self.role).label) if self.role else ""


class Authorization(TimeStampedModel):
    """交叉授权: an officer may serve an item at any window."""

    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("民警"),
        on_delete=models.CASCADE,
        related_name="authorizations",
    )
    item = models.ForeignKey(
        "catalogue.ServiceItem",
        verbose_name=_("事项"),
        on_delete=models.CASCADE,
        related_name="authorizations",
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("授权人"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
    )

    class Meta:
        verbose_name = _("交叉授权")
        verbose_name_plural = _("交叉授权")
        constraints = [
            models.UniqueConstraint(fields=["staff", "item"], name="authorization_unique")
        ]

    def __str__(self) -> str:
        return f"{self.staff} → {self.item}"


class ApiToken(TimeStampedModel):
    """A bearer token for the API. Only its SM3 hash is stored."""

    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    key_hash = models.CharField(max_length=64, unique=True)
    label = models.CharField(_("用途"), max_length=100, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")

    def __str__(self) -> str:
        return f"{self.staff} {self.label}"
