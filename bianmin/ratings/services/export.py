"""Sending a month's ratings to the provincial platform through the configured uploader."""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext as _

from bianmin.accounts.selectors import center_default
from bianmin.audit.enums import AuditAction
from bianmin.audit.services import audit_record
from bianmin.core.actors import StaffActor
from bianmin.core.errors import DomainError
from bianmin.core.permissions import Perm
from bianmin.ratings import clients
from bianmin.ratings.errors import RatingError
from bianmin.ratings.selectors import export_rows, month_bounds
from bianmin.ratings.services.common import require


def ratings_upload(*, actor: StaffActor, center_id: int, month: date) -> clients.UploadReceipt:
    own = require(actor, Perm.RATING_DECIDE, _("只有中心主任可以上传好差评数据。"))
    if own != center_id:
        raise DomainError(
            _("只能上传本中心的数据。"), code=RatingError.PERMISSION_DENIED, status=403
        )
    adapter = clients.uploader()
    if adapter is None:
        raise DomainError(
            _("未配置省级好差评平台上传接口，请下载导出文件后人工上传。"), code=RatingError.INVALID
        )
    start, end = month_bounds(month)
    rows = export_rows(center_id=center_id, start=start, end=end)
    center = actor.center or center_default()
    code = str(getattr(center, "code", "") or "")
    try:
        receipt = adapter.upload(center_code=code, month=start, rows=rows)
    except clients.UploadFailed as exc:
        raise DomainError(
            _("上传失败：%(e)s") % {"e": str(exc)[:200]}, code=RatingError.INVALID
        ) from None
    audit_record(
        actor=actor,
        action=AuditAction.RATING_EXPORTED,
        center_id=center_id,
        target_type="ratings.upload",
        target_id=f"{start:%Y-%m}",
        after={"rows": len(rows), "accepted": receipt.accepted, "reference": receipt.reference},
    )
    return receipt
