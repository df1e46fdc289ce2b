from django.db import models
from django.utils.translation import gettext_lazy as _


class Category(models.TextChoices):
    HOUSEHOLD = "household", _("户政")
    TRAFFIC = "traffic", _("交管")
    PUBLIC_ORDER = "public_order", _("治安")
    EXIT_ENTRY = "exit_entry", _("出入境")
    NARCOTICS = "narcotics", _("禁毒")
    CYBER = "cyber", _("网安")


# Ticket number prefix per category (A012 …), for the citizen's orientation in the hall.
CATEGORY_PREFIX = {
    Category.HOUSEHOLD: "A",
    Category.TRAFFIC: "B",
    Category.PUBLIC_ORDER: "C",
    Category.EXIT_ENTRY: "D",
    Category.NARCOTICS: "E",
    Category.CYBER: "F",
}


class Stage(models.TextChoices):
    ACCEPT = "accept", _("受理")
    REVIEW = "review", _("审核")
    APPROVE = "approve", _("审批")
    PRODUCTION = "production", _("制证")
    ARRIVAL = "arrival", _("到证")
    PICKUP = "pickup", _("领证")
    CLOSED = "closed", _("办结")


class Channel(models.TextChoices):
    WINDOW = "window", _("窗口")
    KIOSK = "kiosk", _("自助机")
    ONLINE = "online", _("网上办")
    HOME_VISIT = "home_visit", _("上门服务")
