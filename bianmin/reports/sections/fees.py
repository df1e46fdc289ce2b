"""收费与减免 (fees selectors)."""

from django.utils.translation import gettext as _

from bianmin.fees.selectors import period_figures
from bianmin.reports.sections.base import Period, Row, Section, yuan


def build(period: Period) -> Section:
    now = period_figures(center_id=period.center_id, start=period.start, end=period.end)
    before = period_figures(
        center_id=period.center_id, start=period.previous_start, end=period.previous_end
    )
    money = _("元")
    return Section(
        key="fees",
        title=_("收费与减免"),
        rows=[
            Row(_("收费笔数"), now.payments, before.payments, _("笔")),
            Row(_("实收金额"), yuan(now.collected_fen), yuan(before.collected_fen), money),
            Row(_("减免金额"), yuan(now.waived_fen), yuan(before.waived_fen), money),
            Row(_("全额免收"), now.free_payments, before.free_payments, _("笔")),
            Row(_("退费金额"), yuan(now.refunded_fen), yuan(before.refunded_fen), money),
        ],
        note=_("实收金额已扣除退费。"),
    )
