"""Thin HTML layer of the cases context, one module per screen group; urls.py uses these names."""

from bianmin.cases.views.arrival import arrival, arrival_batch_send, arrival_list
from bianmin.cases.views.backoffice import case_detail, queue, queue_action, receipt_slip
from bianmin.cases.views.guide import checklist, guide_checklist
from bianmin.cases.views.kiosk import kiosk_progress
from bianmin.cases.views.monitoring import backlog, overdue_context, overdue_panel, progress
from bianmin.cases.views.window import (
    applicant_lookup,
    face_status,
    id_check,
    inquiry_action,
    ticket_case,
    window_action,
    window_page,
    window_panel,
)

__all__ = [
    "applicant_lookup",
    "arrival",
    "arrival_batch_send",
    "arrival_list",
    "backlog",
    "case_detail",
    "checklist",
    "face_status",
    "guide_checklist",
    "id_check",
    "inquiry_action",
    "kiosk_progress",
    "overdue_context",
    "overdue_panel",
    "progress",
    "queue",
    "queue_action",
    "receipt_slip",
    "ticket_case",
    "window_action",
    "window_page",
    "window_panel",
]
