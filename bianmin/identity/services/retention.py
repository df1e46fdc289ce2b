"""Retention: kept frames are deleted once their case closes (or after a backstop age)."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db import transaction

from bianmin.audit.enums import AuditAction
from bianmin.audit.services import audit_record
from bianmin.core import clock
from bianmin.identity.case_links import case_lookup_available, case_ref
from bianmin.identity.models import FaceFrame
from bianmin.identity.services.common import kept_frames_max_days

log = logging.getLogger("bianmin.identity.services")


def _case_closed(number: str, center_id: int) -> bool:
    """Ask the cases context; a case that cannot be found counts as closed (nothing needs
    the frames any more). Without a registered look-up nothing counts as closed: only the
    backstop age deletes frames then."""
    if not case_lookup_available():
        return False
    case = case_ref(center_id=center_id, number=number)
    return case is None or case.is_closed


def face_frames_purge() -> int:
    """Delete kept frames whose case has closed (or that exceed the backstop age). Returns the
    number of frames deleted; one audit entry per case."""
    cutoff = clock.now() - timedelta(days=kept_frames_max_days())
    groups = FaceFrame.objects.values_list("case_number", "center_id").distinct().order_by()
    deleted = 0
    for number, center_id in list(groups):
        closed = _case_closed(number, center_id)
        with transaction.atomic():
            qs = FaceFrame.objects.filter(case_number=number, center_id=center_id)
            if not closed:
                qs = qs.filter(created_at__lt=cutoff)
            count = qs.count()
            if not count:
                continue
            qs.delete()
            deleted += count
            audit_record(
                actor=None,
                action=AuditAction.FACE_FRAMES_DELETED,
                target_type="cases.case",
                target_id=number,
                center_id=center_id,
                after={"frames": count, "reason": "case_closed" if closed else "max_age"},
            )
    return deleted
