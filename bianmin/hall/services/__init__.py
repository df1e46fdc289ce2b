"""Every write of the hall, by sub-domain; other contexts import from here.

* `issuing`: ticket_issue, ticket_set_phone, ticket_priority_decide, waiting_tally_prune
* `windows`: window_sign_in / _sign_out / _pause / _resume
* `calling`: ticket_call_next, _recall, _no_show, _finish, _transfer, _park, _unpark
* `near`: the near-turn SMS
* `configuration`: hall_settings_update

Each runs in one transaction and records through `_common.change_record` (event + audit +
push after commit); the ticket's transitions are `hall.pipeline`.
"""

from bianmin.hall.services._common import atomic_write
from bianmin.hall.services.calling import (
    ticket_call_next,
    ticket_finish,
    ticket_no_show,
    ticket_park,
    ticket_recall,
    ticket_transfer,
    ticket_unpark,
)
from bianmin.hall.services.configuration import hall_settings_update
from bianmin.hall.services.issuing import (
    MAX_ITEMS_PER_TICKET,
    center_is_open,
    ticket_issue,
    ticket_priority_decide,
    ticket_set_phone,
    waiting_tally_prune,
)
from bianmin.hall.services.kiosk import guide_call_answer, guide_call_request
from bianmin.hall.services.near import (
    ticket_near_sms,
    ticket_notify_near,
    ticket_notify_near_queued,
)
from bianmin.hall.services.windows import (
    window_pause,
    window_resume,
    window_sign_in,
    window_sign_out,
)

__all__ = [
    "MAX_ITEMS_PER_TICKET",
    "atomic_write",
    "center_is_open",
    "guide_call_answer",
    "guide_call_request",
    "hall_settings_update",
    "ticket_call_next",
    "ticket_finish",
    "ticket_issue",
    "ticket_near_sms",
    "ticket_no_show",
    "ticket_notify_near",
    "ticket_notify_near_queued",
    "ticket_park",
    "ticket_priority_decide",
    "ticket_recall",
    "ticket_set_phone",
    "ticket_transfer",
    "ticket_unpark",
    "waiting_tally_prune",
    "window_pause",
    "window_resume",
    "window_sign_in",
    "window_sign_out",
]
