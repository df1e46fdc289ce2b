import datetime as dt

import pytest

from bianmin.family_desk import pipeline
from bianmin.family_desk.enums import RequestStatus as S
from bianmin.family_desk.pipeline import Action, Party


def test_the_desk_takes_a_waiting_request():
    assert (
        pipeline.next_status(status=S.PENDING, action=Action.TAKE, parties=frozenset({Party.DESK}))
        == S.IN_PROGRESS
    )


def test_a_requester_cannot_take_or_close():
    for action in (Action.TAKE, Action.CLOSE, Action.ASK_INFO):
        with pytest.raises(pipeline.TransitionRefused):
            pipeline.next_status(
                status=S.IN_PROGRESS, action=action, parties=frozenset({Party.REQUESTER})
            )


def test_a_closed_request_cannot_be_withdrawn():
    with pytest.raises(pipeline.TransitionRefused, match="已办结"):
        pipeline.next_status(
            status=S.CLOSED, action=Action.WITHDRAW, parties=frozenset({Party.REQUESTER})
        )


def test_supplying_info_resumes_work():
    assert (
        pipeline.next_status(
            status=S.AWAITING_INFO, action=Action.SUPPLY_INFO, parties=frozenset({Party.REQUESTER})
        )
        == S.IN_PROGRESS
    )


def test_allowed_actions_for_the_handler_in_progress():
    assert set(
        pipeline.allowed_actions(status=S.IN_PROGRESS, parties=frozenset({Party.HANDLER}))
    ) == {Action.ASK_INFO, Action.CLOSE}


def _weekdays_only(start: dt.date, days: int) -> dt.date:
    day = start
    while days:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            days -= 1
    return day


@pytest.mark.parametrize(
    ("type_", "workdays", "expected"),
    [("consult", None, 1), ("assisted", None, 3), ("on_behalf", 7, 7), ("on_behalf", None, 5)],
)
def test_response_days_per_type(type_, workdays, expected):
    assert pipeline.response_workdays(type=type_, procedure_workdays=workdays) == expected


def test_due_on_uses_the_calendar_it_is_given():
    friday = dt.date(2026, 11, 20)
    assert pipeline.due_on(
        type="consult", asked_on=friday, procedure_workdays=None, add_workdays=_weekdays_only
    ) == dt.date(2026, 11, 23)


def test_overdue_only_while_open():
    today = dt.date(2026, 11, 24)
    assert pipeline.is_overdue(status=S.IN_PROGRESS, due=dt.date(2026, 11, 23), today=today)
    assert not pipeline.is_overdue(status=S.CLOSED, due=dt.date(2026, 11, 23), today=today)
    assert not pipeline.is_overdue(status=S.PENDING, due=today, today=today)
