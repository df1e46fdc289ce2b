from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlannerConfig(AppConfig):
    name = "bianmin.planner"
    label = "planner"
    verbose_name = _("排班测算")

    def ready(self) -> None:
        from bianmin.core.navigation import Screen, register_screen
        from bianmin.core.permissions import Perm

        register_screen(Screen(_("排班测算"), "planner:plan", Perm.STAFFING_PLAN, order=15))
