"""Choices of the traffic-violation query (values are part of the API)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class QueryBy(models.TextChoices):
    ID_CARD = "id_card", _("读取身份证（驾驶人）")
    VEHICLE = "vehicle", _("车牌号码 + 车辆识别代号后六位")


class PlateType(models.TextChoices):
    """号牌种类 (GA 24.7): the two a county hall sees most."""

    SMALL = "02", _("小型汽车")
    LARGE = "01", _("大型汽车")
    NEW_ENERGY_SMALL = "52", _("小型新能源汽车")
    MOTORCYCLE = "07", _("普通摩托车")


class HandlingState(models.TextChoices):
    UNHANDLED = "unhandled", _("未处理")
    HANDLED = "handled", _("已处理")
