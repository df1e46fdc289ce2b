"""Bookings, the director's booking rules, extra openings with their duty roster, closures,
home-visit requests, mobile teams, routes and deliveries.

Personal data (names, ID numbers, phones, home addresses, health reasons) is SM4-encrypted with
a blind index for look-ups; screens show masks only (`core.masking`, `people.idnumber`).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bianmin.appointments.enums import (
    AppointmentStatus,
    BookingChannel,
    CancelReason,
    FingerprintStatus,
    HomeVisitReason,
    HomeVisitStatus,
    OpeningKind,
    RequesterKind,
)
from bianmin.core.fields import EncryptedTextField
from bianmin.core.models import TimeStampedModel

ACTIVE_STATUSES = (AppointmentStatus.BOOKED, AppointmentStatus.CHECKED_IN)


class BookingRules(TimeStampedModel):
    """The director's booking rules for one center (defaults when no row exists)."""

    center = models.OneToOneField("accounts.Center", on_delete=models.PROTECT, related_name="+")
    slot_minutes = models.PositiveSmallIntegerField(_("时段长度（分钟）"), default=30)
    windows = models.PositiveSmallIntegerField(_("预约窗口数"), default=2)
    min_notice_minutes = models.PositiveIntegerField(_("最短提前（分钟）"), default=60)
    max_days_ahead = models.PositiveSmallIntegerField(_("最多提前天数"), default=14)
    daily_cap_per_person = models.PositiveSmallIntegerField(_("每人每日预约上限"), default=2)
    check_in_before_minutes = models.PositiveSmallIntegerField(
        _("最早提前签到（分钟）"), default=15
    )
    check_in_after_minutes = models.PositiveSmallIntegerField(_("最晚迟到签到（分钟）"), default=10)
    no_show_limit = models.PositiveSmallIntegerField(_("爽约次数上限"), default=3)
    no_show_window_days = models.PositiveSmallIntegerField(_("爽约统计天数"), default=90)
    block_days = models.PositiveSmallIntegerField(_("限制网上预约天数"), default=30)
    home_county = models.CharField(_("本县（区）名称"), max_length=30, default="潼关县")
    towns = models.JSONField(
        _("乡镇及位置"),
        default=list,
        blank=True,
        help_text=_('[{"name": "城关街道", "x": 0, "y": 0}, …]，坐标单位为公里，中心为原点。'),
    )
    visit_capacity_per_day = models.PositiveSmallIntegerField(_("每队每日上门户数"), default=5)

    class Meta:
        verbose_name = _("预约规则")
        verbose_name_plural = _("预约规则")

    def __str__(self) -> str:
        return str(self.center)


class CapacityOverride(TimeStampedModel):
    """The director's own capacity per slot for one item group (window group: the catalogue
    category, e.g. 户籍), instead of the computed one."""

    center = models.ForeignKey("accounts.Center", on_delete=models.PROTECT, related_name="+")
    group = models.CharField(_("业务类别（窗口组）"), max_length=20)
    capacity = models.PositiveSmallIntegerField(_("每时段名额"))

    class Meta:
        verbose_name = _("名额设定")
        verbose_name_plural = _("名额设定")
        constraints = [
            models.UniqueConstraint(fields=["center", "group"], name="appointment_capacity_unique")
        ]

    def __str__(self) -> str:
        return f"{self.group}: {self.capacity}"


class ExtraOpening(TimeStampedModel):
    """节假日预约 / 24小时值守: hours the director opens for bookings outside the normal ones."""

    center = models.ForeignKey("accounts.Center", on_delete=models.PROTECT, related_name="+")
    day = models.DateField(_("日期"), db_index=True)
    starts_at = models.TimeField(_("开始"))
    ends_at = models.TimeField(_("结束"))
    kind = models.CharField(_("类型"), max_length=10, choices=OpeningKind.choices)
    windows = models.PositiveSmallIntegerField(_("开放窗口数"), default=1)
    note = models.CharField(_("说明"), max_length=100, blank=True)
    # An evening opening on a working day extends the hall's day hours to its end; the hours
    # between the normal close and the opening's start stay closed for bookings.
    gap_from = models.TimeField(null=True, blank=True)
    gap_to = models.TimeField(null=True, blank=True)
    duty_officers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("值班民警"), related_name="+", blank=True
    )

    class Meta:
        ordering = ["day", "starts_at"]
        verbose_name = _("预约值守时段")
        verbose_name_plural = _("预约值守时段")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="opening_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.starts_at:%H:%M}-{self.ends_at:%H:%M}"


class Closure(TimeStampedModel):
    """The director closes a day, or some hours, for all items or one category (window group)."""

    center = models.ForeignKey("accounts.Center", on_delete=models.PROTECT, related_name="+")
    day = models.DateField(_("日期"), db_index=True)
    starts_at = models.TimeField(_("开始"), null=True, blank=True)
    ends_at = models.TimeField(_("结束"), null=True, blank=True)
    category = models.CharField(_("窗口组（业务类别）"), max_length=20, blank=True)
    reason = models.CharField(_("原因"), max_length=100)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    cancelled_count = models.PositiveIntegerField(_("取消预约数"), default=0)

    class Meta:
        ordering = ["-day"]
        verbose_name = _("停办")
        verbose_name_plural = _("停办")

    def __str__(self) -> str:
        return f"{self.day} {self.reason}"


class Appointment(TimeStampedModel):
    """预约: one person, one item, one slot. The items of one group (the catalogue category,
    served by the same windows) share the slot's places; `seat` numbers them, and the unique
    constraint over active seats is what makes the last place go to exactly one booking."""

    center = models.ForeignKey("accounts.Center", on_delete=models.PROTECT, related_name="+")
    code = models.CharField(_("预约码"), max_length=12, unique=True)
    item = models.ForeignKey("catalogue.ServiceItem", on_delete=models.PROTECT, related_name="+")
    group = models.CharField(_("业务类别（窗口组）"), max_length=20)
    day = models.DateField(_("预约日期"), db_index=True)
    starts_at = models.TimeField(_("开始时间"))
    ends_at = models.TimeField(_("结束时间"))
    seat = models.PositiveSmallIntegerField(_("名额序号"))
    status = models.CharField(
        _("状态"),
        max_length=12,
        choices=AppointmentStatus.choices,
        default=AppointmentStatus.BOOKED,
        db_index=True,
    )
    channel = models.CharField(_("渠道"), max_length=8, choices=BookingChannel.choices)
    name = EncryptedTextField(_("姓名"))
    name_masked = models.CharField(_("姓名（脱敏）"), max_length=20)
    id_number = EncryptedTextField(_("身份证号码"))
    id_index = models.CharField(max_length=64, db_index=True)
    id_masked = models.CharField(_("身份证号码（脱敏）"), max_length=20)
    phone = EncryptedTextField(_("手机号码"))
    phone_index = models.CharField(max_length=64, db_index=True)
    phone_masked = models.CharField(_("手机号码（脱敏）"), max_length=16)
    facts = models.JSONField(_("材料条件"), default=dict, blank=True)
    request_key = models.CharField(max_length=64, null=True, blank=True)
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    checked_in_at = models.DateTimeField(_("签到时间"), null=True, blank=True)
    ticket_id = models.CharField(_("号票"), max_length=24, blank=True)
    ticket_number = models.CharField(_("排队号"), max_length=8, blank=True)
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)
    cancel_reason = models.CharField(
        _("取消原因"), max_length=10, choices=CancelReason.choices, blank=True
    )
    closure = models.ForeignKey(
        Closure, null=True, blank=True, on_delete=models.PROTECT, related_name="appointments"
    )
    offered_day = models.DateField(_("建议改约日期"), null=True, blank=True)
    offered_start = models.TimeField(_("建议改约时间"), null=True, blank=True)
    moved_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="moved_from"
    )
    no_show_at = models.DateTimeField(_("记为爽约时间"), null=True, blank=True)

    class Meta:
        ordering = ["day", "starts_at", "pk"]
        verbose_name = _("预约")
        verbose_name_plural = _("预约")
        constraints = [
            models.UniqueConstraint(
                fields=["center", "group", "day", "starts_at", "seat"],
                condition=Q(status__in=["booked", "checked_in"]),
                name="appointment_seat_unique",
            ),
            models.UniqueConstraint(
                fields=["center", "item", "day", "id_index"],
                condition=Q(status__in=["booked", "checked_in"]),
                name="appointment_one_per_person_item_day",
            ),
            models.UniqueConstraint(
                fields=["center", "request_key"],
                condition=Q(request_key__isnull=False),
                name="appointment_request_key_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.code


class MobileTeam(TimeStampedModel):
    """流动服务队: two officers, a vehicle and a kit, on the days they are available."""

    center = models.ForeignKey("accounts.Center", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("队名"), max_length=40)
    officers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("队员"), related_name="mobile_teams"
    )
    vehicle = models.CharField(_("车辆"), max_length=30)
    kit = models.JSONField(_("设备"), default=list, blank=True)
    weekdays = models.JSONField(_("可出勤（星期，0=周一）"), default=list, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["center", "name"]
        verbose_name = _("流动服务队")
        verbose_name_plural = _("流动服务队")

    def __str__(self) -> str:
        return self.name


class HomeVisit(TimeStampedModel):
    """出诊式服务: one person visited at home, from request to the certificate delivered."""

    center = models.ForeignKey("accounts.Center", on_delete=models.PROTECT, related_name="+")
    number = models.CharField(_("编号"), max_length=24, unique=True)
    status = models.CharField(
        _("状态"),
        max_length=14,
        choices=HomeVisitStatus.choices,
        default=HomeVisitStatus.REQUESTED,
        db_index=True,
    )
    name = EncryptedTextField(_("姓名"))
    name_masked = models.CharField(_("姓名（脱敏）"), max_length=20)
    id_number = EncryptedTextField(_("身份证号码"))
    id_index = models.CharField(max_length=64, db_index=True)
    id_masked = models.CharField(_("身份证号码（脱敏）"), max_length=20)
    phone = EncryptedTextField(_("手机号码"))
    phone_masked = models.CharField(_("手机号码（脱敏）"), max_length=16)
    gender = models.CharField(_("性别"), max_length=1, blank=True)
    town = models.CharField(_("镇/街道"), max_length=30)
    community = models.CharField(_("社区/村"), max_length=30, blank=True)
    address = EncryptedTextField(_("详细地址"))
    is_out_of_area = models.BooleanField(_("县外（外地）"), default=False)
    reason = models.CharField(_("上门原因"), max_length=14, choices=HomeVisitReason.choices)
    health_note = EncryptedTextField(_("身体状况说明"), null=True, blank=True)
    item_codes = models.JSONField(_("办理事项"), default=list)
    requester_kind = models.CharField(_("申请方"), max_length=16, choices=RequesterKind.choices)
    contact_name = EncryptedTextField(_("联系人"))
    contact_phone = EncryptedTextField(_("联系电话"))
    contact_phone_masked = models.CharField(_("联系电话（脱敏）"), max_length=16)
    preferred_weekdays = models.JSONField(_("希望上门（星期）"), default=list, blank=True)
    requested_at = models.DateTimeField(_("申请时间"))
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    refusal_reason = models.CharField(_("不予上门原因"), max_length=200, blank=True)
    team = models.ForeignKey(
        MobileTeam, null=True, blank=True, on_delete=models.PROTECT, related_name="visits"
    )
    visit_day = models.DateField(_("上门日期"), null=True, blank=True, db_index=True)
    route_order = models.PositiveSmallIntegerField(_("路线顺序"), null=True, blank=True)
    window_from = models.TimeField(_("预计到达起"), null=True, blank=True)
    window_to = models.TimeField(_("预计到达止"), null=True, blank=True)
    done_at = models.DateTimeField(_("上门完成时间"), null=True, blank=True)
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(
        _("经度"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    capture = models.JSONField(_("现场采集"), default=dict, blank=True)
    fingerprints = models.CharField(
        _("指纹"), max_length=12, choices=FingerprintStatus.choices, blank=True
    )
    case_id = models.BigIntegerField(_("办件"), null=True, blank=True)
    case_number = models.CharField(_("办件编号"), max_length=24, blank=True)
    capture_key = models.CharField(max_length=64, null=True, blank=True, unique=True)
    delivery_due_at = models.DateTimeField(_("证件到达时间"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("送达时间"), null=True, blank=True)
    recipient_name_masked = models.CharField(_("签收人（脱敏）"), max_length=20, blank=True)
    recipient_relation = models.CharField(_("与申请人关系"), max_length=20, blank=True)

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("上门服务")
        verbose_name_plural = _("上门服务")

    def __str__(self) -> str:
        return self.number


class PhoneCode(models.Model):
    """A one-time SMS code proving a public home-visit requester holds the contact phone."""

    center = models.ForeignKey("accounts.Center", on_delete=models.PROTECT, related_name="+")
    phone_index = models.CharField(max_length=64, db_index=True)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    failed_attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("验证码")
        verbose_name_plural = _("验证码")

    def __str__(self) -> str:
        return f"code {self.pk}"
