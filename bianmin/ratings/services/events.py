"""Service events: what may be rated. Subscribers of the hall's, cases' and the desk's events
call `service_event_record`; so will the integrator's one line for home visits."""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta

from django.db import transaction
from django.urls import reverse

from bianmin.appointments.events import HomeVisitDone
from bianmin.appointments.selectors import home_visit_service
from bianmin.cases.events import CaseAccepted, CasePickedUp
from bianmin.core import clock
from bianmin.core.compiled import insert
from bianmin.core.errors import DomainError
from bianmin.core.public_urls import public_url
from bianmin.family_desk.events import DeskRequestClosed
from bianmin.hall.events import TicketFinished
from bianmin.hall.selectors import ticket_phone
from bianmin.notifications.services import sms_enqueue
from bianmin.people.selectors import person_for_enrollment
from bianmin.people.services import phone_index
from bianmin.ratings import wording
from bianmin.ratings.enums import Channel, EventKind
from bianmin.ratings.live import pad_push_on_commit
from bianmin.ratings.models import RatingToken, ServiceEvent
from bianmin.ratings.selectors import officer_month_figures
from bianmin.ratings.services.common import digest, new_secret
from bianmin.standards.services import SatisfactionFacts

log = logging.getLogger(__name__)

TOKEN_DAYS = 7


def token_issue(*, event: ServiceEvent, channel: Channel, now: datetime | None = None) -> str:
    """A fresh one-use token for `event` (only its digest is stored). Valid 7 days from the
    service for an SMS link, 2 hours for a screen in the hall."""
    now = now or clock.now()
    secret = new_secret()
    life = timedelta(days=TOKEN_DAYS) if channel == Channel.SMS else timedelta(hours=2)
    RatingToken.objects.create(
        service_event=event,
        digest=digest(secret),
        channel=channel,
        created_at=now,
        expires_at=(event.at if channel == Channel.SMS else now) + life,
    )
    return secret


def rating_link(token: str) -> str:
    return public_url(reverse("ratings:link", args=[token]))


def service_event_record(
    *,
    center_id: int,
    kind: str,
    reference: str,
    at: datetime,
    officer_id: int | None = None,
    window_code: str = "",
    item_code: str = "",
    case_id: int | None = None,
    case_number: str = "",
    ticket_id: str = "",
    number: str = "",
    phone: str = "",
) -> ServiceEvent:
    """Record one rateable service (once per kind and reference: a replayed event changes
    nothing) and, when the citizen left a phone, queue the SMS link exactly once. Runs inside
    the publisher's transaction; the SMS waits for the end of quiet hours by itself."""
    event = ServiceEvent(
        center_id=center_id,
        kind=kind,
        reference=str(reference)[:40],
        ticket_id=str(ticket_id)[:24],
        number=number[:8],
        case_id=case_id,
        case_number=case_number[:32],
        officer_id=officer_id,
        window_code=window_code[:8],
        item_code=item_code[:40],
        at=at,
        day=clock.local(at).date(),
        has_phone=bool(phone),
    )
    # No look-up first: a replay is rare, and the unique constraint answers it (on every
    # finish: one INSERT … ON CONFLICT DO NOTHING, compiled once, no savepoint).
    if not insert(event, unless_duplicate=True):
        return ServiceEvent.objects.get(
            center_id=center_id, kind=kind, reference=str(reference)[:40]
        )
    if phone:
        _invite_by_sms(event, phone)
    if window_code:
        pad_push_on_commit(center_id, window_code, {"type": "service", "event": event.pk})
    return event


class _AlreadyInvited(Exception):
    """Rolls back the token made for an invitation the citizen already has today."""


def _invite_by_sms(event: ServiceEvent, phone: str) -> None:
    """One SMS invitation per phone, center and day: a visit that finishes a ticket and accepts
    a case (or a pickup with its ticket) is several rateable events, and each stays rateable on
    the pad, the kiosk and the position page, but the citizen's phone gets one link — for the
    first of them. Keyed by the phone's blind index, never the number."""
    dedupe_key = f"rating:{event.center_id}:{event.day.isoformat()}:{phone_index(phone)[:32]}"
    try:
        with transaction.atomic():
            token = token_issue(event=event, channel=Channel.SMS)
            if not sms_enqueue(
                center_id=event.center_id,
                template_code=wording.RATING_INVITE,
                phone=phone,
                params={"link": rating_link(token)},
                dedupe_key=dedupe_key,
                case_id=event.case_id,
            ):
                raise _AlreadyInvited
    except _AlreadyInvited:
        pass
    except DomainError:  # an SMS is best effort; the service itself stays recorded
        log.warning("rating invitation not queued for event %s", event.pk, exc_info=True)


def on_ticket_finished(event: TicketFinished) -> None:
    service_event_record(
        center_id=event.center_id,
        kind=EventKind.TICKET,
        reference=event.ticket_id,
        ticket_id=event.ticket_id,
        number=event.number,
        officer_id=event.officer_id,
        window_code=event.window_code,
        item_code=event.item_codes[0] if event.item_codes else "",
        at=event.finished_at,
        phone=ticket_phone(ticket_id=event.ticket_id) if event.has_phone else "",
    )


def _applicant_phone(applicant_id: int | None) -> str:
    if not applicant_id:
        return ""
    person = person_for_enrollment(person_id=applicant_id)
    return (person.phone or "") if person is not None else ""


def on_case_accepted(event: CaseAccepted) -> None:
    # Accepted at the window during a ticket's visit: that visit is rated on the pad; the
    # acceptance itself gets the SMS (一事一评 for the case).
    service_event_record(
        center_id=event.center_id,
        kind=EventKind.CASE_ACCEPTED,
        reference=str(event.case_id),
        case_id=event.case_id,
        case_number=event.case_number,
        officer_id=event.officer_id,
        item_code=event.item_code,
        at=event.at,
        phone=_applicant_phone(event.applicant_id),
    )


def on_case_picked_up(event: CasePickedUp) -> None:
    service_event_record(
        center_id=event.center_id,
        kind=EventKind.CASE_PICKED_UP,
        reference=str(event.case_id),
        case_id=event.case_id,
        case_number=event.case_number,
        officer_id=event.officer_id,
        item_code=event.item_code,
        at=event.at,
        phone=_applicant_phone(event.applicant_id),
    )


def on_desk_request_closed(event: DeskRequestClosed) -> None:
    service_event_record(
        center_id=event.center_id,
        kind=EventKind.DESK_REQUEST,
        reference=event.number,
        officer_id=event.officer_id,
        at=event.at,
    )


def rating_tokens_purge(*, days: int = 30) -> int:
    """Delete tokens expired more than `days` ago; returns how many."""
    removed, _detail = RatingToken.objects.filter(
        expires_at__lt=clock.now() - timedelta(days=days)
    ).delete()
    return removed


def on_home_visit_done(event: HomeVisitDone) -> None:
    """A home visit is rated like a window service; the link goes to the contact person (the
    applicant is bedridden, elderly or disabled)."""
    service = home_visit_service(center_id=event.center_id, visit_id=event.visit_id)
    service_event_record(
        center_id=event.center_id,
        kind=EventKind.HOME_VISIT,
        reference=str(event.visit_id),
        case_id=event.case_id,
        case_number=service.case_number if service else "",
        officer_id=event.officer_ids[0] if event.officer_ids else None,
        item_code=service.item_code if service else "",
        at=event.done_at,
        phone=service.contact_phone if service else "",
    )


def officer_satisfaction_facts(center_id: int, officer_id: int, month: date) -> SatisfactionFacts:
    """The standards context's 群众满意星 reads an officer's month through this source."""
    figures = officer_month_figures(center_id=center_id, officer_id=officer_id, month=month)
    return SatisfactionFacts(
        rated=figures.rated,
        satisfied=figures.satisfied,
        bad=figures.bad,
        bad_revoked=figures.bad_revoked,
        complaints_upheld=figures.complaints_upheld,
    )
