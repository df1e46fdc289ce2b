"""Service events arrive from the hall, cases and the desk through the house's events; the SMS
link is queued exactly once, respects quiet hours, and its token rates the service."""

from datetime import datetime

import time_machine

from bianmin.core.events import publish, subscribers
from bianmin.hall.events import TicketFinished
from bianmin.notifications.models import Message
from bianmin.ratings import wording
from bianmin.ratings.enums import Channel, EventKind
from bianmin.ratings.models import Rating, RatingToken, ServiceEvent
from bianmin.ratings.services import on_ticket_finished, rating_submit, service_event_record
from bianmin.ratings.tests.conftest import SHANGHAI


def _token_of(message: Message) -> str:
    return message.params["link"].rstrip("/").rsplit("/", 1)[-1]


def test_ratings_subscribes_to_the_lower_contexts_events():
    assert on_ticket_finished in subscribers(TicketFinished)


def test_a_visit_with_a_phone_gets_one_sms_link_that_rates_it(clock, officer, finish_visit):
    event = finish_visit(officer, phone="13900001234")
    message = Message.objects.get(template_code=wording.RATING_INVITE)
    assert message.dedupe_key.startswith(f"rating:{event.center_id}:{event.day.isoformat()}:")
    assert "1234" not in message.dedupe_key  # the phone's blind index, not the number
    assert "/r/" in message.text
    assert message.phone_masked.endswith("1234")
    rating = rating_submit(token=_token_of(message), level=5).rating
    assert rating.channel == Channel.SMS
    assert rating.service_event_id == event.pk


def test_a_replayed_event_changes_nothing(clock, officer, finish_visit):
    event = finish_visit(officer, phone="13900001234")
    replay = TicketFinished(
        center_id=event.center_id,
        ticket_id=event.ticket_id,
        number=event.number,
        officer_id=officer.pk,
        window_code="W01",
        item_codes=("HZ02",),
        finished_at=event.at,
        has_phone=True,
    )
    publish(replay)
    publish(replay)
    assert ServiceEvent.objects.count() == 1
    assert Message.objects.filter(template_code=wording.RATING_INVITE).count() == 1
    assert RatingToken.objects.count() == 1


def test_a_visit_without_a_phone_gets_no_sms(visit):
    assert not Message.objects.filter(template_code=wording.RATING_INVITE).exists()
    assert visit.has_phone is False


def test_the_invitation_waits_for_the_end_of_quiet_hours(hall):
    night = datetime(2026, 12, 1, 22, 30, tzinfo=SHANGHAI)
    with time_machine.travel(night, tick=False):
        event = service_event_record(
            center_id=hall.pk,
            kind=EventKind.HOME_VISIT,
            reference="HV-1",
            at=night,
            phone="13900005678",
        )
    message = Message.objects.get(template_code=wording.RATING_INVITE)
    resume = message.next_attempt_at.astimezone(SHANGHAI)
    assert (resume.date().isoformat(), resume.hour) == ("2026-12-02", 8)
    token = RatingToken.objects.get(service_event=event)
    assert token.expires_at == night.replace(day=8)  # 7 days from the service


def test_a_case_acceptance_and_pickup_are_two_rateable_events(hall, officer):
    from bianmin.cases.events import CaseAccepted, CasePickedUp

    at = datetime(2026, 12, 1, 10, 0, tzinfo=SHANGHAI)
    with time_machine.travel(at, tick=False):
        common = {
            "center_id": hall.pk,
            "case_id": 7,
            "case_number": "TG-20261201-0007",
            "officer_id": officer.pk,
            "item_code": "HZ02",
            "at": at,
        }
        publish(CaseAccepted(**common))
        publish(CasePickedUp(**common))
    kinds = set(ServiceEvent.objects.values_list("kind", flat=True))
    assert kinds == {EventKind.CASE_ACCEPTED, EventKind.CASE_PICKED_UP}
    assert set(ServiceEvent.objects.values_list("case_number", flat=True)) == {"TG-20261201-0007"}


def test_one_visit_of_several_services_gets_one_sms_and_each_service_stays_rateable(hall, officer):
    at = datetime(2026, 12, 1, 10, 0, tzinfo=SHANGHAI)
    later = datetime(2026, 12, 1, 10, 20, tzinfo=SHANGHAI)
    with time_machine.travel(at, tick=False):
        accepted = service_event_record(
            center_id=hall.pk,
            kind=EventKind.CASE_ACCEPTED,
            reference="7",
            at=at,
            phone="13900001234",
        )
        finished = service_event_record(
            center_id=hall.pk,
            kind=EventKind.TICKET,
            reference="T-1",
            at=later,
            phone="13900001234",
        )
        other_phone = service_event_record(
            center_id=hall.pk,
            kind=EventKind.TICKET,
            reference="T-2",
            at=later,
            phone="13900005678",
        )
    invitations = Message.objects.filter(template_code=wording.RATING_INVITE)
    assert invitations.count() == 2  # one per phone and day
    # the link of the day rates the first service; the second left no orphan SMS token
    assert set(RatingToken.objects.values_list("service_event_id", flat=True)) == {
        accepted.pk,
        other_phone.pk,
    }
    assert set(ServiceEvent.objects.values_list("pk", flat=True)) == {
        accepted.pk,
        finished.pk,
        other_phone.pk,
    }
    with time_machine.travel(datetime(2026, 12, 4, 9, 0, tzinfo=SHANGHAI), tick=False):
        pickup = service_event_record(
            center_id=hall.pk,
            kind=EventKind.CASE_PICKED_UP,
            reference="7",
            at=datetime(2026, 12, 4, 9, 0, tzinfo=SHANGHAI),
            phone="13900001234",
        )
    assert RatingToken.objects.filter(service_event=pickup).count() == 1  # another day


def test_a_closed_desk_request_is_rateable(hall, officer):
    from bianmin.family_desk.events import DeskRequestClosed

    at = datetime(2026, 12, 1, 10, 0, tzinfo=SHANGHAI)
    with time_machine.travel(at, tick=False):
        publish(
            DeskRequestClosed(
                center_id=hall.pk, request_id=3, number="HM-3", officer_id=None, at=at
            )
        )
    event = ServiceEvent.objects.get()
    assert (event.kind, event.reference) == (EventKind.DESK_REQUEST, "HM-3")
    assert Rating.objects.count() == 0
