"""Writes of the appointments context, by sub-domain, re-exported here as the public API.

* `booking`: appointment_book / _cancel / _move
* `checkin`: appointment_check_in, no_shows_sweep
* `schedule`: booking_rules_save, capacity_override_save, opening_save / _delete,
  closure_create, reminders_send
* `home_visits`: visit_code_send, home_visit_request / _review / _capture / _deliver,
  team_save, routes_plan, deliveries_sync
"""

from bianmin.appointments.services.booking import (
    BookingInput,
    appointment_book,
    appointment_cancel,
    appointment_move,
)
from bianmin.appointments.services.checkin import (
    CheckInResult,
    appointment_check_in,
    no_shows_sweep,
)
from bianmin.appointments.services.home_visits import (
    CaptureInput,
    PlanResult,
    VisitInput,
    day_sheet_visits,
    deliveries_sync,
    home_visit_capture,
    home_visit_deliver,
    home_visit_open,
    home_visit_request,
    home_visit_review,
    photo_problems,
    routes_plan,
    team_save,
    visit_code_send,
)
from bianmin.appointments.services.schedule import (
    ClosureResult,
    booking_rules_save,
    capacity_override_save,
    closure_create,
    opening_delete,
    opening_save,
    reminders_send,
)

__all__ = [
    "BookingInput",
    "CaptureInput",
    "CheckInResult",
    "ClosureResult",
    "PlanResult",
    "VisitInput",
    "appointment_book",
    "appointment_cancel",
    "appointment_check_in",
    "appointment_move",
    "booking_rules_save",
    "capacity_override_save",
    "closure_create",
    "day_sheet_visits",
    "deliveries_sync",
    "home_visit_capture",
    "home_visit_deliver",
    "home_visit_open",
    "home_visit_request",
    "home_visit_review",
    "no_shows_sweep",
    "opening_delete",
    "opening_save",
    "photo_problems",
    "reminders_send",
    "routes_plan",
    "team_save",
    "visit_code_send",
]
