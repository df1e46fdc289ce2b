from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HallConfig(AppConfig):
    name = "bianmin.hall"
    label = "hall"
    verbose_name = _("叫号大厅")

    def ready(self) -> None:
        from bianmin.core.navigation import (
            KioskTile,
            Screen,
            register_kiosk_tile,
            register_screen,
        )
        from bianmin.core.permissions import Perm, Role

        front_desk = frozenset({Role.GUIDE, Role.SHIFT_LEADER})

        register_screen(Screen(_("窗口工作台"), "hall:workspace", Perm.TICKET_CALL, order=10))
        register_screen(
            Screen(_("导办取号"), "hall:guide", Perm.TICKET_ISSUE, front_desk, order=11)
        )
        register_screen(Screen(_("大厅监控"), "hall:board", Perm.HALL_MONITOR, order=12))
        register_screen(Screen(_("叫号大屏"), "hall:display_home", Perm.HALL_MONITOR, order=13))
        register_screen(
            Screen(_("自助取号机"), "hall:kiosk_home", Perm.TICKET_ISSUE, front_desk, order=14)
        )
        register_screen(Screen(_("大厅设置"), "hall:settings", Perm.HALL_CONFIGURE, order=85))
        register_kiosk_tile(
            KioskTile(
                "ticket",
                _("取号"),
                "hall:kiosk_ticket",
                icon="🎫",
                order=10,
                voice=_("请选择要办理的业务，然后按取号"),
            )
        )
        register_kiosk_tile(
            KioskTile(
                "guide",
                _("办事指南"),
                "hall:kiosk_items",
                icon="📖",
                order=40,
                voice=_("请点击要了解的业务，查看需要带的材料、收费和办理时限"),
            )
        )
        from bianmin.audit.targets import register_target

        register_target("hall.ticket", noun=_("取号"), label_field="number", search_field="number")

        from django.db.models.signals import post_delete, post_save

        from bianmin.hall.models import HallSettings, Ticket, WindowSession
        from bianmin.hall.selectors import hall_changed, hall_settings_forget

        def forget_settings(sender: object, instance: HallSettings, **kwargs: object) -> None:
            hall_settings_forget(center_id=instance.center_id)
            hall_changed(center_id=instance.center_id)  # the limit and weights order the line

        def line_changed(sender: object, instance: Ticket | WindowSession, **kw: object) -> None:
            hall_changed(center_id=instance.center_id)

        post_save.connect(forget_settings, sender=HallSettings, weak=False)
        post_delete.connect(forget_settings, sender=HallSettings, weak=False)
        # The services bump the version in `change_record`; these catch every other write
        # (factories, demo data, the admin).
        for model in (Ticket, WindowSession):
            post_save.connect(line_changed, sender=model, weak=False)
            post_delete.connect(line_changed, sender=model, weak=False)
