from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "bianmin.accounts"
    label = "accounts"
    verbose_name = _("人员与权限")

    def ready(self) -> None:
        from bianmin.core.navigation import Screen, register_screen
        from bianmin.core.permissions import Perm

        register_screen(
            Screen(_("人员与授权"), "accounts:staff_list", Perm.AUTHORIZATION_GRANT, order=85)
        )
