"""短信 (notifications selectors)."""

from django.utils.translation import gettext as _

from bianmin.notifications.selectors import period_figures
from bianmin.reports.sections.base import Period, Row, Section, both_periods


def build(period: Period) -> Section:
    now, before = both_periods(period_figures, period)
    unit = _("条")
    return Section(
        key="sms",
        title=_("短信提醒"),
        rows=[
            Row(_("发送"), now.sent, before.sent, unit),
            Row(_("计费条数"), now.segments, before.segments, unit),
            Row(_("送达回执"), now.delivered, before.delivered, unit),
            Row(_("发送失败"), now.failed, before.failed, unit),
        ],
    )
