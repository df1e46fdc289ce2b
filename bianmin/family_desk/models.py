"""The 惠民暖警 desk: the guide to other units' procedures, and requests from officers' families.

Every row belongs to a center. Procedure edits are versioned by django-simple-history (the old
text stays, with the reason in ``history_change_reason``).
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from bianmin.core import clock
from bianmin.core.fields import EncryptedTextField
from bianmin.core.models import TimeStampedModel
from bianmin.family_desk.enums import (
    OPEN_STATUSES,
    ContactPreference,
    CustodyAction,
    MessageKind,
    Relation,
    RequestStatus,
    RequestType,
)


class DeskSettings(TimeStampedModel):
    """Per-center switches the director sets."""

    center = models.OneToOneField(
        "accounts.Center", verbose_name=_("所属中心"), on_delete=models.CASCADE
    )
    guide_is_public = models.BooleanField(_("办事指南对社会公开"), default=False)

    class Meta:
        verbose_name = _("服务台设置")
        verbose_name_plural = _("服务台设置")

    def __str__(self) -> str:
        return str(self.center_id)


class Unit(TimeStampedModel):
    """A unit in the same building (税务, 人社, 医保 …) whose procedures the guide lists."""

    center = models.ForeignKey(
        "accounts.Center", verbose_name=_("所属中心"), on_delete=models.PROTECT
    )
    name = models.CharField(_("单位名称"), max_length=60)
    location = models.CharField(_("楼层窗口"), max_length=60, blank=True)
    phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    hours = models.CharField(_("办公时间"), max_length=100, blank=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=100)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("入驻单位")
        verbose_name_plural = _("入驻单位")
        constraints = [
            models.UniqueConstraint(fields=["center", "name"], name="desk_unit_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class Procedure(TimeStampedModel):
    """One procedure of a unit, as the desk explains it (办事指南)."""

    center = models.ForeignKey(
        "accounts.Center", verbose_name=_("所属中心"), on_delete=models.PROTECT
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="procedures"
    )
    name = models.CharField(_("事项名称"), max_length=100)
    purpose = models.TextField(_("办理用途"), blank=True)
    eligibility = models.TextField(_("申请条件"), blank=True)
    # One material a line; a condition in brackets: "结婚证（已婚的）".
    materials = models.TextField(_("所需材料"), blank=True)
    fee = models.CharField(_("收费标准"), max_length=100, blank=True)
    time_limit = models.CharField(_("办理时限"), max_length=100, blank=True)
    time_limit_workdays = models.PositiveSmallIntegerField(_("时限工作日"), null=True, blank=True)
    place = models.CharField(_("办理地点"), max_length=100, blank=True)
    online_channel = models.CharField(_("网上办理渠道"), max_length=200, blank=True)
    legal_basis = models.TextField(_("政策依据"), blank=True)
    life_events = models.JSONField(_("人生事件"), default=list, blank=True)
    keywords = models.CharField(_("常用说法"), max_length=200, blank=True)
    last_checked_on = models.DateField(_("最近核对日期"), null=True, blank=True)
    last_checked_by = models.CharField(_("核对人"), max_length=50, blank=True)
    is_active = models.BooleanField(_("有效"), default=True)
    history = HistoricalRecords(
        excluded_fields=["created_at", "updated_at"], verbose_name=_("事项历史版本")
    )

    class Meta:
        ordering = ["unit__order", "unit_id", "pk"]
        verbose_name = _("办事事项")
        verbose_name_plural = _("办事事项")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "name"], name="desk_procedure_unique_name_per_unit"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def material_lines(self) -> list[str]:
        return [line.strip() for line in self.materials.splitlines() if line.strip()]


class Synonym(TimeStampedModel):
    """Words people use for the same thing (公积金 = 住房公积金), kept by the desk."""

    center = models.ForeignKey(
        "accounts.Center", verbose_name=_("所属中心"), on_delete=models.CASCADE
    )
    words = models.CharField(_("同义词（用＝或逗号分隔）"), max_length=200)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("同义词")
        verbose_name_plural = _("同义词")

    def __str__(self) -> str:
        return self.words

    @property
    def word_list(self) -> list[str]:
        return [w for w in self.words.split("=") if w]


class FamilyMember(TimeStampedModel):
    """A registered family member of an officer, who may ask the desk from the phone page."""

    center = models.ForeignKey(
        "accounts.Center", verbose_name=_("所属中心"), on_delete=models.PROTECT
    )
    officer = models.ForeignKey(
        "accounts.Staff",
        verbose_name=_("民警"),
        on_delete=models.PROTECT,
        related_name="desk_family_members",
    )
    relation = models.CharField(_("关系"), max_length=20, choices=Relation.choices)
    name = EncryptedTextField(_("姓名"))
    phone = EncryptedTextField(_("手机号码"))
    phone_index = models.CharField(max_length=64, editable=False)
    phone_masked = models.CharField(_("手机号码"), max_length=20)
    is_active = models.BooleanField(_("有效"), default=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("警属")
        verbose_name_plural = _("警属")
        constraints = [
            models.UniqueConstraint(
                fields=["center", "phone_index"],
                condition=Q(is_active=True),
                name="desk_family_unique_phone",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_relation_display()} {self.phone_masked}"


class SignInCode(models.Model):
    """An SMS code for a family member's sign-in: stored hashed, single use, expiring."""

    family_member = models.ForeignKey(
        FamilyMember, on_delete=models.CASCADE, related_name="sign_in_codes"
    )
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(db_index=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    failed_attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.family_member_id}@{self.created_at:%H:%M}"


class DeskRequest(TimeStampedModel):
    """A consult / 帮办 / 代办 request from an officer or a registered family member."""

    center = models.ForeignKey(
        "accounts.Center", verbose_name=_("所属中心"), on_delete=models.PROTECT
    )
    number = models.CharField(_("编号"), max_length=20, unique=True)
    type = models.CharField(_("类型"), max_length=20, choices=RequestType.choices)
    procedure = models.ForeignKey(
        Procedure,
        verbose_name=_("办事事项"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="requests",
    )
    procedure_text = models.CharField(_("事项（自述）"), max_length=100, blank=True)
    question = models.TextField(_("问题描述"))
    contact = models.CharField(
        _("联系方式"), max_length=20, choices=ContactPreference.choices, default="phone"
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=RequestStatus.choices, default=RequestStatus.PENDING
    )
    requester_staff = models.ForeignKey(
        "accounts.Staff",
        verbose_name=_("申请民警"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="desk_requests",
    )
    requester_family = models.ForeignKey(
        FamilyMember,
        verbose_name=_("申请警属"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="requests",
    )
    handler = models.ForeignKey(
        "accounts.Staff",
        verbose_name=_("经办人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="desk_requests_handled",
    )
    created_on = models.DateField(_("提出日期"))
    due_on = models.DateField(_("答复期限"))
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    rating = models.PositiveSmallIntegerField(_("满意度"), null=True, blank=True)

    class Meta:
        ordering = ["-pk"]
        verbose_name = _("服务台诉求")
        verbose_name_plural = _("服务台诉求")
        constraints = [
            models.CheckConstraint(
                condition=(Q(requester_staff__isnull=False) & Q(requester_family__isnull=True))
                | (Q(requester_staff__isnull=True) & Q(requester_family__isnull=False)),
                name="desk_request_one_requester",
            ),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="desk_request_rating_1_5",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.due_on < clock.today()

    @property
    def procedure_label(self) -> str:
        return self.procedure.name if self.procedure_id and self.procedure else self.procedure_text


class RequestEvent(models.Model):
    """One status change of a request (its history)."""

    request = models.ForeignKey(DeskRequest, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20)
    actor = models.ForeignKey(
        "accounts.Staff", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_status}->{self.to_status}"


class RequestMessage(models.Model):
    """A reply the requester sees, a requester's message, or an internal note."""

    request = models.ForeignKey(DeskRequest, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(_("类型"), max_length=10, choices=MessageKind.choices)
    body = models.TextField(_("内容"))
    author_staff = models.ForeignKey(
        "accounts.Staff", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    author_family = models.ForeignKey(
        FamilyMember, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.kind}@{self.at}"


class Attachment(models.Model):
    request = models.ForeignKey(DeskRequest, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="desk/%Y/%m/")
    original_name = models.CharField(max_length=120)
    content_type = models.CharField(max_length=60)
    size = models.PositiveIntegerField()
    at = models.DateTimeField()

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.original_name


class CustodyEntry(models.Model):
    """One link of the 代办 handover chain: who held which document, from when."""

    request = models.ForeignKey(DeskRequest, on_delete=models.CASCADE, related_name="custody")
    seq = models.PositiveSmallIntegerField()
    document = models.CharField(_("材料"), max_length=100)
    action = models.CharField(_("环节"), max_length=30, choices=CustodyAction.choices)
    from_party = models.CharField(_("交出方"), max_length=60)
    to_party = models.CharField(_("接收方"), max_length=60)
    signed_by = models.CharField(_("签收人"), max_length=50)
    at = models.DateTimeField(_("时间"))
    recorded_by = models.ForeignKey("accounts.Staff", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["document", "seq"]
        constraints = [
            models.UniqueConstraint(
                fields=["request", "document", "seq"], name="desk_custody_unique_seq"
            )
        ]

    def __str__(self) -> str:
        return f"{self.document}#{self.seq}"
