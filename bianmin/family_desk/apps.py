from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FamilyDeskConfig(AppConfig):
    name = "bianmin.family_desk"
    label = "family_desk"
    verbose_name = _("惠民暖警服务台")

    def ready(self) -> None:
        from bianmin.core.navigation import (
            Landing,
            Panel,
            Screen,
            register_landing,
            register_panel,
            register_screen,
        )
        from bianmin.core.permissions import Perm, Role

        register_screen(Screen(_("服务台"), "family_desk:board", Perm.DESK_HANDLE, order=30))
        register_landing(Landing(Role.DESK_OFFICER, "family_desk:board", Perm.DESK_HANDLE))
        register_screen(Screen(_("办事指南汇编"), "family_desk:guide", Perm.DESK_ASK, order=31))
        register_screen(Screen(_("惠民暖警"), "family_desk:mine", Perm.DESK_ASK, order=32))
        register_screen(Screen(_("服务台统计"), "family_desk:figures", Perm.DESK_FIGURES, order=33))
        register_panel(
            Panel(
                "family_desk/_counts_panel.html",
                counts_panel,
                roles=frozenset({Role.DIRECTOR, Role.DESK_OFFICER}),
                order=20,
            )
        )


def counts_panel(user: object) -> dict[str, object]:
    """Counts only: how many requests are open and overdue, never what they say."""
    from bianmin.family_desk.selectors import desk_figures

    center_id = getattr(user, "center_id", None)
    if center_id is None:
        return {"desk": None}
    return {"desk": desk_figures(center_id=center_id, months=1)}
