"""Found items, lost reports, matches, claims and disposals of the 失物招领 platform.

Nothing here is ever deleted: a closed item keeps its status history (`FoundItemEvent`).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bianmin.core.fields import EncryptedTextField
from bianmin.core.models import TimeStampedModel
from bianmin.lost_found.enums import (
    DisposalMethod,
    DisposalStatus,
    DocumentType,
    FoundCategory,
    FoundItemStatus,
    IdentityMethod,
    LostReportStatus,
    MatchStatus,
)


class CollectionPoint(TimeStampedModel):
    """保管点: where found items are stored; each item gets a printed location label."""

    center = models.ForeignKey("accounts.Center", on_delete=models.PROTECT, related_name="+")
    code = models.CharField(_("保管点代码"), max_length=16)
    name = models.CharField(_("名称"), max_length=60)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["center", "code"]
        verbose_name = _("保管点")
        verbose_name_plural = _("保管点")
        constraints = [
            models.UniqueConstraint(fields=["center", "code"], name="collection_point_unique")
        ]

    def __str__(self) -> str:
        return self.name


class SanitationTeam(TimeStampedModel):
    """A team of the sanitation department whose workers register finds."""

    center = models.ForeignKey("accounts.Center", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("班组名称"), max_length=60)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("成员"), related_name="sanitation_teams"
    )

    class Meta:
        ordering = ["center", "name"]
        verbose_name = _("环卫班组")
        verbose_name_plural = _("环卫班组")

    def __str__(self) -> str:
        return self.name


class CategoryRule(TimeStampedModel):
    """The director's rules for one category at one center (defaults in pipeline.DEFAULT_RULES)."""

    center = models.ForeignKey("accounts.Center", on_delete=models.PROTECT, related_name="+")
    category = models.CharField(_("类别"), max_length=20, choices=FoundCategory.choices)
    photo_public = models.BooleanField(_("公开照片"), default=False)
    retention_days = models.PositiveIntegerField(
        _("保管天数"),
        null=True,
        blank=True,
        help_text=_("留空表示保管至认领期限届满；证件为移交签发机关前的天数。"),
    )
    perishable_days = models.PositiveIntegerField(_("易腐物品保管天数"), default=3)

    class Meta:
        ordering = ["center", "category"]
        verbose_name = _("类别规则")
        verbose_name_plural = _("类别规则")
        constraints = [
            models.UniqueConstraint(fields=["center", "category"], name="category_rule_unique")
        ]

    def __str__(self) -> str:
        return self.get_category_display()


class FoundItem(TimeStampedModel):
    """拾得物: one item handed in, from registration to return or disposal."""

    center = models.ForeignKey("accounts.Center", on_delete=models.PROTECT, related_name="+")
    number = models.CharField(_("登记编号"), max_length=24)
    category = models.CharField(_("类别"), max_length=20, choices=FoundCategory.choices)
    description = models.CharField(_("物品描述"), max_length=500)
    public_description = models.CharField(_("公开描述"), max_length=500, blank=True)
    control_description = models.CharField(_("核对特征（仅民警可见）"), max_length=500, blank=True)
    found_at = models.DateTimeField(_("拾得时间"))
    found_on = models.DateField(_("拾得日期"), db_index=True)
    place = models.CharField(_("拾得地点"), max_length=200)
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(
        _("经度"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    finder_name = models.CharField(_("拾得人"), max_length=50, blank=True)
    finder_team = models.CharField(_("拾得人单位/班组"), max_length=60, blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("状态"),
        max_length=20,
        choices=FoundItemStatus.choices,
        default=FoundItemStatus.REGISTERED,
        db_index=True,
    )
    is_perishable = models.BooleanField(_("易腐物品"), default=False)
    cash_amount = models.DecimalField(
        _("现金金额（不公开）"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    collection_point = models.ForeignKey(
        CollectionPoint,
        verbose_name=_("保管点"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="items",
    )
    storage_location = models.CharField(_("存放位置"), max_length=60, blank=True)
    condition = models.CharField(_("物品状况"), max_length=200, blank=True)
    received_at = models.DateTimeField(_("入库时间"), null=True, blank=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("入库民警"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    document_type = models.CharField(
        _("证件类型"), max_length=24, choices=DocumentType.choices, blank=True
    )
    document_number_index = models.CharField(max_length=64, blank=True, db_index=True)
    document_number_masked = models.CharField(_("证件号码"), max_length=24, blank=True)
    owner_person = models.ForeignKey(
        "people.Person",
        verbose_name=_("失主"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    owner_notified_at = models.DateTimeField(_("已短信通知失主"), null=True, blank=True)
    published_on = models.DateField(_("招领公告日期"), null=True, blank=True)
    claim_deadline = models.DateField(_("认领期限"), null=True, blank=True, db_index=True)
    keeping_cost = models.DecimalField(
        _("保管费用（元）"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    reward_note = models.CharField(_("失主承诺的悬赏"), max_length=200, blank=True)
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    class Meta:
        ordering = ["-found_at", "-pk"]
        verbose_name = _("拾得物")
        verbose_name_plural = _("拾得物")
        constraints = [
            models.UniqueConstraint(fields=["center", "number"], name="found_item_number_unique")
        ]
        indexes = [
            models.Index(fields=["center", "status", "found_on"], name="found_item_listing"),
            models.Index(fields=["description"], name="found_item_description"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_document(self) -> bool:
        return self.category == FoundCategory.DOCUMENT


class FoundItemPhoto(TimeStampedModel):
    """A photo taken at intake (kept in the database: nothing is ever deleted)."""

    item = models.ForeignKey(FoundItem, on_delete=models.PROTECT, related_name="photos")
    content_type = models.CharField(max_length=40)
    content = models.BinaryField()
    size = models.PositiveIntegerField()

    class Meta:
        ordering = ["pk"]
        verbose_name = _("拾得物照片")
        verbose_name_plural = _("拾得物照片")

    def __str__(self) -> str:
        return f"{self.item_id}#{self.pk}"


class FoundItemToken(models.Model):
    """The search index: one row per segmented word (jieba) of a found item's public text.

    Filter columns are copied here so that a public search is one indexed range per word.
    """

    # The unique (item, token) index serves the foreign key and the search's probes.
    item = models.ForeignKey(
        FoundItem, on_delete=models.CASCADE, related_name="tokens", db_index=False
    )
    center_id = models.PositiveBigIntegerField()
    token = models.CharField(max_length=32)
    category = models.CharField(max_length=20)
    found_on = models.DateField()
    is_public = models.BooleanField(default=False)

    class Meta:
        indexes = [
            # public search: one word's newest items first, covering (the walk stops at a page)
            models.Index(
                fields=["token", "is_public", "found_on", "item", "category"],
                name="found_token_lookup",
            ),
            # matching: the items of one category found in a window of days
            models.Index(fields=["center_id", "category", "found_on"], name="found_token_window"),
        ]
        constraints = [models.UniqueConstraint(fields=["item", "token"], name="found_token_unique")]

    def __str__(self) -> str:
        return self.token


class FoundItemEvent(models.Model):
    """One status change of an item (the pipeline's history row)."""

    item = models.ForeignKey(FoundItem, on_delete=models.PROTECT, related_name="events")
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, choices=FoundItemStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    note = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("拾得物流转记录")
        verbose_name_plural = _("拾得物流转记录")

    def __str__(self) -> str:
        return f"{self.item_id} {self.from_status}→{self.to_status}"


class LostReport(TimeStampedModel):
    """挂失 / 寻物登记 by a citizen on the public page."""

    center = models.ForeignKey("accounts.Center", on_delete=models.PROTECT, related_name="+")
    number = models.CharField(_("寻物登记号"), max_length=24)
    category = models.CharField(_("类别"), max_length=20, choices=FoundCategory.choices)
    description = models.CharField(_("物品描述"), max_length=500)
    lost_on = models.DateField(_("遗失日期"))
    place = models.CharField(_("遗失地点"), max_length=200)
    phone = EncryptedTextField(_("联系电话"))
    phone_masked = models.CharField(_("联系电话"), max_length=11)
    tokens = models.JSONField(default=list)
    status = models.CharField(
        _("状态"),
        max_length=12,
        choices=LostReportStatus.choices,
        default=LostReportStatus.OPEN,
        db_index=True,
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("寻物登记")
        verbose_name_plural = _("寻物登记")
        constraints = [
            models.UniqueConstraint(fields=["center", "number"], name="lost_report_number_unique")
        ]

    def __str__(self) -> str:
        return self.number


class Match(TimeStampedModel):
    """A candidate pairing of a lost report and a found item; only staff see it."""

    center = models.ForeignKey("accounts.Center", on_delete=models.PROTECT, related_name="+")
    found_item = models.ForeignKey(FoundItem, on_delete=models.PROTECT, related_name="matches")
    lost_report = models.ForeignKey(LostReport, on_delete=models.PROTECT, related_name="matches")
    score = models.FloatField(_("匹配度"))
    status = models.CharField(
        _("状态"), max_length=12, choices=MatchStatus.choices, default=MatchStatus.CANDIDATE
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-score", "pk"]
        verbose_name = _("匹配")
        verbose_name_plural = _("匹配")
        constraints = [
            models.UniqueConstraint(fields=["found_item", "lost_report"], name="match_unique")
        ]

    def __str__(self) -> str:
        return f"{self.lost_report_id}~{self.found_item_id}"


class Claim(TimeStampedModel):
    """认领: one handover of one item to its owner (or the owner's authorized proxy)."""

    center = models.ForeignKey("accounts.Center", on_delete=models.PROTECT, related_name="+")
    item = models.ForeignKey(FoundItem, on_delete=models.PROTECT, related_name="claims")
    identity_method = models.CharField(
        _("身份核验方式"), max_length=10, choices=IdentityMethod.choices
    )
    claimant_id_index = models.CharField(max_length=64)
    claimant_id_masked = models.CharField(_("领取人证件号码"), max_length=24)
    face_check_id = models.CharField(_("刷脸核验编号"), max_length=40, blank=True)
    control_answers = models.CharField(_("领取人所述特征"), max_length=500)
    is_proxy = models.BooleanField(_("代领"), default=False)
    proxy_authorization = models.CharField(_("失主书面委托"), max_length=300, blank=True)
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("经办民警"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    handed_over_at = models.DateTimeField(_("交付时间"))
    keeping_cost_paid = models.DecimalField(
        _("支付保管费用（元）"), max_digits=10, decimal_places=2, null=True, blank=True
    )

    class Meta:
        ordering = ["-handed_over_at"]
        verbose_name = _("认领")
        verbose_name_plural = _("认领")
        constraints = [
            # 一物一交: the database refuses a second handover of the same item.
            models.UniqueConstraint(fields=["item"], name="claim_one_handover_per_item")
        ]

    def __str__(self) -> str:
        return f"{self.item_id} {self.claimant_id_masked}"


class Disposal(TimeStampedModel):
    """处置 (上缴国库 / 移交 / 拍卖 / 销毁): requested by an officer, approved by the shift leader."""

    center = models.ForeignKey("accounts.Center", on_delete=models.PROTECT, related_name="+")
    item = models.ForeignKey(FoundItem, on_delete=models.PROTECT, related_name="disposals")
    method = models.CharField(_("处置方式"), max_length=12, choices=DisposalMethod.choices)
    note = models.CharField(_("说明"), max_length=300)
    status = models.CharField(
        _("状态"), max_length=12, choices=DisposalStatus.choices, default=DisposalStatus.REQUESTED
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(_("审批意见"), max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("处置")
        verbose_name_plural = _("处置")
        constraints = [
            models.UniqueConstraint(
                fields=["item"],
                condition=Q(status="requested"),
                name="disposal_one_open_request",
            )
        ]

    def __str__(self) -> str:
        return f"{self.item_id} {self.method}"
