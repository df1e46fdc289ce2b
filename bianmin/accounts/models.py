from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from bianmin.core.models import TimeStampedModel
from bianmin.core.permissions import TWO_FACTOR_ROLES, Role


class Center(TimeStampedModel):
    """One service hall. A province runs many on one installation; every record belongs to one."""

    code = models.CharField(_("中心代码"), max_length=16, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    phone = models.CharField(_("咨询电话"), max_length=30, blank=True)
    sms_signature = models.CharField(_("短信签名"), max_length=8, blank=True)
    # The plain day, used until the director sets the week (`CenterWeekday`); read a day's hours
    # through `selectors.center_hours`, never from these two fields.
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
    # Set by an administrator (or IT) to stop an account for a while: sign-in and its API
    # tokens stop at once. Password guessing never sets it (django-axes slows the client).
    locked_until = models.DateTimeField(_("锁定至"), null=True, blank=True)
    # Province scope: an administrator with this flag manages every center's staff. Everyone
    # else sees and changes only their own center (docs/adr/0006-tenancy.md).
    province_wide = models.BooleanField(_("全省范围"), default=False)

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
    def is_province_wide(self) -> bool:
        return self.province_wide and self.role == Role.ADMINISTRATOR

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
    # The role and center the token was issued for: a change of either ends the token.
    role = models.CharField(_("签发时角色"), max_length=20, choices=Role.choices)
    center = models.ForeignKey(
        Center, verbose_name=_("签发时中心"), on_delete=models.CASCADE, null=True, related_name="+"
    )
    expires_at = models.DateTimeField(_("有效期至"))
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")

    def __str__(self) -> str:
        return f"{self.staff} {self.label}"


WEEKDAY_LABELS = ["星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日"]


class HoursFields(models.Model):
    """Open or closed; when open, the service hours and an optional lunch break."""

    is_open = models.BooleanField(_("对外服务"), default=True)
    opens_at = models.TimeField(_("上班时间"), null=True, blank=True)
    closes_at = models.TimeField(_("下班时间"), null=True, blank=True)
    lunch_from = models.TimeField(_("午休开始"), null=True, blank=True)
    lunch_to = models.TimeField(_("午休结束"), null=True, blank=True)

    class Meta:
        abstract = True


class CenterWeekday(HoursFields):
    """A center's ordinary hours on one weekday (0 = Monday). Statutory holidays stay closed."""

    center = models.ForeignKey(
        Center, verbose_name=_("中心"), on_delete=models.CASCADE, related_name="weekdays"
    )
    weekday = models.PositiveSmallIntegerField(_("星期"))

    class Meta:
        ordering = ["center", "weekday"]
        verbose_name = _("每周服务时间")
        verbose_name_plural = _("每周服务时间")
        constraints = [
            models.UniqueConstraint(fields=["center", "weekday"], name="center_weekday_unique")
        ]

    def __str__(self) -> str:
        return f"{self.center} {WEEKDAY_LABELS[self.weekday]}"


class CenterDayHours(HoursFields):
    """One date that differs from the week: a holiday opening, a closure, shorter hours."""

    center = models.ForeignKey(
        Center, verbose_name=_("中心"), on_delete=models.CASCADE, related_name="day_hours"
    )
    day = models.DateField(_("日期"))
    note = models.CharField(_("说明"), max_length=100, blank=True)

    class Meta:
        ordering = ["center", "day"]
        verbose_name = _("特定日期服务时间")
        verbose_name_plural = _("特定日期服务时间")
        constraints = [
            models.UniqueConstraint(fields=["center", "day"], name="center_day_hours_unique")
        ]

    def __str__(self) -> str:
        return f"{self.center} {self.day}"
