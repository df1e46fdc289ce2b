from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeesConfig(AppConfig):
    name = "bianmin.fees"
    label = "fees"
    verbose_name = _("收费减免")

    def ready(self) -> None:
        from bianmin.catalogue.selectors import price_display_register, price_scope_register
        from bianmin.core.navigation import Panel, Screen, register_panel, register_screen
        from bianmin.core.permissions import Perm, Role
        from bianmin.fees.selectors import director_panel, guide_price_scope, guide_price_texts

        # The public guide shows what a citizen pays today, waivers included.
        price_display_register(guide_price_texts)
        price_scope_register(guide_price_scope)
        # The guide is cached per version (catalogue.selectors.guide_list_cached): a waiver
        # policy changes its prices. A center needs no signal: the cache key holds the scope
        # (`guide_price_scope`: the code of an existing center), which a new, renamed or
        # removed center changes by itself.
        from django.db.models.signals import post_delete, post_save

        from bianmin.catalogue.selectors import guide_forget
        from bianmin.fees.models import WaiverPolicy

        def forget_guide(sender: object, **kwargs: object) -> None:
            guide_forget()

        post_save.connect(forget_guide, sender=WaiverPolicy, weak=False)
        post_delete.connect(forget_guide, sender=WaiverPolicy, weak=False)

        register_screen(Screen(_("收费"), "fees:counter", Perm.FEE_COLLECT, order=40))
        register_screen(Screen(_("收费记录"), "fees:payments", Perm.FEE_COLLECT, order=41))
        register_screen(Screen(_("我的日结"), "fees:drawer", Perm.FEE_COLLECT, order=42))
        register_screen(Screen(_("收费对账"), "fees:reconciliation", Perm.REPORT_VIEW, order=43))
        register_screen(Screen(_("退费审批"), "fees:refunds", Perm.REFUND_APPROVE, order=44))
        register_screen(Screen(_("节约台账"), "fees:ledger", Perm.REPORT_VIEW, order=45))
        register_screen(Screen(_("减免政策"), "fees:policies", Perm.FEE_POLICY_EDIT, order=46))
        register_screen(
            Screen(
                _("办证活动"),
                "fees:campaigns",
                roles=frozenset({Role.DIRECTOR, Role.SHIFT_LEADER}),
                order=47,
            )
        )
        register_panel(
            Panel(
                "fees/panel_savings.html",
                director_panel,
                roles=frozenset({Role.DIRECTOR}),
                order=10,
            )
        )
        from bianmin.audit.targets import register_target

        register_target(
            "fees.payment",
            noun=_("收费"),
            label_field="receipt_number",
            search_field=("receipt_number", "case_number"),
        )
