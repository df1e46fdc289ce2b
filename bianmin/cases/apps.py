from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _overdue_panel_context(user: Any) -> dict[str, Any]:
    from bianmin.cases.views import overdue_context

    return overdue_context(user)


def _case_ref(*, center_id: int, number: str) -> Any:
    """The identity context's view of a case: its number and whether it is closed."""
    from types import SimpleNamespace

    from bianmin.cases.enums import FINAL_STATUSES
    from bianmin.cases.selectors import case_get
    from bianmin.core.errors import NotFound
    from bianmin.identity.services import CaseRef

    try:
        case = case_get(user=SimpleNamespace(center_id=center_id), number=number)
    except NotFound:
        return None
    return CaseRef(number=str(case.number), is_closed=case.status in FINAL_STATUSES)


class CasesConfig(AppConfig):
    name = "bianmin.cases"
    label = "cases"
    verbose_name = _("办件")

    def ready(self) -> None:
        from bianmin.cases import selectors
        from bianmin.core.navigation import (
            KioskTile,
            Panel,
            Screen,
            register_kiosk_tile,
            register_panel,
            register_screen,
        )
        from bianmin.core.permissions import Perm, Role
        from bianmin.identity.services import case_lookup_register
        from bianmin.notifications.services import case_links_register

        # Lower contexts never import cases: cases hands them the case facts they need.
        case_links_register(pickup_durations=selectors.case_pickup_durations)
        case_lookup_register(_case_ref)

        register_screen(Screen(_("窗口受理"), "cases:window", Perm.CASE_ACCEPT, order=20))
        register_screen(Screen(_("后台办件"), "cases:queue", Perm.CASE_PROCESS, order=25))
        register_screen(Screen(_("到证登记"), "cases:arrival", Perm.CASE_PROCESS, order=27))
        register_screen(Screen(_("积压看板"), "cases:backlog", Perm.CASE_MONITOR, order=28))
        register_kiosk_tile(
            KioskTile(
                "case_progress",
                _("办件进度"),
                "cases:kiosk_progress",
                icon="📋",
                order=20,
                voice=_("请扫描受理回执上的二维码，或读取身份证查询办件进度"),
            )
        )
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
