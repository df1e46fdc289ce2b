"""失物招领 (lost_found selectors)."""

from django.utils.translation import gettext as _

from bianmin.lost_found.selectors import period_figures
from bianmin.reports.sections.base import Period, Row, Section, both_periods


def build(period: Period) -> Section:
    now, before = both_periods(period_figures, period)
    unit = _("件")
    return Section(
        key="lost_found",
        title=_("失物招领"),
        rows=[
            Row(_("拾得物登记"), now.found_registered, before.found_registered, unit),
            Row(_("认领交还"), now.returned, before.returned, unit),
            Row(_("寻物登记"), now.lost_reports, before.lost_reports, unit),
            Row(_("依法处置"), now.disposed, before.disposed, unit),
            Row(_("期末在库"), now.in_custody_at_end, before.in_custody_at_end, unit),
        ],
    )
