"""The kept morning briefings: every generation is a new version, never a rewrite."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from bianmin.core.models import TimeStampedModel


class Briefing(TimeStampedModel):
    """晨会通报 of one center for one working day (covering `start`..`end`), one version.

    The figures (`data`), the PDF and the workbook are stored as generated, so what was read
    out at the morning meeting can be shown again exactly; regenerating adds a version.
    """

    center = models.ForeignKey(
        "accounts.Center", verbose_name=_("中心"), on_delete=models.PROTECT, related_name="+"
    )
    day = models.DateField(_("通报日期"))
    version = models.PositiveSmallIntegerField(_("版本"))
    start = models.DateField(_("统计起始日"))
    end = models.DateField(_("统计截止日"))
    previous_start = models.DateField(_("对比起始日"))
    previous_end = models.DateField(_("对比截止日"))
    data = models.JSONField(_("数据"))
    pdf = models.BinaryField(_("PDF"))
    xlsx = models.BinaryField(_("Excel"))
    is_scheduled = models.BooleanField(_("定时生成"), default=False)
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("生成人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-day", "-version"]
        verbose_name = _("晨会通报")
        verbose_name_plural = _("晨会通报")
        constraints = [
            models.UniqueConstraint(
                fields=["center", "day", "version"], name="briefing_version_unique"
            ),
            # The 07:30 job writes at most one version per center and day, whatever the retries.
            models.UniqueConstraint(
                fields=["center", "day"],
                condition=models.Q(is_scheduled=True),
                name="briefing_scheduled_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day} v{self.version}"
