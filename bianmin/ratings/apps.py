from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RatingsConfig(AppConfig):
    name = "bianmin.ratings"
    label = "ratings"
    verbose_name = _("好差评与诉求")

    def ready(self) -> None:
        from bianmin.appointments.events import HomeVisitDone
        from bianmin.cases.events import CaseAccepted, CasePickedUp
        from bianmin.core.events import subscribe
        from bianmin.core.navigation import (
            KioskTile,
            Panel,
            Screen,
            register_kiosk_tile,
            register_panel,
            register_screen,
        )
        from bianmin.core.permissions import Perm, Role
        from bianmin.family_desk.events import DeskRequestClosed
        from bianmin.hall.events import TicketFinished
        from bianmin.ratings import fragments, services
        from bianmin.standards.services import satisfaction_source_register

        subscribe(TicketFinished, services.on_ticket_finished)
        subscribe(CaseAccepted, services.on_case_accepted)
        subscribe(CasePickedUp, services.on_case_picked_up)
        subscribe(DeskRequestClosed, services.on_desk_request_closed)
        subscribe(HomeVisitDone, services.on_home_visit_done)
        satisfaction_source_register(services.officer_satisfaction_facts)

        register_screen(Screen(_("差评整改"), "ratings:board", Perm.RATING_MANAGE, order=40))
        register_screen(Screen(_("群众诉求"), "ratings:complaints", Perm.RATING_MANAGE, order=41))
        register_screen(Screen(_("好差评统计"), "ratings:figures", Perm.RATING_FIGURES, order=42))
        register_screen(Screen(_("评价器"), "ratings:pads", Perm.RATING_PAD_PAIR, order=43))
        register_screen(Screen(_("我的评价"), "ratings:mine", Perm.RATING_APPEAL, order=44))
        register_panel(
            Panel(
                "ratings/_alerts_panel.html",
                fragments.alerts_panel,
                roles=frozenset({Role.SHIFT_LEADER, Role.DIRECTOR}),
                order=25,
            )
        )
        register_kiosk_tile(
            KioskTile(
                key="rating",
                label=_("评价服务"),
                url_name="ratings:kiosk",
                icon="⭐",
                order=60,
                voice=_("请输入您的排队号码，对刚才的服务进行评价"),
            )
        )
        register_kiosk_tile(
            KioskTile(
                key="complaint",
                label=_("意见建议"),
                url_name="ratings:kiosk_complaint",
                icon="💬",
                order=61,
                voice=_("请写下您的意见或建议"),
            )
        )
        fragments.register_position_fragment()
