from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# Each role's work screen after sign-in (URL names; a context may register its own landing
# with a higher priority in its apps.ready). A name that does not exist yet is skipped, so
# the sanitation worker lands on the home page until the lost-and-found intake exists.
DEFAULT_LANDINGS = {
    "officer": "hall:workspace",
    "back_office": "cases:queue",
    "guide": "hall:guide",
    "shift_leader": "hall:board",
    "inspector": "audit:search",
    "sanitation": "lost_found:intake",
    "administrator": "accounts:staff_list",
    # the director's console is the home page with its panels
}


class AccountsConfig(AppConfig):
    name = "bianmin.accounts"
    label = "accounts"
    verbose_name = _("人员与权限")

    def ready(self) -> None:
        from bianmin.core.navigation import Landing, Screen, register_landing, register_screen
        from bianmin.core.permissions import Perm, Role

        register_screen(
            Screen(_("人员与授权"), "accounts:staff_list", Perm.AUTHORIZATION_GRANT, order=85)
        )
        register_screen(Screen(_("服务时间"), "accounts:hours", Perm.HALL_CONFIGURE, order=86))
        for role, url_name in DEFAULT_LANDINGS.items():
            register_landing(Landing(Role(role), url_name, priority=-100))

        from django.db.models.signals import post_delete, post_save

        from bianmin.accounts.models import Center, CenterDayHours, CenterWeekday
        from bianmin.accounts.selectors import center_hours_forget
        from bianmin.core.models import CalendarOverride, CalendarYear

        def forget_hours(sender: object, **kwargs: object) -> None:
            center_hours_forget()

        for model in (Center, CenterWeekday, CenterDayHours, CalendarOverride, CalendarYear):
            post_save.connect(forget_hours, sender=model, weak=False)
            post_delete.connect(forget_hours, sender=model, weak=False)

        from bianmin.accounts.models import ApiToken, Staff
        from bianmin.accounts.services.tokens import api_token_cache_forget

        def forget_tokens(sender: object, **kwargs: object) -> None:
            api_token_cache_forget()

        # A cached token look-up holds the account and its center (services/tokens.py).
        for token_model in (Staff, ApiToken, Center):
            post_save.connect(forget_tokens, sender=token_model, weak=False)
            post_delete.connect(forget_tokens, sender=token_model, weak=False)
