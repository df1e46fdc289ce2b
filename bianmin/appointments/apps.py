from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AppointmentsConfig(AppConfig):
    name = "bianmin.appointments"
    label = "appointments"
    verbose_name = _("预约与上门服务")

    def ready(self) -> None:
        from bianmin.appointments.panels import director_panel
        from bianmin.core.navigation import (
            KioskTile,
            Panel,
            Screen,
            register_kiosk_tile,
            register_panel,
            register_screen,
        )
        from bianmin.core.permissions import Perm, Role

        register_panel(
            Panel(
                "appointments/panel.html",
                director_panel,
                roles=frozenset({Role.DIRECTOR, Role.SHIFT_LEADER}),
                order=30,
            )
        )

        register_screen(
            Screen(_("预约签到"), "appointments:desk", Perm.APPOINTMENT_MANAGE, order=70)
        )
        register_screen(
            Screen(_("预约设置"), "appointments:settings", Perm.APPOINTMENT_CONFIGURE, order=71)
        )
        register_screen(
            Screen(_("上门服务"), "appointments:visits", Perm.HOME_VISIT_VIEW, order=72)
        )
        register_kiosk_tile(
            KioskTile(
                key="appointment_book",
                label=_("预约"),
                url_name="appointments:kiosk_book",
                icon="📅",
                order=20,
                voice=_("请选择要预约的事项和时间"),
            )
        )
        register_kiosk_tile(
            KioskTile(
                key="appointment_check_in",
                label=_("预约签到"),
                url_name="appointments:kiosk_check_in",
                icon="✅",
                order=21,
                voice=_("请输入预约码或身份证号码签到"),
            )
        )
        register_kiosk_tile(
            KioskTile(
                key="appointment_cancel",
                label=_("取消预约"),
                url_name="appointments:kiosk_cancel",
                icon="✖",
                order=22,
                voice=_("请输入预约码和手机号码后四位"),
            )
        )
