"""惠民暖警服务台: counts only, never what a request says (family_desk selectors)."""

from django.utils.translation import gettext as _

from bianmin.family_desk.enums import RequestType
from bianmin.family_desk.selectors import period_figures
from bianmin.reports.sections.base import Period, Row, Section, both_periods


def build(period: Period) -> Section:
    now, before = both_periods(period_figures, period)
    unit = _("件")
    rows = [Row(_("收到诉求"), now.received, before.received, unit)]
    rows += [
        Row(
            _("其中%(type)s") % {"type": label},
            now.by_type.get(value, 0),
            before.by_type.get(value, 0),
            unit,
        )
        for value, label in RequestType.choices
    ]
    rows += [
        Row(_("办结"), now.closed, before.closed, unit),
        Row(_("期末超期未办结"), now.overdue_open_at_end, before.overdue_open_at_end, unit),
    ]
    return Section(key="family_desk", title=_("惠民暖警服务台"), rows=rows)
