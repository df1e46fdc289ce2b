from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "bianmin.notifications"
    label = "notifications"
    verbose_name = _("短信平台")

    def ready(self) -> None:
        from bianmin.core.navigation import Panel, Screen, register_panel, register_screen
        from bianmin.core.permissions import Perm, Role
        from bianmin.notifications import views

        register_screen(Screen(_("短信平台"), "notifications:dashboard", Perm.SMS_SEND, order=60))
        register_screen(Screen(_("到证通知"), "notifications:batch_list", Perm.SMS_SEND, order=61))
        register_screen(
            Screen(_("短信模板"), "notifications:template_list", Perm.SMS_TEMPLATE_EDIT, order=62)
        )
        register_panel(
            Panel(
                "notifications/_home_panel.html",
                views.home_panel,
                roles=frozenset({Role.DIRECTOR, Role.SHIFT_LEADER}),
                order=20,
            )
        )
