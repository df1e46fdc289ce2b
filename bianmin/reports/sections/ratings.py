"""好差评与诉求 (ratings selectors)."""

from django.utils.translation import gettext as _

from bianmin.ratings.selectors import period_figures
from bianmin.reports.sections.base import Period, Row, Section, both_periods


def _percent(rate: float | None) -> float | None:
    return None if rate is None else round(100 * rate, 1)


def build(period: Period) -> Section:
    now, before = both_periods(period_figures, period)
    rated, task = _("条"), _("件")
    return Section(
        key="ratings",
        title=_("好差评与诉求"),
        rows=[
            Row(_("群众评价"), now.rated, before.rated, rated),
            Row(
                _("满意率"),
                _percent(now.satisfaction_rate),
                _percent(before.satisfaction_rate),
                "%",
            ),
            Row(_("差评"), now.bad, before.bad, rated),
            Row(_("整改按期完成"), now.rectified_on_time, before.rectified_on_time, task),
            Row(_("整改未结"), now.rectifications_open, before.rectifications_open, task),
            Row(_("整改超期"), now.rectifications_overdue, before.rectifications_overdue, task),
            Row(_("收到诉求"), now.complaints_received, before.complaints_received, task),
            Row(_("答复诉求"), now.complaints_answered, before.complaints_answered, task),
        ],
    )
