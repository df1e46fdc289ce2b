"""办件: accepted, concluded, overdue and near-deadline, notices, 容缺 (cases selectors)."""

from django.utils.translation import gettext as _

from bianmin.cases.selectors import period_figures
from bianmin.reports.sections.base import Period, Row, Section, both_periods


def build(period: Period) -> Section:
    now, before = both_periods(period_figures, period)
    unit = _("件")
    return Section(
        key="cases",
        title=_("办件"),
        rows=[
            Row(_("受理"), now.accepted, before.accepted, unit),
            Row(_("其中容缺受理"), now.accepted_with_gaps, before.accepted_with_gaps, unit),
            Row(_("办结"), now.concluded, before.concluded, unit),
            Row(_("终止"), now.terminated, before.terminated, unit),
            Row(_("临期预警"), now.warned, before.warned, unit),
            Row(_("新增超期"), now.became_overdue, before.became_overdue, unit),
            Row(_("期末超期未办结"), now.overdue_open_at_end, before.overdue_open_at_end, unit),
            Row(_("一次性告知单"), now.notices, before.notices, _("份")),
            Row(_("期末容缺待补齐"), now.gaps_pending_at_end, before.gaps_pending_at_end, unit),
        ],
    )
