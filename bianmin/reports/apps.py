from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "bianmin.reports"
    label = "reports"
    verbose_name = _("报表")

    def ready(self) -> None:
        from bianmin.core.navigation import Panel, Screen, register_panel, register_screen
        from bianmin.core.permissions import Perm, Role

        register_screen(Screen(_("晨会通报"), "reports:briefings", Perm.BRIEFING_VIEW, order=80))
        register_screen(Screen(_("统计报表"), "reports:report", Perm.REPORT_VIEW, order=81))
        register_screen(Screen(_("成效数据"), "reports:headlines", Perm.REPORT_VIEW, order=82))
        register_screen(Screen(_("大屏"), "reports:screen", Perm.HALL_MONITOR, order=83))
        register_panel(
            Panel(
                "reports/_briefing_panel.html",
                briefing_panel,
                roles=frozenset({Role.SHIFT_LEADER, Role.DIRECTOR}),
                order=5,
            )
        )


def briefing_panel(user: object) -> dict[str, object]:
    """The newest kept briefing's first rows on the shift leader's and director's home."""
    from bianmin.reports.selectors import briefing_latest

    center_id = getattr(user, "center_id", None)
    if center_id is None:
        return {"briefing": None}
    briefing = briefing_latest(center_id=center_id)
    if briefing is None:
        return {"briefing": None}
    hall = next((s for s in briefing.data["sections"] if s["key"] == "hall"), None)
    cases = next((s for s in briefing.data["sections"] if s["key"] == "cases"), None)
    rows = [*(hall["rows"][:3] if hall else []), *(cases["rows"][:3] if cases else [])]
    return {"briefing": briefing, "rows": rows}
