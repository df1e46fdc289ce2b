from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _overdue_panel_context(user: Any) -> dict[str, Any]:
    from bianmin.cases.views import overdue_context

    return overdue_context(user)


class CasesConfig(AppConfig):
    name = "bianmin.cases"
    label = "cases"
    verbose_name = _("办件")

    def ready(self) -> None:
        from bianmin.core.navigation import Panel, Screen, register_panel, register_screen
        from bianmin.core.permissions import Perm, Role

        register_screen(Screen(_("窗口受理"), "cases:window", Perm.CASE_ACCEPT, order=20))
        register_screen(Screen(_("后台办件"), "cases:queue", Perm.CASE_PROCESS, order=25))
        register_screen(Screen(_("到证登记"), "cases:arrival", Perm.CASE_PROCESS, order=27))
        register_screen(Screen(_("积压看板"), "cases:backlog", Perm.CASE_MONITOR, order=28))
        register_panel(
            Panel(
                "cases/panels/overdue.html",
                _overdue_panel_context,
                roles=frozenset({Role.SHIFT_LEADER, Role.DIRECTOR}),
                order=20,
            )
        )
        from bianmin.audit.targets import register_target

        register_target("cases.case", label_field="number", search_field="number")
