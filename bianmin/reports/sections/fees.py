"""收费与减免 (fees selectors)."""

from django.utils.translation import gettext as _

from bianmin.fees.selectors import period_figures
from bianmin.reports.sections.base import Period, Row, Section, both_periods, yuan


def build(period: Period) -> Section:
    now, before = both_periods(period_figures, period)
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
