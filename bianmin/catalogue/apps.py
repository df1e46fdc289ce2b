from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogueConfig(AppConfig):
    name = "bianmin.catalogue"
    label = "catalogue"
    verbose_name = _("事项目录")

    def ready(self) -> None:
        from bianmin.core.navigation import Panel, Screen, register_panel, register_screen
        from bianmin.core.permissions import Perm, Role

        register_screen(
            Screen(_("事项目录"), "catalogue:manage_list", Perm.CATALOGUE_EDIT, order=80)
        )
        register_screen(Screen(_("工作日历"), "catalogue:calendar", Perm.CALENDAR_EDIT, order=81))
        register_panel(
            Panel(
                "catalogue/_calendar_panel.html",
                calendar_panel,
                roles=frozenset({Role.DIRECTOR}),
                order=1,
            )
        )

        from django.db.models.signals import post_delete, post_save

        from bianmin.catalogue.models import FeeVariant, Material, ServiceItem
        from bianmin.catalogue.selectors import guide_forget

        def forget_guide(sender: object, **kwargs: object) -> None:
            guide_forget()

        # What the public guide shows; fees connects its waiver policies (apps.ready there).
        for model in (ServiceItem, Material, FeeVariant):
            post_save.connect(forget_guide, sender=model, weak=False)
            post_delete.connect(forget_guide, sender=model, weak=False)


def calendar_panel(user: object) -> dict[str, object]:
    from bianmin.core import clock
    from bianmin.core.services import calendar_warnings

    # A center's director reads the province-wide calendar; only a province account enters it.
    return {
        "warnings": calendar_warnings(today=clock.today()),
        "may_edit": getattr(user, "center_id", 0) is None,
    }
