from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """Reference and demo data loading; imports other contexts' services only."""

    name = "bianmin.demo"
    label = "demo"
    verbose_name = _("演示数据")
