"""Report vocabulary (English values, Chinese labels)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportKind(models.TextChoices):
    BRIEFING = "briefing", _("晨会通报")
    WEEK = "week", _("周报")
    MONTH = "month", _("月报")
    YEAR = "year", _("年报")
    RANGE = "range", _("自定义时段")


class ExportFormat(models.TextChoices):
    PDF = "pdf", _("PDF")
    XLSX = "xlsx", _("Excel")
