from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrafficConfig(AppConfig):
    name = "bianmin.traffic"
    label = "traffic"
    verbose_name = _("交通违法查询")

    def ready(self) -> None:
        from bianmin.core.navigation import KioskTile, register_kiosk_tile

        register_kiosk_tile(
            KioskTile(
                "traffic",
                _("交通违法查询"),
                "traffic:kiosk",
                icon="🚗",
                order=60,
                voice=_("请读取身份证，或输入车牌号码和车辆识别代号后六位查询交通违法"),
            )
        )
