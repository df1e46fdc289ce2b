"""差评整改 across holidays, the citizen's 复核 decided by the director, and the officer's 申诉:
only the director decides, the rating is never deleted, every decision is audited."""

from datetime import date, datetime

import pytest
import time_machine

from bianmin.audit.enums import AuditAction
from bianmin.audit.models import AuditEntry
from bianmin.core.errors import DomainError
from bianmin.core.permissions import Role
from bianmin.ratings.enums import AppealStatus, Channel, RectificationStatus
from bianmin.ratings.errors import RatingError
from bianmin.ratings.models import Rating, RatingSettings, Rectification
from bianmin.ratings.selectors import officer_month_figures, period_figures
from bianmin.ratings.services import (
    appeal_decide,
    appeal_file,
    rating_submit,
    rectification_callback,
    rectification_citizen_answer,
    rectification_resolve,
    rectification_review,
    token_issue,
)
from bianmin.ratings.tests.conftest import SHANGHAI
from bianmin.ratings.tests.factories import service_event


def _bad(event, level=1):
    return rating_submit(
        token=token_issue(event=event, channel=Channel.PAD), level=level, reasons=["attitude"]
    )


@pytest.mark.parametrize(
    ("rated_on", "workdays", "callback_due", "due_on"),
    [
        # National Day 2026: Oct 1–7 off, Sat Oct 10 a make-up working day.
        (date(2026, 9, 30), 5, date(2026, 10, 8), date(2026, 10, 13)),
        # Spring Festival 2026: Feb 15–23 off, Sat Feb 14 and Sat Feb 28 make-up days.
        (date(2026, 2, 13), 5, date(2026, 2, 14), date(2026, 2, 27)),
        # A Friday, the center's deadline set to 15 working days.
        (date(2026, 11, 27), 15, date(2026, 11, 30), date(2026, 12, 18)),
    ],
)
def test_deadlines_count_working_days_across_holidays(
    center, director, rated_on, workdays, callback_due, due_on
):
    RatingSettings.objects.create(center=center, rectification_workdays=workdays)
    at = datetime(rated_on.year, rated_on.month, rated_on.day, 10, 0, tzinfo=SHANGHAI)
    with time_machine.travel(at, tick=False):
        submitted = _bad(service_event(center, at=at))
    task = Rectification.objects.get(rating=submitted.rating)
    assert (task.callback_due, task.due_on) == (callback_due, due_on)


@pytest.fixture
def bad(visit):
    return _bad(visit)


def test_contest_goes_to_the_director_and_the_rating_stays(bad, leader, director, officer):
    task_id = bad.rating.rectification.pk
    rectification_callback(actor=leader, rectification_id=task_id, note="已致电群众，了解情况")
    rectification_resolve(
        actor=leader, rectification_id=task_id, evidence="晨会记录", result="已提醒窗口文明用语"
    )
    task = rectification_citizen_answer(
        actor=leader, rectification_id=task_id, accepts=False, note="群众认为仍未解决"
    )
    assert task.status == RectificationStatus.CONTESTED
    for actor in (leader, officer):
        with pytest.raises(DomainError):
            rectification_review(actor=actor, rectification_id=task_id, note="自行复核")
    task = rectification_review(actor=director, rectification_id=task_id, note="复核：整改到位")
    assert task.status == RectificationStatus.CLOSED
    assert task.reviewed_by_id == director.pk
    assert Rating.objects.filter(pk=bad.rating.pk, level=1).exists()
    steps = AuditEntry.objects.filter(action=AuditAction.RECTIFICATION_STEP, target_id=str(task_id))
    assert [e.after["step"] for e in steps.order_by("seq")] == [
        "callback",
        "resolve",
        "contest",
        "review",
    ]


def test_a_confirmed_rectification_closes_on_time(bad, leader):
    task_id = bad.rating.rectification.pk
    rectification_resolve(actor=leader, rectification_id=task_id, evidence="照片", result="已修复")
    rectification_citizen_answer(actor=leader, rectification_id=task_id, accepts=True, note="满意")
    today = date(2026, 12, 1)
    figures = period_figures(center_id=bad.rating.center_id, start=today, end=today)
    assert (figures.rectifications_open, figures.rectified_on_time) == (0, 1)


def test_steps_out_of_order_and_empty_evidence_are_refused(bad, leader):
    task_id = bad.rating.rectification.pk
    with pytest.raises(DomainError) as early:
        rectification_citizen_answer(actor=leader, rectification_id=task_id, accepts=True, note="x")
    assert early.value.code == RatingError.BAD_TRANSITION
    with pytest.raises(DomainError) as empty:
        rectification_resolve(
            actor=leader, rectification_id=task_id, evidence="  ", result="已修复"
        )
    assert empty.value.code == "empty_text"
    assert Rectification.objects.get(pk=task_id).status == RectificationStatus.OPEN


def test_an_officer_cannot_work_the_rectification(bad, officer):
    with pytest.raises(DomainError):
        rectification_callback(
            actor=officer, rectification_id=bad.rating.rectification.pk, note="x"
        )


def test_appeal_upheld_by_the_director_revokes_without_deleting(bad, officer, leader, director):
    with pytest.raises(DomainError) as no_evidence:
        appeal_file(actor=officer, rating_id=bad.rating.pk, reason="误评", evidence="")
    assert no_evidence.value.code == RatingError.EVIDENCE_REQUIRED
    appeal = appeal_file(
        actor=officer, rating_id=bad.rating.pk, reason="群众误按", evidence="录像 10:02–10:05"
    )
    with pytest.raises(DomainError) as twice:
        appeal_file(actor=officer, rating_id=bad.rating.pk, reason="再申诉", evidence="同上")
    assert twice.value.code == RatingError.APPEAL_EXISTS
    with pytest.raises(DomainError):
        appeal_decide(actor=leader, appeal_id=appeal.pk, upheld=True, note="值班长不能裁定")
    appeal = appeal_decide(actor=director, appeal_id=appeal.pk, upheld=True, note="核实为误评")
    assert appeal.status == AppealStatus.UPHELD
    rating = Rating.objects.get(pk=bad.rating.pk)
    assert (rating.level, rating.is_revoked) == (1, True)
    assert rating.rectification.status == RectificationStatus.REVOKED
    figures = officer_month_figures(
        center_id=rating.center_id, officer_id=officer.pk, month=date(2026, 12, 1)
    )
    assert (figures.rated, figures.bad, figures.bad_revoked) == (1, 1, 1)
    assert AuditEntry.objects.filter(action=AuditAction.RATING_APPEAL_DECIDED).count() == 1


def test_only_the_named_officer_may_appeal(bad, make_staff):
    colleague = make_staff(Role.OFFICER, username="colleague")
    with pytest.raises(DomainError) as refused:
        appeal_file(actor=colleague, rating_id=bad.rating.pk, reason="代申诉", evidence="无")
    assert refused.value.code == RatingError.PERMISSION_DENIED


def test_a_rejected_appeal_counts_as_an_upheld_complaint(bad, officer, director):
    appeal = appeal_file(actor=officer, rating_id=bad.rating.pk, reason="不服", evidence="无录像")
    appeal_decide(actor=director, appeal_id=appeal.pk, upheld=False, note="评价属实")
    figures = officer_month_figures(
        center_id=bad.rating.center_id, officer_id=officer.pk, month=date(2026, 12, 1)
    )
    assert (figures.bad, figures.bad_revoked, figures.complaints_upheld) == (1, 0, 1)
    assert Rating.objects.get(pk=bad.rating.pk).is_revoked is False


def test_the_citizen_contests_on_their_own_link_and_the_director_decides(visit, leader, director):
    from django.test import Client
    from django.urls import reverse

    token = token_issue(event=visit, channel=Channel.SMS)
    rating = rating_submit(token=token, level=2, reasons=["efficiency"]).rating
    citizen = Client()
    waiting = citizen.get(reverse("ratings:link", args=[token])).content.decode()
    assert 'data-testid="follow-up"' in waiting
    assert 'data-testid="follow-up-contest"' not in waiting  # nothing to answer yet
    rectification_resolve(
        actor=leader,
        rectification_id=rating.rectification.pk,
        evidence="排班表",
        result="高峰加开窗口",
    )
    page = citizen.get(reverse("ratings:link", args=[token])).content.decode()
    assert "高峰加开窗口" in page
    citizen.post(reverse("ratings:link", args=[token]), {"answer": "contest", "note": "仍然很慢"})
    task = Rectification.objects.get(pk=rating.rectification.pk)
    assert (task.status, task.citizen_note) == (RectificationStatus.CONTESTED, "仍然很慢")
    entry = AuditEntry.objects.filter(action=AuditAction.RECTIFICATION_STEP).latest("seq")
    assert (entry.actor_id, entry.after["step"]) == (None, "contest")
    again = citizen.post(reverse("ratings:link", args=[token]), {"answer": "confirm"})
    assert again.status_code == 400
    rectification_review(actor=director, rectification_id=task.pk, note="复核：已加开窗口")
    assert Rectification.objects.get(pk=task.pk).status == RectificationStatus.CLOSED
