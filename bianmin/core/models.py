from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        abstract = True


class CalendarOverride(TimeStampedModel):
    """A day whose working status the director sets by hand (next year's schedule, local closures).

    Overrides win over the `chinesecalendar` package and over the statutory fallback.
    """

    day = models.DateField(_("日期"), unique=True)
    is_workday = models.BooleanField(_("是否工作日"))
    note = models.CharField(_("说明"), max_length=100, blank=True)

    class Meta:
        ordering = ["day"]
        verbose_name = _("日历调整")
        verbose_name_plural = _("日历调整")

    def __str__(self) -> str:
        return f"{self.day} {'上班' if self.is_workday else '休息'}"


class CalendarYear(TimeStampedModel):
    """A year whose overrides the director has entered completely (marks it as not provisional)."""

    year = models.PositiveSmallIntegerField(_("年份"), unique=True)
    source = models.CharField(_("依据"), max_length=200)

    class Meta:
        ordering = ["year"]
        verbose_name = _("已确认年度")
        verbose_name_plural = _("已确认年度")

    def __str__(self) -> str:
        return str(self.year)
