"""The citizen's rating: by one-use token only, never by staff; bad input writes nothing."""

import json
from typing import Any

import pytest

from bianmin.audit.enums import AuditAction
from bianmin.audit.models import AuditEntry
from bianmin.core.errors import DomainError
from bianmin.core.permissions import Role
from bianmin.ratings.enums import Channel, RectificationStatus
from bianmin.ratings.errors import RatingError
from bianmin.ratings.models import Rating, RatingToken, Rectification
from bianmin.ratings.services import (
    rating_enter_callback,
    rating_submit,
    token_for_ticket,
    token_issue,
)


def _snapshot() -> tuple[int, int, int]:
    return (
        Rating.objects.count(),
        Rectification.objects.count(),
        RatingToken.objects.filter(used_at__isnull=False).count(),
    )


def test_a_finished_visit_is_recorded_once_with_officer_window_and_item(visit, officer):
    assert visit.officer_id == officer.pk
    assert visit.window_code == "W01"
    assert visit.item_code == "HZ02"
    assert visit.number


def test_token_rates_once_and_names_officer_window_item(visit, officer):
    token = token_issue(event=visit, channel=Channel.PAD)
    submitted = rating_submit(token=token, level=5)
    rating = submitted.rating
    assert (rating.level, rating.officer_id, rating.window_code, rating.item_code) == (
        5,
        officer.pk,
        "W01",
        "HZ02",
    )
    assert submitted.rectification_due is None
    before = _snapshot()
    with pytest.raises(DomainError) as refused:
        rating_submit(token=token, level=1, reasons=["attitude"])
    assert refused.value.code == RatingError.ALREADY_RATED
    assert refused.value.status == 409
    assert _snapshot() == before
    assert AuditEntry.objects.filter(action=AuditAction.RATING_SUBMITTED).count() == 1


def test_a_second_token_of_a_rated_service_is_refused(visit):
    first, second = (token_issue(event=visit, channel=Channel.PAD) for _ in range(2))
    rating_submit(token=first, level=4)
    with pytest.raises(DomainError) as refused:
        rating_submit(token=second, level=3)
    assert refused.value.code == RatingError.ALREADY_RATED
    assert Rating.objects.get().level == 4


def test_staff_session_cannot_rate(visit):
    token = token_issue(event=visit, channel=Channel.PAD)
    with pytest.raises(DomainError) as refused:
        rating_submit(token=token, level=5, staff_signed_in=True)
    assert refused.value.code == RatingError.STAFF_CANNOT_RATE
    assert Rating.objects.count() == 0
    assert RatingToken.objects.get().used_at is None


@pytest.mark.parametrize(
    ("level", "reasons", "comment", "code"),
    [
        (0, None, "", RatingError.BAD_LEVEL),
        (6, None, "", RatingError.BAD_LEVEL),
        ("五", None, "", RatingError.BAD_LEVEL),
        (True, None, "", RatingError.BAD_LEVEL),
        (2, ["rude"], "", RatingError.BAD_REASON),
        (1, [], "", RatingError.REASON_REQUIRED),
        (5, None, "很好" * 5000, RatingError.COMMENT_INVALID),
        (5, None, "好\x00评", RatingError.COMMENT_INVALID),
        (4, None, "好\u202e评", RatingError.COMMENT_INVALID),
    ],
)
def test_bad_input_is_refused_in_chinese_and_writes_nothing(visit, level, reasons, comment, code):
    token = token_issue(event=visit, channel=Channel.SMS)
    before = _snapshot()
    with pytest.raises(DomainError) as refused:
        rating_submit(token=token, level=level, reasons=reasons, comment=comment)
    assert refused.value.code == code
    assert any("\u4e00" <= ch <= "\u9fff" for ch in refused.value.message)
    assert _snapshot() == before
    rating_submit(token=token, level=5)  # the token was not spent by the refusal


def test_an_expired_sms_token_is_refused(visit, clock):
    token = token_issue(event=visit, channel=Channel.SMS)
    clock.shift(7 * 86400 + 60)
    with pytest.raises(DomainError) as refused:
        rating_submit(token=token, level=5)
    assert refused.value.code == RatingError.TOKEN_EXPIRED
    assert Rating.objects.count() == 0


def test_an_unknown_token_is_refused(visit):
    for token in ["", "x" * 65, "not-a-token"]:
        with pytest.raises(DomainError) as refused:
            rating_submit(token=token, level=5)
        assert refused.value.code == RatingError.TOKEN_INVALID
    assert Rating.objects.count() == 0


def test_a_bad_rating_opens_a_rectification_for_the_shift_leader(visit):
    token = token_issue(event=visit, channel=Channel.PAD)
    submitted = rating_submit(
        token=token, level=2, reasons=["efficiency", "efficiency", "other"], comment="等太久"
    )
    task = Rectification.objects.get(rating=submitted.rating)
    assert submitted.rating.reasons == ["efficiency", "other"]
    assert task.status == RectificationStatus.OPEN
    # Tuesday 2026-12-01: callback by Wednesday, fix by the next Tuesday (5 working days).
    assert str(task.callback_due) == "2026-12-02"
    assert str(task.due_on) == "2026-12-08"
    assert submitted.rectification_due == task.due_on


def test_reasons_of_a_good_rating_are_dropped(visit):
    token = token_issue(event=visit, channel=Channel.PAD)
    rating = rating_submit(token=token, level=4, reasons=["attitude"]).rating
    assert rating.reasons == []


def test_token_for_ticket_only_after_finish_and_before_rating(visit):
    token = token_for_ticket(ticket_id=visit.ticket_id)
    assert RatingToken.objects.get(channel=Channel.POSITION).service_event_id == visit.pk
    rating_submit(token=token, level=5)
    with pytest.raises(DomainError) as refused:
        token_for_ticket(ticket_id=visit.ticket_id)
    assert refused.value.code == RatingError.ALREADY_RATED
    with pytest.raises(DomainError) as unknown:
        token_for_ticket(ticket_id="no-such-ticket")
    assert unknown.value.code == RatingError.NOT_FINISHED


def test_callback_rating_is_marked_and_never_by_the_serving_officer(visit, officer, leader):
    with pytest.raises(DomainError) as refused:
        rating_enter_callback(
            actor=officer, service_event_id=visit.pk, level=5, callback_note="本人回访"
        )
    assert refused.value.code == RatingError.PERMISSION_DENIED
    submitted = rating_enter_callback(
        actor=leader, service_event_id=visit.pk, level=3, callback_note="12月1日 15:00 尾号0001"
    )
    rating = submitted.rating
    assert (rating.channel, rating.entered_by_id) == (Channel.CALLBACK, leader.pk)
    entry = AuditEntry.objects.get(action=AuditAction.RATING_CALLBACK_ENTERED)
    assert entry.actor_id == leader.pk
    with pytest.raises(DomainError) as twice:
        rating_enter_callback(
            actor=leader, service_event_id=visit.pk, level=5, callback_note="再次"
        )
    assert twice.value.code == RatingError.ALREADY_RATED


def test_the_serving_shift_leader_cannot_enter_a_rating_of_their_own_service(
    clock, finish_visit, leader
):
    event = finish_visit(leader)
    with pytest.raises(DomainError) as refused:
        rating_enter_callback(actor=leader, service_event_id=event.pk, level=5, callback_note="x")
    assert refused.value.code == RatingError.STAFF_CANNOT_RATE
    assert Rating.objects.count() == 0


@pytest.mark.parametrize("role", [Role.OFFICER, Role.GUIDE, Role.BACK_OFFICE, Role.INSPECTOR])
def test_roles_without_the_permission_cannot_enter_callback_ratings(visit, make_staff, role):
    actor = make_staff(role, username=f"x_{role}")
    with pytest.raises(DomainError):
        rating_enter_callback(actor=actor, service_event_id=visit.pk, level=5, callback_note="x")
    assert Rating.objects.count() == 0


def test_ratings_cannot_be_edited_or_deleted_through_any_api(api_client_for, director, visit):
    """No write route for an existing rating exists: every method on a rating URL is refused."""
    token = token_issue(event=visit, channel=Channel.PAD)
    rating = rating_submit(token=token, level=1, reasons=["attitude"]).rating
    client: Any = api_client_for(director)
    for method in ("put", "patch", "delete"):
        response = getattr(client, method)(
            f"/api/v1/ratings/{rating.pk}",
            data=json.dumps({"level": 5}),
            content_type="application/json",
        )
        assert response.status_code in {404, 405}
    rating.refresh_from_db()
    assert rating.level == 1
