"""Day-one truth: issuing and the public screens follow the center's hours of the day (with the
lunch break) from `accounts.selectors.center_hours`; the board's figures say their period and
count only today's tickets; the display opens on today's calls; QR codes follow the request."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from bianmin.accounts.selectors import DayHours
from bianmin.core.errors import Conflict
from bianmin.hall.selectors import display_state, hall_board
from bianmin.hall.services import (
    ticket_call_next,
    ticket_finish,
    window_sign_in,
)

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
LUNCH = DayHours(time(8, 30), time(17, 30), time(12, 0), time(14, 0))


@pytest.fixture
def lunch_break(monkeypatch):
    """The per-weekday hours with a lunch break that accounts provides behind center_hours."""
    from bianmin.hall.selectors import hall_settings as selectors
    from bianmin.hall.services import issuing

    calls = []

    def hours(*, center_id, day):
        calls.append(day)
        return LUNCH

    monkeypatch.setattr(issuing, "center_hours", hours)
    monkeypatch.setattr(selectors, "center_hours", hours)
    return calls


def test_no_ticket_during_the_lunch_break_and_the_message_says_the_hours(
    hall, issue, lunch_break
) -> None:
    with (
        time_machine.travel(datetime(2026, 12, 1, 12, 30, tzinfo=SHANGHAI), tick=False),
        pytest.raises(Conflict) as err,
    ):
        issue("HZ02")
    assert err.value.code == "center_closed"
    assert "08:30–12:00、14:00–17:30" in err.value.message
    with time_machine.travel(datetime(2026, 12, 1, 14, 5, tzinfo=SHANGHAI), tick=False):
        assert issue("HZ02").number == "A001"
    assert lunch_break  # asked the one source of hours


def test_a_day_without_hours_is_closed(hall, issue, monkeypatch) -> None:
    from bianmin.hall.services import issuing

    monkeypatch.setattr(issuing, "center_hours", lambda *, center_id, day: None)
    with (
        time_machine.travel(datetime(2026, 12, 1, 10, 0, tzinfo=SHANGHAI), tick=False),
        pytest.raises(Conflict) as err,
    ):
        issue("HZ02")
    assert "今日不办公" in err.value.message


def test_the_center_row_hours_still_apply(hall, issue) -> None:
    hall.opens_at, hall.closes_at = time(9, 0), time(17, 0)
    hall.save()
    with (
        time_machine.travel(datetime(2026, 12, 1, 8, 45, tzinfo=SHANGHAI), tick=False),
        pytest.raises(Conflict) as err,
    ):
        issue("HZ02")
    assert "09:00–17:00" in err.value.message


def test_kiosk_phone_door_and_display_show_todays_hours(hall, clock, lunch_break) -> None:
    client = Client()
    for url in ("/hall/kiosk/TG/", "/hall/take/TG/", "/hall/door/TG/", "/hall/display/TG/"):
        assert "08:30–12:00、14:00–17:30" in client.get(url).content.decode(), url


def test_qr_codes_follow_the_address_the_citizen_used(hall, issue, clock, settings) -> None:
    settings.ALLOWED_HOSTS = ["hall.example"]
    settings.PUBLIC_BASE_URL = ""
    client = Client(HTTP_HOST="hall.example:8400")
    door = client.get("/hall/door/TG/").content.decode()
    assert "http://hall.example:8400/hall/take/TG/" in door
    assert "127.0.0.1:8000" not in door
    kiosk = client.get("/hall/kiosk/TG/ticket/").content.decode()
    assert "127.0.0.1:8000" not in kiosk
    ticket = issue("HZ02")
    printed = client.get(f"/t/{ticket.pk}/print/").content.decode()
    assert "127.0.0.1:8000" not in printed


def test_the_board_counts_only_todays_tickets_and_says_its_period(
    hall, officer, issue, settings
) -> None:
    # a 24-hour shift: a ticket of the 30th is served after midnight
    hall.opens_at, hall.closes_at = time(0, 0), time(23, 59, 59)
    hall.save()
    with time_machine.travel(datetime(2026, 11, 30, 23, 40, tzinfo=SHANGHAI), tick=False) as t:
        late = issue("HZ02")
        window_sign_in(actor=officer, window_code="W01")
        t.shift(timedelta(minutes=15))  # 23:55
        assert ticket_call_next(actor=officer, window_code="W01").pk == late.pk
        t.shift(timedelta(minutes=10))  # 00:05 on Dec 1
        ticket_finish(actor=officer, ticket_id=late.pk)
        t.shift(timedelta(hours=2))
        today = issue("HZ02")
        board = hall_board(center_id=hall.pk)
        state = display_state(center_id=hall.pk)

    # the walk's board said 2 issued / 31 finished: a finish of the 30th's ticket is not today's
    assert (board["issued"], board["finished"], board["no_show"]) == (1, 0, 0)
    assert board["avg_service_minutes"] == 0
    assert board["period"] == "12月01日 00:00–02:05"
    assert today.number == "A001"
    assert state["recent"] == []  # the call at 23:55 was yesterday's


def test_the_display_opens_on_todays_calls_only(hall, officer, issue) -> None:
    with time_machine.travel(datetime(2026, 11, 30, 16, 0, tzinfo=SHANGHAI), tick=False) as t:
        issue("HZ02")
        window_sign_in(actor=officer, window_code="W01")
        ticket_call_next(actor=officer, window_code="W01")
        t.move_to(datetime(2026, 12, 1, 8, 40, tzinfo=SHANGHAI))
        state = display_state(center_id=hall.pk)
        page = Client().get("/hall/display/TG/").content.decode()
    assert state["recent"] == []
    assert all(w["ticket"] is None for w in state["windows"])
    assert "12月1日" in page


def test_the_arrivals_chart_shows_evening_hours_when_there_were_arrivals(hall, issue) -> None:
    hall.opens_at, hall.closes_at = time(0, 0), time(23, 59, 59)
    hall.save()
    with time_machine.travel(datetime(2026, 12, 1, 21, 30, tzinfo=SHANGHAI), tick=False):
        issue("HZ02")
        board = hall_board(center_id=hall.pk)
    assert board["arrivals_hours"][-1] == 21
    assert board["arrivals_by_hour"][board["arrivals_hours"].index(21)] == 1
