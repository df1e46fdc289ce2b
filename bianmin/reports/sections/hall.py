"""来访与等候: visits, tickets by category, waits and no-shows (hall selectors)."""

from django.utils.translation import gettext as _

from bianmin.catalogue.enums import Category
from bianmin.hall.selectors import period_figures
from bianmin.reports.sections.base import Chart, Period, Row, Section, both_periods


def build(period: Period) -> Section:
    now, before = both_periods(period_figures, period)
    people, minutes = _("人次"), _("分钟")
    rows = [
        Row(_("来访人次（取号）"), now.visits, before.visits, people),
        Row(_("办结号票"), now.served, before.served, people),
        Row(_("过号未到"), now.no_shows, before.no_shows, people),
        Row(_("等候时间中位数"), now.median_wait_minutes, before.median_wait_minutes, minutes),
        Row(_("等候时间90%分位"), now.p90_wait_minutes, before.p90_wait_minutes, minutes),
        Row(_("最长等候"), now.longest_wait_minutes, before.longest_wait_minutes, minutes),
        Row(_("上岗窗口民警"), now.officers_at_windows, before.officers_at_windows, _("人")),
    ]
    categories = [(value, str(label)) for value, label in Category.choices]
    rows += [
        Row(
            _("取号·%(category)s") % {"category": label},
            now.by_category.get(value, 0),
            before.by_category.get(value, 0),
            people,
        )
        for value, label in categories
    ]
    chart = Chart(
        labels=[label for _v, label in categories],
        series=[
            (_("本期"), [float(now.by_category.get(v, 0)) for v, _l in categories]),
            (_("对比期"), [float(before.by_category.get(v, 0)) for v, _l in categories]),
        ],
        unit=people,
    )
    return Section(
        key="hall",
        title=_("来访与等候"),
        rows=rows,
        chart=chart,
        note=_("等候时间：取号至首次叫号；分位数按最近秩法。"),
    )
