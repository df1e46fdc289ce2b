from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogueConfig(AppConfig):
    name = "bianmin.catalogue"
    label = "catalogue"
    verbose_name = _("事项目录")

    def ready(self) -> None:
        from bianmin.accounts.navigation import Screen, register_screen
        from bianmin.accounts.permissions import Perm

        register_screen(
            Screen(_("事项目录"), "catalogue:manage_list", Perm.CATALOGUE_EDIT, order=80)
        )
        register_screen(Screen(_("工作日历"), "catalogue:calendar", Perm.CALENDAR_EDIT, order=81))
