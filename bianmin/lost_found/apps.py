from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LostFoundConfig(AppConfig):
    name = "bianmin.lost_found"
    label = "lost_found"
    verbose_name = _("失物招领")

    def ready(self) -> None:
        from bianmin.core.navigation import (
            KioskTile,
            Screen,
            register_kiosk_tile,
            register_screen,
        )
        from bianmin.core.permissions import Perm

        register_screen(
            Screen(_("拾物登记"), "lost_found:intake", Perm.FOUND_ITEM_REGISTER, order=60)
        )
        register_screen(Screen(_("失物招领"), "lost_found:items", Perm.FOUND_ITEM_MANAGE, order=61))
        register_screen(Screen(_("招领统计"), "lost_found:stats", Perm.LOST_FOUND_STATS, order=62))
        register_kiosk_tile(
            KioskTile(
                "found_items",
                _("失物招领"),
                "lost_found:kiosk_found",
                icon="🔍",
                order=50,
                voice=_("请点击物品类别，查看拾得物招领信息"),
            )
        )
        register_kiosk_tile(
            KioskTile(
                "lost_report",
                _("寻物登记"),
                "lost_found:kiosk_report",
                icon="📝",
                order=51,
                voice=_("请选择丢失物品的类别、颜色和地点，并输入手机号码"),
            )
        )
