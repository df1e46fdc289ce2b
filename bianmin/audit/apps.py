from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "bianmin.audit"
    label = "audit"
    verbose_name = _("审计日志")

    def ready(self) -> None:
        from bianmin.core.navigation import Screen, register_screen
        from bianmin.core.permissions import Perm

        register_screen(Screen(_("审计日志"), "audit:search", Perm.AUDIT_VIEW, order=90))
