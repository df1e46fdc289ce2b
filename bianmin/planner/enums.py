"""Planner vocabulary: kinds of day the forecast keeps apart."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DayKind(models.TextChoices):
    WORKDAY = "workday", _("工作日")
    REST_DAY = "rest_day", _("休息日、节假日")
    CAMPAIGN = "campaign", _("活动日")
