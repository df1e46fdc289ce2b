from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from bianmin.catalogue.conditions import CONDITIONS
from bianmin.catalogue.enums import Category
from bianmin.core.models import TimeStampedModel


class ServiceItem(TimeStampedModel):
    """事项: an approval or service item. `code` is part of the public contract and never changes."""

    code = models.CharField(_("事项编码"), max_length=8, unique=True)
    category = models.CharField(_("业务类别"), max_length=20, choices=Category.choices)
    name = models.CharField(_("事项名称"), max_length=100)
    fee_fen = models.PositiveIntegerField(_("工本费（分）"), default=0)
    promised_workdays = models.PositiveSmallIntegerField(_("承诺时限（工作日）"))
    statutory_limit = models.CharField(_("法定时限"), max_length=100, blank=True)
    legal_basis = models.CharField(_("设定依据"), max_length=300, blank=True)
    notes = models.CharField(_("说明"), max_length=300, blank=True)
    stages = models.JSONField(_("流转环节"), default=list)
    channels = models.JSONField(_("办理渠道"), default=list)
    allows_accept_with_gaps = models.BooleanField(_("可容缺受理"), default=False)
    average_service_minutes = models.PositiveSmallIntegerField(_("平均办理时长（分钟）"), default=8)
    is_active = models.BooleanField(_("启用"), default=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("事项")
        verbose_name_plural = _("事项")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def fee_yuan(self) -> str:
        return f"{self.fee_fen / 100:.2f}".rstrip("0").rstrip(".")


class FeeVariant(models.Model):
    """A priced variant of an item, e.g. CR03's endorsement types."""

    item = models.ForeignKey(ServiceItem, on_delete=models.CASCADE, related_name="fee_variants")
    code = models.CharField(_("类型编码"), max_length=30)
    name = models.CharField(_("类型名称"), max_length=60)
    fee_fen = models.PositiveIntegerField(_("工本费（分）"))

    class Meta:
        ordering = ["item", "fee_fen"]
        verbose_name = _("收费类型")
        verbose_name_plural = _("收费类型")
        constraints = [models.UniqueConstraint(fields=["item", "code"], name="fee_variant_unique")]

    def __str__(self) -> str:
        return f"{self.item.code}/{self.code}"


class Material(models.Model):
    item = models.ForeignKey(ServiceItem, on_delete=models.CASCADE, related_name="materials")
    code = models.CharField(_("材料编码"), max_length=30)
    name = models.CharField(_("材料名称"), max_length=100)
    requirement = models.CharField(_("要求"), max_length=300, blank=True)
    legal_basis = models.CharField(_("依据"), max_length=200, blank=True)
    required_when = models.CharField(
        _("何时需要"),
        max_length=20,
        default="always",
        choices=[(c.code, c.label) for c in CONDITIONS.values()],
    )
    is_primary = models.BooleanField(
        _("主要材料"), default=True, help_text=_("次要材料可在容缺受理时后补")
    )
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["item", "sort_order", "code"]
        verbose_name = _("申请材料")
        verbose_name_plural = _("申请材料")
        constraints = [models.UniqueConstraint(fields=["item", "code"], name="material_unique")]

    def __str__(self) -> str:
        return self.name


class ItemRevision(models.Model):
    """History: a snapshot of an item after each edit by the director."""

    item = models.ForeignKey(ServiceItem, on_delete=models.CASCADE, related_name="revisions")
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    changed_at = models.DateTimeField(_("修改时间"), auto_now_add=True)
    snapshot = models.JSONField(_("修改后"))
    reason = models.CharField(_("修改原因"), max_length=200, blank=True)

    class Meta:
        ordering = ["-changed_at"]
        verbose_name = _("事项修改记录")
        verbose_name_plural = _("事项修改记录")

    def __str__(self) -> str:
        return f"{self.item.code} @ {self.changed_at:%Y-%m-%d %H:%M}"
