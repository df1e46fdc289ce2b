"""Writes of the SMS platform, one module per sub-domain, re-exported here as the public API.

``common`` (signature, phone, quiet hours, scheduling), ``templates``, ``sending`` (enqueue),
``delivery`` (workers), ``recovery`` (watchdog, receipts, retry), ``batches``, ``dispatch``
(a list the caller prepared, sent in one click: cases' arrival lists), ``reminders``.

Delivery protocol (closing GOV.UK Notify's at-least-once gap, see the README section):

1. Every message row exists (status ``queued``, unique ``dedupe_key``, unique ``reference``)
   before anything is sent; it is created in the caller's transaction and the send task is
   scheduled on commit.
2. A worker *claims* the row with one conditional UPDATE (``WHERE status='queued' AND
   next_attempt_at <= now``) and checks the row count; only the single winner calls the gateway.
   Two workers, a replayed task or a double click can never both get past this line.
3. The gateway receives our ``reference`` (Alibaba ``OutId`` / Tencent ``SessionContext``).
4. The answer is written with another conditional UPDATE that also matches the claim token.
   An ambiguous answer (timeout after the request left) leaves the row in ``sending``.
5. A watchdog takes rows ``sending`` for longer than the client timeout can explain and *asks
   the gateway* (``gateway.query(reference=…)``) before anything is resent: found → sent /
   delivered / failed, not found → back to ``queued`` under a new claim.
"""

from bianmin.notifications.case_links import case_links_register
from bianmin.notifications.services.batches import Recipient, batch_cancel, messages_bulk_create
from bianmin.notifications.services.common import (
    SmsError,
    center_signature_or_default,
    clean_phone,
    local_now,
    phone_index,
    quiet_hours,
    quiet_resume,
)
from bianmin.notifications.services.delivery import message_deliver
from bianmin.notifications.services.dispatch import (
    BATCH_TEMPLATES,
    BatchRowDraft,
    PreparedNotice,
    batch_dispatch,
    batch_draft_create,
    batch_template_code,
    case_notice_sent,
)
from bianmin.notifications.services.recovery import (
    batches_finish,
    message_retry,
    messages_watchdog,
    receipts_process,
)
from bianmin.notifications.services.reminders import (
    appointment_reminder_enqueue,
    pickup_reminders_send,
)
from bianmin.notifications.services.sending import case_notice_key, sms_enqueue
from bianmin.notifications.services.templates import (
    PROVINCE_ONLY_MESSAGE,
    may_edit_templates,
    notifications_load_reference,
    template_approve,
    template_check,
    template_get_approved,
    template_preview,
    template_save,
)

__all__ = [
    "BATCH_TEMPLATES",
    "PROVINCE_ONLY_MESSAGE",
    "BatchRowDraft",
    "PreparedNotice",
    "Recipient",
    "SmsError",
    "appointment_reminder_enqueue",
    "batch_cancel",
    "batch_dispatch",
    "batch_draft_create",
    "batch_template_code",
    "batches_finish",
    "case_links_register",
    "case_notice_key",
    "case_notice_sent",
    "center_signature_or_default",
    "clean_phone",
    "local_now",
    "may_edit_templates",
    "message_deliver",
    "message_retry",
    "messages_bulk_create",
    "messages_watchdog",
    "notifications_load_reference",
    "phone_index",
    "pickup_reminders_send",
    "quiet_hours",
    "quiet_resume",
    "receipts_process",
    "sms_enqueue",
    "template_approve",
    "template_check",
    "template_get_approved",
    "template_preview",
    "template_save",
]
