from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from bianmin.cases.enums import (
    CaseEventType,
    CaseStatus,
    ConfirmationMethod,
    ConfirmationStage,
    IdType,
    InquiryStatus,
    MaterialState,
    PickupMethod,
)
from bianmin.catalogue.enums import Stage
from bianmin.core.fields import EncryptedBinaryField, EncryptedTextField
from bianmin.core.models import TimeStampedModel


class CaseSetting(TimeStampedModel):
    """Per-center settings of the case pipeline (created with defaults on first use)."""

    center = models.OneToOneField(
        "accounts.Center",
        verbose_name=_("中心"),
        on_delete=models.CASCADE,
        related_name="case_setting",
    )
    local_region_prefix = models.CharField(
        _("本地户籍地址码前缀"),
        max_length=6,
        default="6105",
        help_text=_("申请人身份证地址码不以此开头即视为非本地户籍（如 6105 = 渭南市）"),
    )
    warning_share = models.FloatField(
        _("临期预警比例"), default=0.8, help_text=_("已用时限达到承诺时限的该比例时预警")
    )
    gap_supplement_workdays = models.PositiveSmallIntegerField(
        _("容缺补正期限（工作日）"),
        default=5,
        help_text=_("不超过事项承诺时限"),
    )

    class Meta:
        verbose_name = _("办件设置")
        verbose_name_plural = _("办件设置")

    def __str__(self) -> str:
        return str(self.center_id)


class CaseNumberCounter(models.Model):
    """The last case number issued per center and day (TG-20261128-0007)."""

    center = models.ForeignKey("accounts.Center", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["center", "day"], name="case_counter_unique")
        ]

    def __str__(self) -> str:
        return f"{self.center_id}/{self.day}: {self.last}"


class Inquiry(TimeStampedModel):
    """咨询: a question at a window, kept whether or not it becomes a case (首问负责)."""

    center = models.ForeignKey(
        "accounts.Center", verbose_name=_("中心"), on_delete=models.PROTECT, related_name="+"
    )
    ticket_id = models.CharField(_("号票"), max_length=64, blank=True, db_index=True)
    ticket_number = models.CharField(_("号票号码"), max_length=16, blank=True)
    item = models.ForeignKey(
        "catalogue.ServiceItem",
        verbose_name=_("事项"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    topic = models.CharField(_("咨询内容"), max_length=300, blank=True)
    answer = models.CharField(_("答复"), max_length=500, blank=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=InquiryStatus.choices, default=InquiryStatus.OPEN
    )
    first_responder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("首问责任人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("当前责任人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("咨询")
        verbose_name_plural = _("咨询")

    def __str__(self) -> str:
        return f"{self.pk} {self.topic[:20]}"


class InquiryHandover(TimeStampedModel):
    """A handover of an inquiry: responsibility moves only when the next officer signs receipt."""

    inquiry = models.ForeignKey(Inquiry, on_delete=models.CASCADE, related_name="handovers")
    from_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("移交人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    to_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接手人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.CharField(_("移交说明"), max_length=300)
    received_at = models.DateTimeField(_("接手确认时间"), null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("咨询移交")
        verbose_name_plural = _("咨询移交")

    def __str__(self) -> str:
        return f"{self.inquiry_id}: {self.from_officer_id} → {self.to_officer_id}"


class Case(TimeStampedModel):
    """办件: one application for one item by one applicant."""

    center = models.ForeignKey(
        "accounts.Center", verbose_name=_("中心"), on_delete=models.PROTECT, related_name="+"
    )
    number = models.CharField(_("受理编号"), max_length=24, unique=True)
    item = models.ForeignKey(
        "catalogue.ServiceItem",
        verbose_name=_("事项"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    stages = models.JSONField(_("流转环节"), default=list)  # the item's stages when created
    promised_workdays = models.PositiveSmallIntegerField(_("承诺时限（工作日）"), default=0)
    inquiry = models.ForeignKey(
        Inquiry,
        verbose_name=_("咨询"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cases",
    )
    ticket_id = models.CharField(_("号票"), max_length=64, blank=True)
    # applicant: the person registry holds the data (encrypted); the case keeps a masked snapshot
    applicant = models.ForeignKey(
        "people.Person", verbose_name=_("申请人"), on_delete=models.PROTECT, related_name="+"
    )
    applicant_name_masked = models.CharField(_("申请人"), max_length=50)
    applicant_gender = models.CharField(_("性别"), max_length=6)
    applicant_id_type = models.CharField(
        _("证件类型"), max_length=20, choices=IdType.choices, default=IdType.RESIDENT_ID
    )
    phone_last4_digest = models.CharField(max_length=64, blank=True)
    facts = models.JSONField(_("申请人情况"), default=dict)
    groups = models.JSONField(_("减免群体"), default=list, blank=True)
    fee_variant = models.CharField(_("收费类型"), max_length=30, blank=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=CaseStatus.choices, default=CaseStatus.PRE_REVIEW
    )
    stage = models.CharField(_("当前环节"), max_length=12, choices=Stage.choices, blank=True)
    next_stage = models.CharField(_("待办环节"), max_length=12, choices=Stage.choices, blank=True)
    is_urgent = models.BooleanField(_("加急"), default=False)
    is_holiday_appointment = models.BooleanField(_("节假日预约"), default=False)
    is_standby_24h = models.BooleanField(_("24小时值守"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("受理人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    deadline = models.DateField(_("办结期限"), null=True, blank=True)
    warn_on = models.DateField(_("预警日期"), null=True, blank=True)
    warned_at = models.DateTimeField(_("预警时间"), null=True, blank=True)
    overdue_at = models.DateTimeField(_("超期时间"), null=True, blank=True)
    # 容缺受理
    accepted_with_gaps = models.BooleanField(_("容缺受理"), default=False)
    gap_commitment = models.CharField(_("容缺承诺"), max_length=500, blank=True)
    # the applicant's handwritten signature under the commitment (PNG from the signature pad)
    gap_signature = EncryptedBinaryField(_("容缺承诺签名"), null=True, blank=True, editable=False)
    supplement_deadline = models.DateField(_("补正期限"), null=True, blank=True)
    gaps_open = models.BooleanField(_("容缺材料未补齐"), default=False)
    # the back office's lock
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("认领人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    locked_at = models.DateTimeField(_("认领时间"), null=True, blank=True)
    # arrival and pickup
    arrived_at = models.DateTimeField(_("到证时间"), null=True, blank=True)
    picked_up_at = models.DateTimeField(_("领取时间"), null=True, blank=True)
    pickup_method = models.CharField(
        _("领取核验方式"), max_length=10, choices=PickupMethod.choices, blank=True
    )
    pickup_by_proxy = models.BooleanField(_("代领"), default=False)
    proxy_name = models.CharField(_("代领人"), max_length=50, blank=True)
    proxy_id_number = EncryptedTextField(_("代领人证件号码"), null=True, blank=True)
    proxy_id_number_masked = models.CharField(_("代领人证件号码"), max_length=18, blank=True)
    authorization_note = models.CharField(_("委托说明"), max_length=300, blank=True)
    face_check_id = models.CharField(_("人脸核验编号"), max_length=64, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    terminated_at = models.DateTimeField(_("终止时间"), null=True, blank=True)
    termination_reason = models.CharField(_("终止原因"), max_length=300, blank=True)
    remark = models.CharField(_("备注"), max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("办件")
        verbose_name_plural = _("办件")
        indexes = [
            # queues: per center and pending step, urgent first, then by deadline
            models.Index(
                fields=["center", "status", "next_stage", "-is_urgent", "deadline"],
                name="case_queue_idx",
            ),
            # overdue and backlog counts per center
            models.Index(fields=["center", "status", "deadline"], name="case_deadline_idx"),
            # the daily trend: accepted, closed and terminated per day
            models.Index(fields=["center", "accepted_at"], name="case_accepted_idx"),
            # the sweep: warnings and overdue alerts not yet raised
            models.Index(
                fields=["status", "warn_on"],
                name="case_warn_idx",
                condition=models.Q(warned_at__isnull=True),
            ),
            models.Index(
                fields=["status", "deadline"],
                name="case_overdue_idx",
                condition=models.Q(overdue_at__isnull=True),
            ),
            # 容缺 cases whose supplement deadline passes (few rows: only gap acceptances)
            models.Index(
                fields=["status", "supplement_deadline"],
                name="case_gaps_idx",
                condition=models.Q(supplement_deadline__isnull=False),
            ),
            models.Index(fields=["center", "closed_at"], name="case_closed_idx"),
            models.Index(fields=["center", "terminated_at"], name="case_terminated_idx"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def stage_tuple(self) -> tuple[str, ...]:
        return tuple(self.stages)

    @property
    def is_open(self) -> bool:
        return self.status not in (CaseStatus.CLOSED, CaseStatus.TERMINATED)


class CaseMaterial(models.Model):
    """One material of the case's checklist, with the pre-review result."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="materials")
    code = models.CharField(_("材料编码"), max_length=30)
    name = models.CharField(_("材料名称"), max_length=100)
    requirement = models.CharField(_("要求"), max_length=300, blank=True)
    legal_basis = models.CharField(_("依据"), max_length=200, blank=True)
    is_primary = models.BooleanField(_("主要材料"), default=True)
    is_required = models.BooleanField(_("本案需要"), default=True)
    state = models.CharField(
        _("核验结果"),
        max_length=12,
        choices=MaterialState.choices,
        default=MaterialState.NOT_CHECKED,
    )
    reason = models.CharField(_("原因"), max_length=200, blank=True)
    sort_order = models.PositiveSmallIntegerField(default=0)
    checked_at = models.DateTimeField(_("核验时间"), null=True, blank=True)

    class Meta:
        ordering = ["case", "sort_order", "code"]
        verbose_name = _("办件材料")
        verbose_name_plural = _("办件材料")
        constraints = [
            models.UniqueConstraint(fields=["case", "code"], name="case_material_unique")
        ]

    def __str__(self) -> str:
        return f"{self.case_id}/{self.code}"


class MissingNotice(TimeStampedModel):
    """一次性告知单: everything missing or defective, listed at once. `seq` 1 is the first."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notices")
    seq = models.PositiveSmallIntegerField(_("序号"))
    entries = models.JSONField(_("告知事项"))  # [{code, name, state, reason, requirement, …}]
    facts = models.JSONField(_("告知时申请人情况"), default=dict)
    facts_changed = models.BooleanField(_("因情况变化补充告知"), default=False)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("告知人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    sms_queued = models.BooleanField(_("已发短信"), default=False)

    class Meta:
        ordering = ["case", "seq"]
        verbose_name = _("一次性告知单")
        verbose_name_plural = _("一次性告知单")
        constraints = [models.UniqueConstraint(fields=["case", "seq"], name="notice_seq_unique")]

    def __str__(self) -> str:
        return f"{self.case_id}#{self.seq}"

    @property
    def codes(self) -> list[str]:
        return [entry["code"] for entry in self.entries]


class CaseConfirmation(models.Model):
    """零差错: the applicant confirmed name, gender, ID type and number at one stage."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="confirmations")
    stage = models.CharField(_("环节"), max_length=10, choices=ConfirmationStage.choices)
    name_masked = models.CharField(_("姓名"), max_length=50)
    gender = models.CharField(_("性别"), max_length=6)
    id_type = models.CharField(_("证件类型"), max_length=20, choices=IdType.choices)
    id_number_masked = models.CharField(_("证件号码"), max_length=18)
    method = models.CharField(
        _("确认方式"),
        max_length=10,
        choices=ConfirmationMethod.choices,
        default=ConfirmationMethod.TYPED,
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("经办人"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("确认时间"))

    class Meta:
        ordering = ["case", "confirmed_at"]
        verbose_name = _("信息确认")
        verbose_name_plural = _("信息确认")

    def __str__(self) -> str:
        return f"{self.case_id} {self.stage}"


class CaseEvent(models.Model):
    """The case's history: every transition, notice, confirmation and correction."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    type = models.CharField(_("类型"), max_length=20, choices=CaseEventType.choices)
    from_stage = models.CharField(_("原环节"), max_length=12, blank=True)
    to_stage = models.CharField(_("新环节"), max_length=12, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("经办人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reason = models.CharField(_("原因"), max_length=300, blank=True)
    data = models.JSONField(_("详情"), default=dict, blank=True)
    created_at = models.DateTimeField(_("时间"))

    class Meta:
        ordering = ["case", "created_at", "pk"]
        verbose_name = _("办件记录")
        verbose_name_plural = _("办件记录")
        indexes = [models.Index(fields=["type", "created_at"], name="case_event_type_idx")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.type}"

    @property
    def from_stage_label(self) -> str:
        return _stage_label(self.from_stage)

    @property
    def to_stage_label(self) -> str:
        return _stage_label(self.to_stage)


def _stage_label(stage: str) -> str:
    """The Chinese name of a stage for the case history (审核, 制证…); blank stays blank."""
    return str(Stage(stage).label) if stage in Stage.values else stage
