"""Fees: waiver policies (data the director edits, with history), payments with their own snapshot
of the quote, the savings ledger, refunds, cash-drawer reconciliation, free copies, campaigns.

Money is integer fen everywhere (`*_fen`); yuan exist only on screens and in the API.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from bianmin.core.models import TimeStampedModel
from bianmin.fees.enums import (
    FeeKind,
    PaymentMethod,
    PaymentStage,
    PolicyScope,
    RefundStatus,
    WaiverKind,
)

POLICY_CODE_RE = r"^[A-Z][A-Z0-9-]{1,29}$"


class WaiverPolicy(TimeStampedModel):
    """减免政策: a rule with an effective period, items, eligibility and a precedence.

    Eligibility is data: any-of groups (with evidence), an age range, students, a campaign
    link. A change never alters a fee already charged: payments keep their own lines.
    """

    code = models.CharField(
        _("政策编码"),
        max_length=30,
        validators=[
            RegexValidator(POLICY_CODE_RE, _("编码由大写字母、数字和连字符组成，例如 SENIOR-80"))
        ],
    )
    name = models.CharField(_("政策名称"), max_length=60)
    reason = models.CharField(
        _("减免依据"),
        max_length=200,
        help_text=_("打印在收据上的减免理由"),
    )
    scope = models.CharField(
        _("适用范围"),
        max_length=10,
        choices=PolicyScope.choices,
        default=PolicyScope.CENTER,
        help_text=_("本中心的政策由中心主任制定；全省通用的政策只能由省级管理员制定"),
    )
    center = models.ForeignKey(
        "accounts.Center",
        verbose_name=_("适用中心"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("全省通用的政策不属于任何一个中心"),
    )
    valid_from = models.DateField(_("生效日期"), null=True, blank=True)
    valid_until = models.DateField(_("截止日期"), null=True, blank=True)
    targets = models.JSONField(
        _("适用事项"),
        default=list,
        help_text=_("事项编码，如 HZ04；只适用某一收费类型时写 CR03/single"),
    )
    groups_any = models.JSONField(_("适用人群（任一）"), default=list, blank=True)
    requires_evidence = models.BooleanField(_("须登记证明材料"), default=False)
    min_age = models.PositiveSmallIntegerField(_("最低年龄"), null=True, blank=True)
    max_age = models.PositiveSmallIntegerField(_("最高年龄"), null=True, blank=True)
    requires_student = models.BooleanField(_("限在校中小学生"), default=False)
    requires_campaign = models.BooleanField(
        _("仅在活动期间适用"),
        default=False,
        help_text=_("由中心主任设定的活动期间才减免"),
    )
    kind = models.CharField(
        _("减免方式"),
        max_length=10,
        choices=WaiverKind.choices,
        default=WaiverKind.FULL,
    )
    percent = models.PositiveSmallIntegerField(
        _("减免比例（%）"),
        default=100,
        validators=[MaxValueValidator(100)],
    )
    amount_fen = models.PositiveIntegerField(_("减免金额（分）"), default=0)
    precedence = models.PositiveSmallIntegerField(
        _("优先顺序"),
        default=100,
        help_text=_("数字小的先减免"),
    )
    note = models.CharField(_("说明"), max_length=300, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["precedence", "code"]
        verbose_name = _("减免政策")
        verbose_name_plural = _("减免政策")
        constraints = [
            models.CheckConstraint(
                condition=Q(scope=PolicyScope.PROVINCE, center__isnull=True)
                | Q(scope=PolicyScope.CENTER, center__isnull=False),
                name="policy_scope_matches_center",
            ),
            models.UniqueConstraint(fields=["center", "code"], name="policy_code_per_center"),
            models.UniqueConstraint(
                fields=["code"],
                condition=Q(center__isnull=True),
                name="policy_code_province",
            ),
            models.CheckConstraint(condition=Q(percent__lte=100), name="policy_percent_max"),
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_until__isnull=True)
                | Q(valid_until__gte=F("valid_from")),
                name="policy_period_order",
            ),
            models.CheckConstraint(
                condition=Q(min_age__isnull=True)
                | Q(max_age__isnull=True)
                | Q(max_age__gte=F("min_age")),
                name="policy_age_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class WaiverPolicyRevision(models.Model):
    """History: a snapshot of a policy after each change."""

    policy = models.ForeignKey(WaiverPolicy, on_delete=models.CASCADE, related_name="revisions")
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    changed_at = models.DateTimeField(_("修改时间"))
    snapshot = models.JSONField(_("修改后"))
    reason = models.CharField(_("修改原因"), max_length=200)

    class Meta:
        ordering = ["-changed_at", "-pk"]
        verbose_name = _("减免政策修改记录")
        verbose_name_plural = _("减免政策修改记录")

    def __str__(self) -> str:
        return f"{self.policy.code} @ {self.changed_at:%Y-%m-%d %H:%M}"


class Campaign(TimeStampedModel):
    """假期免费办证活动: a period during which a campaign-linked policy waives fees, with
    extra windows and extended hours shown in the hall."""

    center = models.ForeignKey(
        "accounts.Center",
        verbose_name=_("中心"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    name = models.CharField(_("活动名称"), max_length=60)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    policy = models.ForeignKey(
        WaiverPolicy,
        verbose_name=_("减免政策"),
        on_delete=models.PROTECT,
        related_name="campaigns",
    )
    item_codes = models.JSONField(_("活动事项"), default=list)
    min_age = models.PositiveSmallIntegerField(_("最低年龄"), null=True, blank=True)
    max_age = models.PositiveSmallIntegerField(_("最高年龄"), null=True, blank=True)
    requires_student = models.BooleanField(_("限在校中小学生"), default=True)
    extra_windows = models.JSONField(_("增开窗口"), default=list, blank=True)
    opens_at = models.TimeField(_("活动期间开门时间"), null=True, blank=True)
    closes_at = models.TimeField(_("活动期间关门时间"), null=True, blank=True)
    open_weekends = models.BooleanField(_("周末照常办理"), default=False)
    public_note = models.CharField(_("大厅公告"), max_length=200, blank=True)
    is_cancelled = models.BooleanField(_("已取消"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-starts_on", "name"]
        verbose_name = _("办证活动")
        verbose_name_plural = _("办证活动")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="campaign_period_order"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ClassList(TimeStampedModel):
    """A school's class list (Excel) turned into batch appointments: all rows or none."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="class_lists")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
    )
    filename = models.CharField(_("文件名"), max_length=200)
    appointment_date = models.DateField(_("预约日期"))
    rows_total = models.PositiveIntegerField(_("总行数"), default=0)
    appointments_created = models.PositiveIntegerField(_("新增预约"), default=0)
    is_rejected = models.BooleanField(_("有错误，未导入"), default=False)
    errors = models.JSONField(_("错误"), default=list)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("学生名单")
        verbose_name_plural = _("学生名单")

    def __str__(self) -> str:
        return self.filename


class CampaignAppointment(TimeStampedModel):
    """A student booked through a class list (batch appointment) for a campaign day."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="appointments")
    class_list = models.ForeignKey(
        ClassList,
        on_delete=models.PROTECT,
        related_name="appointments",
        null=True,
    )
    person = models.ForeignKey(
        "people.Person",
        verbose_name=_("学生"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    school = models.CharField(_("学校"), max_length=60)
    class_name = models.CharField(_("班级"), max_length=30)
    appointment_date = models.DateField(_("预约日期"))

    class Meta:
        ordering = ["appointment_date", "school", "class_name", "pk"]
        verbose_name = _("活动预约")
        verbose_name_plural = _("活动预约")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "person"], name="campaign_appointment_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.school}{self.class_name} {self.appointment_date}"


class Payment(TimeStampedModel):
    """One fee settled (收费), with its own snapshot of the quote: a later policy or fee change
    never alters it. A zero payable is recorded too, so that the waiver reaches the ledger."""

    center = models.ForeignKey(
        "accounts.Center",
        verbose_name=_("中心"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("办件"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    case_number = models.CharField(_("办件编号"), max_length=40, blank=True)
    kind = models.CharField(_("费用"), max_length=20, choices=FeeKind.choices, default=FeeKind.ITEM)
    stage = models.CharField(_("收费环节"), max_length=12, choices=PaymentStage.choices)
    item_code = models.CharField(_("事项编码"), max_length=8)
    item_name = models.CharField(_("事项名称"), max_length=100)
    variant_code = models.CharField(_("收费类型"), max_length=30, blank=True)
    variant_name = models.CharField(_("收费类型名称"), max_length=60, blank=True)
    on_date = models.DateField(_("收费日期"), db_index=True)
    standard_fen = models.PositiveIntegerField(_("标准工本费（分）"))
    waived_fen = models.PositiveIntegerField(_("减免（分）"))
    payable_fen = models.PositiveIntegerField(_("实收（分）"))
    refunded_fen = models.PositiveIntegerField(_("已退（分）"), default=0)
    lines = models.JSONField(_("减免明细"), default=list)
    explanation = models.JSONField(_("计算说明"), default=list)
    method = models.CharField(_("付款方式"), max_length=10, choices=PaymentMethod.choices)
    payer_name = models.CharField(_("缴费人"), max_length=50)
    payer_gender = models.CharField(_("性别"), max_length=6, blank=True)
    payer_id_type = models.CharField(_("证件类型"), max_length=20, blank=True)
    payer_id_masked = models.CharField(_("证件号码"), max_length=18, blank=True)
    groups = models.JSONField(_("人群类别"), default=list, blank=True)
    evidence = models.JSONField(_("证明材料"), default=dict, blank=True)
    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("活动"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payments",
    )
    window_code = models.CharField(_("窗口"), max_length=8, blank=True)
    collected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("收费人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    collected_at = models.DateTimeField(_("收费时间"), db_index=True)
    receipt_number = models.CharField(_("收据编号"), max_length=32, blank=True)
    idempotency_key = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["-collected_at", "-pk"]
        verbose_name = _("收费记录")
        verbose_name_plural = _("收费记录")
        constraints = [
            models.CheckConstraint(
                condition=Q(standard_fen=F("waived_fen") + F("payable_fen")),
                name="payment_amounts_add_up",
            ),
            models.CheckConstraint(
                condition=Q(refunded_fen__lte=F("payable_fen")), name="payment_refund_within_paid"
            ),
            models.UniqueConstraint(fields=["case", "kind"], name="payment_once_per_case_fee"),
            models.UniqueConstraint(
                fields=["center", "case_number", "kind"],
                condition=~Q(case_number=""),
                name="payment_once_per_case_number_fee",
            ),
        ]
        indexes = [models.Index(fields=["center", "on_date"])]

    def __str__(self) -> str:
        return self.receipt_number or f"收费 {self.pk}"

    @property
    def kept_fen(self) -> int:
        return self.payable_fen - self.refunded_fen


class SavingsEntry(models.Model):
    """节约费用台账: one entry per waiver line, posted with the payment."""

    center = models.ForeignKey("accounts.Center", on_delete=models.PROTECT, related_name="+")
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="savings")
    policy = models.ForeignKey(WaiverPolicy, on_delete=models.PROTECT, related_name="savings")
    policy_code = models.CharField(_("政策编码"), max_length=30)
    policy_name = models.CharField(_("政策名称"), max_length=60)
    campaign = models.ForeignKey(
        Campaign,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="savings",
    )
    item_code = models.CharField(_("事项编码"), max_length=8)
    variant_code = models.CharField(_("收费类型"), max_length=30, blank=True)
    waived_fen = models.PositiveIntegerField(_("减免（分）"))
    posted_on = models.DateField(_("日期"), db_index=True)

    class Meta:
        ordering = ["-posted_on", "-pk"]
        verbose_name = _("节约费用台账")
        verbose_name_plural = _("节约费用台账")
        constraints = [
            models.UniqueConstraint(fields=["payment", "policy"], name="savings_once_per_line"),
            models.CheckConstraint(condition=Q(waived_fen__gt=0), name="savings_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.policy_code} {self.waived_fen}"


class Refund(TimeStampedModel):
    """退费: requested at the window with a reason, paid only after the director approves."""

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    amount_fen = models.PositiveIntegerField(_("退费金额（分）"))
    reason = models.CharField(_("退费原因"), max_length=200)
    status = models.CharField(
        _("状态"), max_length=10, choices=RefundStatus.choices, default=RefundStatus.REQUESTED
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    window_code = models.CharField(_("退款窗口"), max_length=8, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审批人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decided_on = models.DateField(_("审批日期"), null=True, blank=True, db_index=True)
    decision_note = models.CharField(_("审批意见"), max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("退费")
        verbose_name_plural = _("退费")
        constraints = [
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="refund_positive"),
        ]

    def __str__(self) -> str:
        return f"退费 {self.payment} {self.amount_fen}"


class DrawerClose(TimeStampedModel):
    """日结: an officer's drawer at a window for a day, counted and compared to the ledger."""

    center = models.ForeignKey("accounts.Center", on_delete=models.PROTECT, related_name="+")
    day = models.DateField(_("日期"))
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("收费人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    window_code = models.CharField(_("窗口"), max_length=8, blank=True)
    expected_cash_fen = models.IntegerField(_("应有现金（分）"))
    counted_cash_fen = models.PositiveIntegerField(_("清点现金（分）"))
    difference_fen = models.IntegerField(_("差额（分）"))
    totals = models.JSONField(_("分方式合计"), default=dict)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["-day", "window_code"]
        verbose_name = _("收费日结")
        verbose_name_plural = _("收费日结")
        constraints = [
            models.UniqueConstraint(
                fields=["center", "day", "officer", "window_code"], name="drawer_close_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.window_code} {self.officer}"

    @property
    def is_balanced(self) -> bool:
        return self.difference_fen == 0


class FreeCopyCount(TimeStampedModel):
    """免费复印: how many free copies the hall made for a case."""

    center = models.ForeignKey("accounts.Center", on_delete=models.PROTECT, related_name="+")
    case_number = models.CharField(_("办件编号"), max_length=40)
    copies = models.PositiveIntegerField(_("复印份数"), default=0)

    class Meta:
        ordering = ["-updated_at"]
        verbose_name = _("免费复印")
        verbose_name_plural = _("免费复印")
        constraints = [
            models.UniqueConstraint(fields=["center", "case_number"], name="free_copies_once"),
        ]

    def __str__(self) -> str:
        return f"{self.case_number} × {self.copies}"
