"""审计链检查点: the newest signed checkpoint before the end of each period (audit selectors)."""

from datetime import datetime, time, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from bianmin.audit.selectors import checkpoint_as_of
from bianmin.core import clock
from bianmin.reports.sections.base import Period, Row, Section


def build(period: Period) -> Section:
    zone = timezone.get_current_timezone()
    now = checkpoint_as_of(
        center_id=period.center_id,
        before=datetime.combine(period.end + timedelta(days=1), time.min, tzinfo=zone),
    )
    before = checkpoint_as_of(
        center_id=period.center_id,
        before=datetime.combine(period.previous_end + timedelta(days=1), time.min, tzinfo=zone),
    )
    rows = [
        Row(
            _("审计记录数（截至检查点）"),
            now.entry_count if now else None,
            before.entry_count if before else None,
            _("条"),
        ),
    ]
    if now is not None:
        note = _("检查点 %(at)s，第 %(seq)s 条，末条哈希 %(hash)s（已签名）。") % {
            "at": clock.local(now.created_at).strftime("%Y-%m-%d %H:%M"),
            "seq": now.seq,
            "hash": now.head_hash[:16],
        }
    else:
        note = _("期末之前尚无审计链检查点。")
    return Section(key="audit", title=_("审计链检查点"), rows=rows, note=note)
