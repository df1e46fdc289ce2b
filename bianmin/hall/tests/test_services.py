"""Ticket life through the services: numbering, the calling rule, the no-show ladder,
transfer and park keeping the arrival time, sessions, bad input, the near-turn SMS."""

from datetime import date, timedelta

import pytest

from bianmin.accounts.services import authorization_grant
from bianmin.catalogue.selectors import item_get
from bianmin.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from bianmin.core.permissions import Role
from bianmin.hall import services
from bianmin.hall.enums import EventKind, IssueChannel, Priority, TicketStatus
from bianmin.hall.models import Ticket, TicketEvent, WindowSession
from bianmin.hall.selectors import (
    hall_board,
    ticket_people_ahead,
    ticket_state,
    ticket_summary,
)
from bianmin.hall.services import (
    ticket_call_next,
    ticket_finish,
    ticket_no_show,
    ticket_park,
    ticket_recall,
    ticket_transfer,
    ticket_unpark,
    window_pause,
    window_resume,
    window_sign_in,
    window_sign_out,
)
from bianmin.hall.tests.factories import HallSettingsFactory
from bianmin.notifications.selectors import message_list
from bianmin.notifications.services import notifications_load_reference
from bianmin.people.idnumber import make_id_number

pytestmark = pytest.mark.django_db


def _kinds(ticket: Ticket) -> list[str]:
    return list(
        TicketEvent.objects.filter(ticket=ticket)
        .order_by("at", "pk")
        .values_list("kind", flat=True)
    )


# --- numbering -------------------------------------------------------------------------------


def test_numbers_run_per_category_prefix_and_reset_daily(issue, clock) -> None:
    # given an open hall
    # when tickets are issued for household, traffic and household items
    first = issue("HZ02")
    traffic = issue("JG01")
    second = issue("HZ05")
    clock.shift(timedelta(days=1))
    next_day = issue("HZ02")

    # then household runs A001, A002 and traffic B001; the next day starts at A001 again
    assert [first.number, traffic.number, second.number] == ["A001", "B001", "A002"]
    assert (next_day.number, next_day.service_day) == ("A001", date(2026, 12, 2))
    assert len(first.pk) >= 22
    assert first.pk != next_day.pk


def test_one_ticket_may_carry_several_items_and_takes_the_first_items_prefix(issue, clock):
    ticket = issue(codes=["JG01", "HZ02", "JG01"])

    assert ticket.number == "B001"
    assert ticket_summary(ticket_id=ticket.pk, center_id=ticket.center_id).item_codes == [
        "JG01",
        "HZ02",
    ]
    assert _kinds(ticket) == ["issue"]


def test_a_double_submit_with_the_same_request_key_returns_the_first_ticket(issue, clock):
    first = issue("HZ02", request_key="kiosk-abc")
    again = issue("HZ02", request_key="kiosk-abc")

    assert again.pk == first.pk
    assert Ticket.objects.count() == 1


def test_elderly_priority_comes_from_the_id_number(issue, clock) -> None:
    old = make_id_number("610522", date(1950, 3, 1), 11)
    young = make_id_number("610522", date(1990, 3, 1), 11)

    assert issue("HZ02", id_number=old).priority == Priority.ELDERLY
    assert issue("HZ02", id_number=young).priority == Priority.NORMAL


@pytest.mark.parametrize(
    ("kwargs", "error", "code"),
    [
        ({"codes": ["XX99"]}, NotFound, "unknown_item"),
        ({"codes": []}, DomainError, "unknown_item"),
        ({"id_number": "610522195013321234"}, DomainError, "invalid_id_number"),
        ({"phone": "12345"}, DomainError, "invalid_phone"),
        ({"priority": "vip"}, DomainError, "invalid_priority"),
    ],
)
def test_bad_issue_input_is_refused_and_changes_nothing(issue, clock, kwargs, error, code):
    with pytest.raises(error) as exc:
        issue(**kwargs)

    assert exc.value.code == code
    assert Ticket.objects.count() == 0
    assert TicketEvent.objects.count() == 0


def test_a_closed_center_issues_nothing(issue, hall, clock) -> None:
    # outside opening hours
    clock.shift(timedelta(hours=11))  # 21:00
    with pytest.raises(Conflict) as exc:
        issue("HZ02")
    assert exc.value.code == "center_closed"
    assert "08:30" in exc.value.message

    # and closed by hand during the day
    clock.shift(timedelta(hours=-11))
    HallSettingsFactory(center=hall, is_closed=True, closed_notice="系统升级，暂停取号")
    with pytest.raises(Conflict) as exc:
        issue("HZ02")
    assert exc.value.message == "系统升级，暂停取号"
    assert Ticket.objects.count() == 0


# --- sessions --------------------------------------------------------------------------------


def test_signing_in_elsewhere_ends_the_previous_session(officer, hall, clock) -> None:
    window_sign_in(actor=officer, window_code="W01")
    window_sign_in(actor=officer, window_code="w03")

    open_sessions = WindowSession.objects.filter(ended_at__isnull=True)
    assert [s.window.code for s in open_sessions] == ["W03"]
    assert list(TicketEvent.objects.values_list("kind", flat=True)) == [
        "sign_in",
        "sign_out",
        "sign_in",
    ]


def test_a_window_holds_one_officer(officer, make_staff, hall, clock) -> None:
    other = make_staff(Role.OFFICER)
    window_sign_in(actor=officer, window_code="W01")

    with pytest.raises(Conflict) as exc:
        window_sign_in(actor=other, window_code="W01")
    assert exc.value.code == "window_taken"
    assert WindowSession.objects.filter(officer=other).count() == 0


def test_calling_at_a_window_one_is_not_signed_in_to_is_refused(officer, issue, clock):
    ticket = issue("HZ02")
    with pytest.raises(Conflict) as exc:
        ticket_call_next(actor=officer, window_code="W01")
    assert exc.value.code == "not_signed_in"

    window_sign_in(actor=officer, window_code="W02")
    with pytest.raises(Conflict) as exc:
        ticket_call_next(actor=officer, window_code="W01")
    assert exc.value.code == "not_signed_in"
    assert "W01" in exc.value.message
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.WAITING


def test_a_paused_window_calls_nobody_until_resumed(officer, issue, clock) -> None:
    issue("HZ02")
    window_sign_in(actor=officer, window_code="W01")
    window_pause(actor=officer, reason="休息")

    with pytest.raises(Conflict) as exc:
        ticket_call_next(actor=officer, window_code="W01")
    assert exc.value.code == "window_paused"

    window_resume(actor=officer)
    assert ticket_call_next(actor=officer, window_code="W01").number == "A001"


def test_double_click_on_call_next_keeps_the_first_call(officer, issue, clock) -> None:
    first, second = issue("HZ02"), issue("HZ02")
    window_sign_in(actor=officer, window_code="W01")
    called = ticket_call_next(actor=officer, window_code="W01")

    with pytest.raises(Conflict) as exc:
        ticket_call_next(actor=officer, window_code="W01")

    assert exc.value.code == "current_ticket"
    assert called.pk == first.pk
    second.refresh_from_db()
    assert second.status == TicketStatus.WAITING
    assert TicketEvent.objects.filter(kind="call").count() == 1
    # with nobody else waiting, the held ticket is still what the officer is told about
    Ticket.objects.filter(pk=second.pk).update(status=TicketStatus.CANCELLED)
    with pytest.raises(Conflict) as exc:
        ticket_call_next(actor=officer, window_code="W01")
    assert (exc.value.code, exc.value.details.get("ticket_id")) == ("current_ticket", first.pk)


def test_a_call_that_loses_races_reads_the_officers_held_ticket_once(
    officer, make_staff, issue, clock, monkeypatch
) -> None:
    """Each claim a colleague wins first comes back empty, as a held ticket would make it: the
    call asks once whether the officer holds one (under the window session's lock the answer
    stays), then only tries the next head."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bianmin.hall.services import calling

    tickets = [issue("HZ02") for _ in range(4)]
    colleague = make_staff(Role.OFFICER)
    window_sign_in(actor=officer, window_code="W01")
    claim = calling._CLAIM
    lost: list[str] = []

    class _ColleagueFirst:
        def run(self, *, ticket_id, **values):
            if len(lost) < 3:  # a colleague's call commits first
                Ticket.objects.filter(pk=ticket_id).update(
                    status=TicketStatus.CALLED, officer=colleague
                )
                lost.append(ticket_id)
            return claim.run(ticket_id=ticket_id, **values)

    monkeypatch.setattr(calling, "_CLAIM", _ColleagueFirst())
    with CaptureQueriesContext(connection) as seen:
        called = ticket_call_next(actor=officer, window_code="W01")
    assert lost == [t.pk for t in tickets[:3]]
    assert called.pk == tickets[3].pk
    held_reads = [
        q
        for q in seen.captured_queries
        if q["sql"].startswith("SELECT")
        and "LIMIT 1" in q["sql"]
        and '"hall_ticket"."officer_id" =' in q["sql"]
    ]
    assert len(held_reads) == 1


def test_sign_out_needs_the_current_ticket_finished(officer, issue, clock) -> None:
    ticket = issue("HZ02")
    window_sign_in(actor=officer, window_code="W01")
    ticket_call_next(actor=officer, window_code="W01")
    with pytest.raises(Conflict):
        window_sign_out(actor=officer)
    ticket_finish(actor=officer, ticket_id=ticket.pk)
    window_sign_out(actor=officer)
    assert WindowSession.objects.filter(ended_at__isnull=True).count() == 0


# --- the calling rule ------------------------------------------------------------------------


def test_priority_classes_then_longest_wait(officer, guide, issue, clock) -> None:
    normal = issue("HZ02")
    clock.shift(60)
    elderly = issue("HZ02", priority="elderly", actor=guide)
    clock.shift(60)
    appointment = issue("JG01", priority="appointment", priority_verified=True)
    clock.shift(60)
    later_normal = issue("HZ02")
    window_sign_in(actor=officer, window_code="W01")

    order = []
    for _ in range(4):
        ticket = ticket_call_next(actor=officer, window_code="W01")
        order.append(ticket.pk)
        ticket_finish(actor=officer, ticket_id=ticket.pk)

    assert order == [appointment.pk, elderly.pk, normal.pk, later_normal.pk]
    assert ticket_call_next(actor=officer, window_code="W01") is None


def test_anyone_over_the_wait_limit_goes_first_regardless(officer, guide, issue, clock) -> None:
    long_waiter = issue("HZ02")
    clock.shift(61 * 60)
    elderly = issue("HZ02", priority="elderly", actor=guide)
    window_sign_in(actor=officer, window_code="W01")

    assert ticket_call_next(actor=officer, window_code="W01").pk == long_waiter.pk
    ticket_finish(actor=officer, ticket_id=long_waiter.pk)
    assert ticket_call_next(actor=officer, window_code="W01").pk == elderly.pk


def test_weights_are_configurable_per_center(officer, guide, issue, hall, clock) -> None:
    HallSettingsFactory(center=hall, weight_elderly=0)
    normal = issue("HZ02")
    clock.shift(60)
    issue("HZ02", priority="elderly", actor=guide)
    window_sign_in(actor=officer, window_code="W01")

    assert ticket_call_next(actor=officer, window_code="W01").pk == normal.pk


def test_an_officer_is_called_only_tickets_of_items_they_may_serve(
    make_staff, director, issue, clock
) -> None:
    specialist = make_staff(Role.OFFICER, all_round=False)
    authorization_grant(actor=director, staff=specialist, item=item_get(code="JG01"))
    issue("HZ02")
    traffic = issue("JG01")
    window_sign_in(actor=specialist, window_code="W05")

    assert ticket_call_next(actor=specialist, window_code="W05").pk == traffic.pk
    ticket_finish(actor=specialist, ticket_id=traffic.pk)
    assert ticket_call_next(actor=specialist, window_code="W05") is None


def test_people_ahead_follow_the_rule(issue, guide, clock) -> None:
    a = issue("HZ02")
    clock.shift(30)
    b = issue("HZ02")
    clock.shift(30)
    elderly = issue("HZ02", priority="elderly", actor=guide)

    assert [ticket_people_ahead(t) for t in (a, b, elderly)] == [1, 2, 0]
    state = ticket_state(b)
    assert (state["number"], state["status"], state["position"]) == ("A002", "waiting", 2)
    assert state["estimated_wait_minutes"] == 16  # 2 people × 8 min default, 1 window


def test_an_issues_own_answer_counts_ahead_without_looking_for_the_line(
    issue, clock, monkeypatch
) -> None:
    from bianmin.hall.selectors import line

    issue("HZ02")
    clock.shift(30)
    last = issue("HZ02")
    read = ticket_state(last)  # a phone's read makes the line and keeps it
    monkeypatch.setattr(line, "_line_cached", lambda *a: pytest.fail("looked for the line"))

    answer = ticket_state(last, shared_line=False)

    assert (answer["position"], answer["estimated_wait_minutes"]) == (1, 8)
    assert (read["position"], read["estimated_wait_minutes"]) == (1, 8)  # the same by the line


def test_the_estimate_follows_the_open_windows_at_once(issue, officer, make_staff, clock) -> None:
    for _ in range(4):
        issue("HZ02")
    last = issue("HZ02")
    colleague = make_staff(Role.OFFICER)
    window_sign_in(actor=officer, window_code="W01")

    def minutes() -> int:
        return ticket_state(last, shared_line=False)["estimated_wait_minutes"]

    assert minutes() == 32  # 4 people x 8 min default, 1 window (the count is cached now)
    window_sign_in(actor=colleague, window_code="W02")
    assert minutes() == 16  # 2 windows
    window_pause(actor=colleague)
    assert minutes() == 32
    window_resume(actor=colleague)
    assert minutes() == 16
    window_sign_out(actor=colleague)
    assert minutes() == 32


# --- recall and the no-show ladder -----------------------------------------------------------


def test_no_show_ladder_recalls_then_moves_back_then_no_show(officer, issue, hall, clock):
    HallSettingsFactory(center=hall, recall_limit=2, requeue_places=2, requeue_limit=1)
    absent = issue("HZ02")
    others = []
    for _ in range(3):
        clock.shift(20)
        others.append(issue("HZ02"))
    window_sign_in(actor=officer, window_code="W01")
    assert ticket_call_next(actor=officer, window_code="W01").pk == absent.pk

    # no-show is refused until R recalls were made
    with pytest.raises(Conflict) as exc:
        ticket_no_show(actor=officer, ticket_id=absent.pk)
    assert exc.value.code == "recalls_pending"
    ticket_recall(actor=officer, ticket_id=absent.pk)
    ticket_recall(actor=officer, ticket_id=absent.pk)
    with pytest.raises(Conflict) as exc:
        ticket_recall(actor=officer, ticket_id=absent.pk)
    assert exc.value.code == "recall_limit"

    # first no-show: moved back K=2 places
    moved = ticket_no_show(actor=officer, ticket_id=absent.pk)
    assert moved.status == TicketStatus.WAITING
    assert ticket_people_ahead(moved) == 2
    assert moved.arrived_at == absent.arrived_at
    called = []
    for _ in range(3):
        ticket = ticket_call_next(actor=officer, window_code="W01")
        called.append(ticket.pk)
        if ticket.pk != absent.pk:
            ticket_finish(actor=officer, ticket_id=ticket.pk)
        else:
            break
    assert called == [others[0].pk, others[1].pk, absent.pk]

    # second time: after R recalls, no_show for good
    ticket_recall(actor=officer, ticket_id=absent.pk)
    ticket_recall(actor=officer, ticket_id=absent.pk)
    final = ticket_no_show(actor=officer, ticket_id=absent.pk)
    assert final.status == TicketStatus.NO_SHOW
    assert _kinds(absent) == [
        "issue",
        "call",
        "recall",
        "recall",
        "requeue",
        "call",
        "recall",
        "recall",
        "no_show",
    ]


# --- transfer and park keep the original arrival time --------------------------------------


def test_transfer_to_another_item_keeps_the_original_arrival(officer, make_staff, issue, clock):
    first = issue("HZ02")
    clock.shift(10 * 60)
    later = issue("JG01")
    window_sign_in(actor=officer, window_code="W01")
    ticket_call_next(actor=officer, window_code="W01")
    clock.shift(5 * 60)

    moved = ticket_transfer(actor=officer, ticket_id=first.pk, item_code="JG01")

    assert (moved.status, moved.item.code) == (TicketStatus.WAITING, "JG01")
    assert moved.queue_at == first.arrived_at
    assert moved.number == "A001"
    colleague = make_staff(Role.OFFICER)
    window_sign_in(actor=colleague, window_code="W02")
    assert ticket_call_next(actor=colleague, window_code="W02").pk == first.pk
    assert later.status == TicketStatus.WAITING
    assert ticket_summary(ticket_id=first.pk, center_id=first.center_id).item_codes == [
        "HZ02",
        "JG01",
    ]
    transfer = TicketEvent.objects.get(kind=EventKind.TRANSFER)
    assert (transfer.data["to_item"], transfer.service_seconds) == ("JG01", 300)


def test_transfer_to_an_officer_reaches_only_that_officer_first(officer, make_staff, issue, clock):
    colleague, bystander = make_staff(Role.OFFICER), make_staff(Role.OFFICER)
    ticket = issue("HZ02")
    clock.shift(60)
    issue("HZ02")
    window_sign_in(actor=officer, window_code="W01")
    window_sign_in(actor=bystander, window_code="W03")
    ticket_call_next(actor=officer, window_code="W01")

    ticket_transfer(actor=officer, ticket_id=ticket.pk, officer_id=colleague.pk)

    assert ticket_call_next(actor=bystander, window_code="W03").number == "A002"
    window_sign_in(actor=colleague, window_code="W02")
    assert ticket_call_next(actor=colleague, window_code="W02").pk == ticket.pk


def test_park_and_unpark_keep_the_arrival_and_go_back_to_the_same_officer(officer, issue, clock):
    ticket = issue("HZ02")
    clock.shift(60)
    other = issue("HZ02")
    window_sign_in(actor=officer, window_code="W01")
    ticket_call_next(actor=officer, window_code="W01")

    parked = ticket_park(actor=officer, ticket_id=ticket.pk)
    assert parked.status == TicketStatus.PARKED
    assert ticket_call_next(actor=officer, window_code="W01").pk == other.pk
    with pytest.raises(Conflict):  # the officer is busy with the other ticket
        ticket_unpark(actor=officer, ticket_id=ticket.pk, window_code="W01")
    ticket_finish(actor=officer, ticket_id=other.pk)

    back = ticket_unpark(actor=officer, ticket_id=ticket.pk, window_code="W01")
    assert (back.status, back.arrived_at) == (TicketStatus.CALLED, ticket.arrived_at)
    assert _kinds(ticket) == ["issue", "call", "park", "unpark", "call"]


def test_unpark_to_queue_returns_it_with_its_arrival_time(officer, issue, clock) -> None:
    ticket = issue("HZ02")
    clock.shift(60)
    issue("HZ02")
    window_sign_in(actor=officer, window_code="W01")
    ticket_call_next(actor=officer, window_code="W01")
    ticket_park(actor=officer, ticket_id=ticket.pk)

    back = ticket_unpark(actor=officer, ticket_id=ticket.pk, window_code="W01", to_queue=True)

    assert (back.status, back.queue_at, back.target_officer_id) == (
        TicketStatus.WAITING,
        ticket.arrived_at,
        officer.pk,
    )
    assert ticket_call_next(actor=officer, window_code="W01").pk == ticket.pk


# --- finishing, other officers, yesterday ---------------------------------------------------


def test_finish_records_the_service_time_and_only_the_caller_may_finish(
    officer, make_staff, issue, clock
):
    ticket = issue("HZ02")
    window_sign_in(actor=officer, window_code="W01")
    ticket_call_next(actor=officer, window_code="W01")
    clock.shift(7 * 60)
    other = make_staff(Role.OFFICER)

    with pytest.raises(PermissionDenied) as denied:
        ticket_finish(actor=other, ticket_id=ticket.pk)
    assert denied.value.code == "not_your_ticket"

    ticket_finish(actor=officer, ticket_id=ticket.pk)
    with pytest.raises(Conflict) as conflict:
        ticket_finish(actor=officer, ticket_id=ticket.pk)
    assert conflict.value.code == "wrong_status"
    assert TicketEvent.objects.get(kind=EventKind.FINISH).service_seconds == 420


def test_yesterdays_ticket_is_expired_and_never_called(officer, issue, clock) -> None:
    old = issue("HZ02")
    clock.shift(timedelta(days=1))
    window_sign_in(actor=officer, window_code="W01")

    assert ticket_call_next(actor=officer, window_code="W01") is None
    assert ticket_state(old)["status"] == "expired"
    assert ticket_state(old)["position"] is None


def test_another_centers_ticket_looks_unknown(officer, make_staff, other_center, issue, clock):
    ticket = issue("HZ02")
    window_sign_in(actor=officer, window_code="W01")
    ticket_call_next(actor=officer, window_code="W01")
    foreign = make_staff(Role.OFFICER, center_=other_center)

    with pytest.raises(NotFound):
        ticket_finish(actor=foreign, ticket_id=ticket.pk)


def test_guide_issues_for_own_center_only(make_staff, other_center, hall, clock) -> None:
    guide = make_staff(Role.GUIDE)
    ticket = services.ticket_issue(
        actor=guide, center=hall, item_codes=["HZ02"], channel=IssueChannel.GUIDE
    )
    assert ticket.issued_by_id == guide.pk
    foreign_guide = make_staff(Role.GUIDE, center_=other_center)
    with pytest.raises(PermissionDenied):
        services.ticket_issue(
            actor=foreign_guide, center=hall, item_codes=["HZ02"], channel=IssueChannel.GUIDE
        )
    officer_without_issue = make_staff(Role.BACK_OFFICE)
    with pytest.raises(PermissionDenied):
        services.ticket_issue(
            actor=officer_without_issue,
            center=hall,
            item_codes=["HZ02"],
            channel=IssueChannel.GUIDE,
        )


# --- the near-turn SMS -----------------------------------------------------------------------


def _near_messages(staff) -> list[tuple[str, str]]:
    rows = message_list(user=staff, template_code="ticket_near").order_by("pk")
    return [(m.params["number"], m.params["ahead"]) for m in rows]


def test_near_turn_sms_goes_once_per_ticket(
    officer, issue, hall, clock, django_capture_on_commit_callbacks
) -> None:
    notifications_load_reference()
    HallSettingsFactory(center=hall, near_position=2)
    tickets = [issue("HZ02", phone="13912345678" if i != 3 else "") for i in range(6)]
    window_sign_in(actor=officer, window_code="W01")

    for _ in range(5):
        with django_capture_on_commit_callbacks(execute=True):
            ticket = ticket_call_next(actor=officer, window_code="W01")
        ticket_finish(actor=officer, ticket_id=ticket.pk)

    # at most 2 ahead: A002/A003 after the first call, then A005 and A006 as the line moves
    # (A004 gave no phone); nobody twice
    assert _near_messages(officer) == [("A002", "0"), ("A003", "1"), ("A005", "2"), ("A006", "2")]
    assert Ticket.objects.filter(near_notified_at__isnull=False).count() == 4
    assert tickets[3].has_phone is False


def test_calls_made_while_a_near_turn_check_is_queued_share_it(
    officer, issue, hall, clock, django_capture_on_commit_callbacks
) -> None:
    from django.core.cache import cache

    from bianmin.hall.services.near import _QUEUED

    notifications_load_reference()
    HallSettingsFactory(center=hall, near_position=1)
    for _ in range(4):
        issue("HZ02", phone="13912345678")
    window_sign_in(actor=officer, window_code="W01")
    cache.set(_QUEUED.format(hall.pk), 1)  # a check is queued and has not run yet

    with django_capture_on_commit_callbacks(execute=True):
        ticket = ticket_call_next(actor=officer, window_code="W01")

    assert _near_messages(officer) == []  # the call left the line to the queued check
    assert services.ticket_notify_near_queued(center_id=hall.pk) == 2
    assert _near_messages(officer) == [("A002", "0"), ("A003", "1")]
    assert cache.get(_QUEUED.format(hall.pk)) is None  # the next call queues its own check

    ticket_finish(actor=officer, ticket_id=ticket.pk)
    with django_capture_on_commit_callbacks(execute=True):
        ticket_call_next(actor=officer, window_code="W01")  # runs at once (immediate worker)

    assert _near_messages(officer)[-1] == ("A004", "1")
    assert cache.get(_QUEUED.format(hall.pk)) is None


def test_a_near_turn_check_is_due_later_and_the_calls_made_meanwhile_share_it(
    officer, issue, hall, clock, settings, django_capture_on_commit_callbacks
) -> None:
    from huey.contrib.djhuey import HUEY

    notifications_load_reference()
    settings.HALL_NEAR_CHECK_DELAY_SECONDS = 2.0
    HallSettingsFactory(center=hall, near_position=1)
    for _ in range(4):
        issue("HZ02", phone="13912345678")
    window_sign_in(actor=officer, window_code="W01")
    HUEY.flush()  # the inline worker's schedule: only what this test queues
    try:
        with django_capture_on_commit_callbacks(execute=True):
            ticket = ticket_call_next(actor=officer, window_code="W01")
        ticket_finish(actor=officer, ticket_id=ticket.pk)
        with django_capture_on_commit_callbacks(execute=True):
            ticket_call_next(actor=officer, window_code="W01")

        assert _near_messages(officer) == []  # not checked yet: due two seconds later
        assert HUEY.read_schedule(HUEY._get_timestamp()) == []
        later = HUEY._get_timestamp() + timedelta(seconds=3)
        due = HUEY.read_schedule(later)
        assert [task.args for task in due] == [(hall.pk,)]  # one check for both calls
        for task in due:
            HUEY.execute(task, later)
        assert _near_messages(officer) == [("A003", "0"), ("A004", "1")]
    finally:
        HUEY.flush()


def test_a_near_turn_check_that_could_not_be_queued_is_queued_by_the_next_call(
    hall, monkeypatch
) -> None:
    from django.core.cache import cache

    from bianmin.hall import tasks
    from bianmin.hall.services.near import _QUEUED, ticket_notify_near_soon

    queued: list[tuple[int, ...]] = []

    def broken(*, args: tuple[int, ...], delay: float) -> None:
        raise ConnectionError("task queue down")

    def schedule(*, args: tuple[int, ...], delay: float) -> None:
        queued.append(args)

    task = tasks.ticket_notify_near_task
    monkeypatch.setattr(task, "schedule", broken)
    with pytest.raises(ConnectionError):
        ticket_notify_near_soon(center_id=hall.pk)
    assert cache.get(_QUEUED.format(hall.pk)) is None

    monkeypatch.setattr(task, "schedule", schedule)  # the queue is back
    ticket_notify_near_soon(center_id=hall.pk)
    ticket_notify_near_soon(center_id=hall.pk)  # while that one waits: shared
    assert queued == [(hall.pk,)]


def test_near_turn_sms_is_a_real_urgent_message_with_the_agreed_content(
    issue, hall, officer, clock
) -> None:
    notifications_load_reference()
    ticket = issue("HZ02", phone="13912345678")

    assert services.ticket_near_sms(ticket=ticket, ahead=2) is True

    message = message_list(user=officer, template_code="ticket_near").get()
    assert message.params == {"number": "A001", "ahead": "2", "center": "潼关县公安便民服务中心"}
    assert message.dedupe_key == f"ticket_near:{ticket.pk}"
    assert message.is_urgent is True
    assert message.phone_masked.endswith("5678")
    assert "1234" not in message.phone_masked


def test_a_refused_near_turn_sms_never_breaks_the_call(issue, hall, officer, clock) -> None:
    # no approved template: notifications refuses, the hall logs and goes on
    ticket = issue("HZ02", phone="13912345678")

    assert services.ticket_near_sms(ticket=ticket, ahead=1) is False
    assert not message_list(user=officer, template_code="ticket_near").exists()


# --- KPIs from events ------------------------------------------------------------------------


def test_board_figures_come_from_events(officer, issue, hall, clock) -> None:
    issue("HZ02")
    issue("JG01")
    clock.shift(12 * 60)
    window_sign_in(actor=officer, window_code="W01")
    ticket = ticket_call_next(actor=officer, window_code="W01")
    clock.shift(6 * 60)
    ticket_finish(actor=officer, ticket_id=ticket.pk)

    board = hall_board(center_id=hall.pk)

    assert (board["issued"], board["finished"], board["total_waiting"]) == (2, 1, 1)
    assert (board["avg_wait_minutes"], board["avg_service_minutes"]) == (12.0, 6.0)
    assert board["longest_wait_minutes"] == 18
    assert [c["waiting"] for c in board["categories"]][:2] == [0, 1]
    assert board["windows"][0]["state"] == "idle"
    assert board["alert"] is False


def test_near_turn_sms_reaches_the_real_notifications_queue_once(issue, clock) -> None:
    notifications_load_reference()
    ticket = issue("HZ02", phone="13912345678")

    first = services.ticket_near_sms(ticket=ticket, ahead=2)
    second = services.ticket_near_sms(ticket=ticket, ahead=1)

    assert (first, second) == (True, False)  # the dedupe key keeps it to one message


# --- one writer: every change is event + audit + push ------------------------------------------


def test_every_ticket_and_window_change_writes_event_audit_and_push(
    officer, guide, issue, clock, monkeypatch, django_capture_on_commit_callbacks
) -> None:
    from bianmin.audit.models import AuditEntry
    from bianmin.hall import live

    pushed: list[dict] = []
    monkeypatch.setattr(live, "send_now", lambda center_id, event: pushed.append(event))
    with django_capture_on_commit_callbacks(execute=True):
        claimed = issue("HZ02", priority="military")
        services.ticket_priority_decide(actor=guide, ticket_id=claimed.pk, confirm=True)
        window_sign_in(actor=officer, window_code="W01")
        ticket = ticket_call_next(actor=officer, window_code="W01")
        ticket_recall(actor=officer, ticket_id=ticket.pk)
        ticket_park(actor=officer, ticket_id=ticket.pk)
        ticket_unpark(actor=officer, ticket_id=ticket.pk, window_code="W01")
        ticket_finish(actor=officer, ticket_id=ticket.pk)
        window_pause(actor=officer)
        window_resume(actor=officer)
        window_sign_out(actor=officer)

    kinds = list(TicketEvent.objects.order_by("pk").values_list("kind", flat=True))
    assert kinds == [
        "issue",
        "priority_confirm",
        "sign_in",
        "call",
        "recall",
        "park",
        "unpark",
        "call",
        "finish",
        "pause",
        "resume",
        "sign_out",
    ]
    assert AuditEntry.objects.count() == len(kinds)  # one audit entry per event, same transaction
    assert [p["type"] for p in pushed] == [
        "window",  # sign in
        "call",
        "call",  # recall
        "window",  # park
        "window",  # unpark
        "call",
        "window",  # finish
        "window",  # pause
        "window",  # resume
        "window",  # sign out
    ]
    assert pushed[2]["recall"] is True


def test_the_counter_increment_names_the_counter_table() -> None:
    from bianmin.hall.models import TicketCounter
    from bianmin.hall.services.issuing import _INCREMENT

    assert f'"{TicketCounter._meta.db_table}"' in _INCREMENT
    for field in ("center", "service_day", "prefix", "last"):
        assert f'"{TicketCounter._meta.get_field(field).column}"' in _INCREMENT


def test_the_items_read_along_come_in_the_order_they_were_chosen() -> None:
    """The aggregate gives the lines in no set order; the position puts them back, and a
    code is the rest of its line."""
    from bianmin.hall.selectors.tickets import _items_along

    packed = "2 4 JG04\n0 9 HZ05\n1 7 HZ 02"
    assert _items_along(packed) == ((9, "HZ05"), (7, "HZ 02"), (4, "JG04"))


def test_a_finish_reads_the_tickets_items_with_the_ticket_and_a_transfer_again(
    officer, issue, clock
):
    """A step on a called ticket (a finish) reads its items in the statement that locks it
    (`with_item_codes`, in the order they were chosen): the event and the answer show them
    without another query. A transfer to a new item (the ticket's item changes) reads them
    again; an instance read without them (the call's) reads them once."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bianmin.hall.selectors import ticket_item_codes

    def item_reads(queries):
        return [q for q in queries if 'AS "item__code" FROM "hall_ticketitem"' in q["sql"]]

    issue(codes=["HZ05", "HZ02", "JG04"])
    window_sign_in(actor=officer, window_code="W01")
    called = ticket_call_next(actor=officer, window_code="W01")
    with CaptureQueriesContext(connection) as seen:
        finished = ticket_finish(actor=officer, ticket_id=called.pk)
        assert ticket_item_codes(finished) == ("HZ05", ["HZ05", "HZ02", "JG04"])
    assert item_reads(seen.captured_queries) == []
    assert sum('"hall_ticketitem"' in q["sql"] for q in seen.captured_queries) == 1

    other = issue("HZ02")
    called = ticket_call_next(actor=officer, window_code="W01")
    assert called.pk == other.pk
    with CaptureQueriesContext(connection) as seen:
        assert ticket_item_codes(called) == ("HZ02", ["HZ02"])
        assert ticket_item_codes(called) == ("HZ02", ["HZ02"])
        moved = ticket_transfer(actor=officer, ticket_id=called.pk, item_code="JG01")
        assert ticket_item_codes(moved) == ("JG01", ["HZ02", "JG01"])
        assert ticket_item_codes(moved) == ("JG01", ["HZ02", "JG01"])
        called.refresh_from_db()  # the instance read before the transfer now has the new item
        assert ticket_item_codes(called) == ("JG01", ["HZ02", "JG01"])
    assert len(item_reads(seen.captured_queries)) == 3
    fresh = Ticket.objects.get(pk=other.pk)
    with CaptureQueriesContext(connection) as seen:
        assert ticket_item_codes(fresh)[1] == ["HZ02", "JG01"]
    assert len(item_reads(seen.captured_queries)) == 1
