"""Writes of ratings and complaints, one module per sub-domain, re-exported as the public API.

``events`` (service events and the subscribers of the lower contexts' events), ``ratings``
(the citizen's rating by token, phone-callback ratings), ``pads`` (评价器 pairing and offers),
``rectification`` (差评整改, 复核, 申诉), ``complaints`` (诉求), ``settings``.
"""

from bianmin.ratings.services.common import new_request_key, settings_for
from bianmin.ratings.services.complaints import (
    complaint_assign,
    complaint_close,
    complaint_note_add,
    complaint_submit,
    suggestion_adopt,
)
from bianmin.ratings.services.events import (
    officer_satisfaction_facts,
    on_case_accepted,
    on_case_picked_up,
    on_desk_request_closed,
    on_home_visit_done,
    on_ticket_finished,
    rating_link,
    rating_tokens_purge,
    service_event_record,
    token_issue,
)
from bianmin.ratings.services.export import ratings_upload
from bianmin.ratings.services.pads import (
    pad_code_issue,
    pad_from_key,
    pad_pair,
    pad_pending,
    pad_token,
    token_for_kiosk,
    token_for_ticket,
)
from bianmin.ratings.services.ratings import Submitted, rating_enter_callback, rating_submit
from bianmin.ratings.services.rectification import (
    appeal_decide,
    appeal_file,
    rectification_callback,
    rectification_citizen_answer,
    rectification_citizen_reply,
    rectification_for_token,
    rectification_resolve,
    rectification_review,
)
from bianmin.ratings.services.settings import rating_settings_update

__all__ = [
    "Submitted",
    "appeal_decide",
    "appeal_file",
    "complaint_assign",
    "complaint_close",
    "complaint_note_add",
    "complaint_submit",
    "new_request_key",
    "officer_satisfaction_facts",
    "on_case_accepted",
    "on_case_picked_up",
    "on_desk_request_closed",
    "on_home_visit_done",
    "on_ticket_finished",
    "pad_code_issue",
    "pad_from_key",
    "pad_pair",
    "pad_pending",
    "pad_token",
    "rating_enter_callback",
    "rating_link",
    "rating_settings_update",
    "rating_submit",
    "rating_tokens_purge",
    "ratings_upload",
    "rectification_callback",
    "rectification_citizen_answer",
    "rectification_citizen_reply",
    "rectification_for_token",
    "rectification_resolve",
    "rectification_review",
    "service_event_record",
    "settings_for",
    "suggestion_adopt",
    "token_for_kiosk",
    "token_for_ticket",
    "token_issue",
]
