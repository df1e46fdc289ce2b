"""Real threads against the real database (SQLite file or PostgreSQL): the same token, or two
tokens of one service, submitted at once give exactly one rating; a double-submitted complaint
is recorded once and concurrent complaints get distinct numbers; a replayed service event
queues one SMS."""

from datetime import datetime

import pytest
import time_machine

from bianmin.core.errors import DomainError
from bianmin.notifications.models import Message
from bianmin.notifications.services import common
from bianmin.ratings.enums import Channel, ComplaintChannel, EventKind
from bianmin.ratings.models import Complaint, Rating, Rectification, ServiceEvent
from bianmin.ratings.services import (
    complaint_submit,
    rating_submit,
    service_event_record,
    token_issue,
)
from bianmin.ratings.tests.conftest import SHANGHAI
from bianmin.ratings.tests.factories import service_event
from tests.support.races import errors_of, run_concurrently

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

DAYTIME = datetime(2026, 12, 1, 10, 0, tzinfo=SHANGHAI)
THREADS = 6


@pytest.fixture(autouse=True)
def _no_sending(monkeypatch):
    monkeypatch.setattr(common, "message_schedule", lambda *a, **k: None)


def test_one_token_submitted_at_once_rates_once(center):
    with time_machine.travel(DAYTIME, tick=True):
        event = service_event(center)
        token = token_issue(event=event, channel=Channel.SMS)
        results = run_concurrently(
            lambda i: rating_submit(token=token, level=1 + i % 5, reasons=["other"]), THREADS
        )
    errors = errors_of(results)
    assert len(errors) == THREADS - 1
    assert all(isinstance(e, DomainError) and e.code == "already_rated" for e in errors)
    rating = Rating.objects.get()
    assert Rectification.objects.count() == (1 if rating.level <= 2 else 0)


def test_two_tokens_of_one_service_rate_it_once(center):
    with time_machine.travel(DAYTIME, tick=True):
        event = service_event(center)
        tokens = [token_issue(event=event, channel=Channel.PAD) for _ in range(THREADS)]
        results = run_concurrently(lambda i: rating_submit(token=tokens[i], level=5), THREADS)
    assert len(errors_of(results)) == THREADS - 1
    assert Rating.objects.count() == 1


def test_complaints_at_once_get_distinct_numbers_and_a_double_submit_counts_once(
    center, rating_templates
):
    with time_machine.travel(DAYTIME, tick=True):
        distinct = run_concurrently(
            lambda i: (
                complaint_submit(
                    center_id=center.pk,
                    channel=ComplaintChannel.KIOSK,
                    category="other",
                    text=f"第{i}条",
                ).number
            ),
            THREADS,
        )
        double = run_concurrently(
            lambda i: (
                complaint_submit(
                    center_id=center.pk,
                    channel=ComplaintChannel.PHONE_PAGE,
                    category="other",
                    text="同一条",
                    phone="13900003333",
                    request_key="same-key",
                ).pk
            ),
            THREADS,
        )
    assert not errors_of(distinct)
    assert len(set(distinct)) == THREADS
    assert not errors_of(double)
    assert len(set(double)) == 1
    assert Complaint.objects.count() == THREADS + 1
    assert Message.objects.filter(phone_masked="139****3333").count() == 1


def test_a_replayed_service_event_at_once_records_one_and_queues_one_sms(center, rating_templates):
    with time_machine.travel(DAYTIME, tick=True):
        results = run_concurrently(
            lambda i: (
                service_event_record(
                    center_id=center.pk,
                    kind=EventKind.HOME_VISIT,
                    reference="HV-9",
                    at=DAYTIME,
                    phone="13900004444",
                ).pk
            ),
            THREADS,
        )
    assert not errors_of(results)
    assert len(set(results)) == 1
    assert ServiceEvent.objects.count() == 1
    assert Message.objects.count() == 1
