from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StandardsConfig(AppConfig):
    name = "bianmin.standards"
    label = "standards"
    verbose_name = _("规范化管理")

    def ready(self) -> None:
        from bianmin.core.navigation import Panel, Screen, register_panel, register_screen
        from bianmin.core.permissions import Perm, Role

        register_screen(Screen(_("练兵考试"), "standards:training", Perm.TRAINING_TAKE, order=40))
        register_screen(Screen(_("授权看板"), "standards:board", Perm.STARS_VIEW, order=41))
        register_screen(Screen(_("三颗星"), "standards:stars", Perm.STARS_VIEW, order=42))
        register_screen(Screen(_("双随机检查"), "standards:draws", Perm.INSPECTION_DRAW, order=43))
        register_screen(Screen(_("排班"), "standards:roster", Perm.ABSENCE_RECORD, order=44))
        register_panel(
            Panel(
                "standards/_expiry_panel.html",
                expiry_panel,
                roles=frozenset({Role.OFFICER, Role.SHIFT_LEADER, Role.BACK_OFFICE}),
                order=40,
            )
        )


def expiry_panel(user: object) -> dict[str, object]:
    """The in-app notice: the officer's certificates that expire within 30 days."""
    from bianmin.standards.selectors import certificates_expiring_for

    officer_id = getattr(user, "pk", None)
    if officer_id is None or getattr(user, "center_id", None) is None:
        return {"expiring": []}
    return {"expiring": certificates_expiring_for(officer_id=int(officer_id))}
