from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeesConfig(AppConfig):
    name = "bianmin.fees"
    label = "fees"
    verbose_name = _("收费减免")
