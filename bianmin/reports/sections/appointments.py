"""预约与上门服务 (appointments selectors)."""

from django.utils.translation import gettext as _

from bianmin.appointments.selectors import period_figures
from bianmin.reports.sections.base import Period, Row, Section, both_periods


def build(period: Period) -> Section:
    now, before = both_periods(period_figures, period)
    people, visits, days = _("人次"), _("次"), _("天")
    return Section(
        key="appointments",
        title=_("预约与上门服务"),
        rows=[
            Row(_("预约（按预约日）"), now.booked, before.booked, people),
            Row(_("预约签到"), now.checked_in, before.checked_in, people),
            Row(_("预约未到"), now.no_shows, before.no_shows, people),
            Row(_("预约取消"), now.cancelled, before.cancelled, people),
            Row(_("上门服务申请"), now.home_visits_requested, before.home_visits_requested, visits),
            Row(_("上门服务完成"), now.home_visits_done, before.home_visits_done, visits),
            Row(_("送证上门"), now.deliveries_done, before.deliveries_done, visits),
            Row(_("覆盖镇（街道）"), now.towns_covered, before.towns_covered, _("个")),
            Row(
                _("申请到上门平均"),
                now.mean_days_request_to_visit,
                before.mean_days_request_to_visit,
                days,
            ),
            Row(
                _("申请到送证平均"),
                now.mean_days_request_to_delivery,
                before.mean_days_request_to_delivery,
                days,
            ),
        ],
    )
