"""Second notice after N working days; pickup tracking and its statistics."""

from collections.abc import Callable
from typing import Any

import pytest

from bianmin.notifications import selectors, services
from bianmin.notifications.models import Message
from bianmin.notifications.tests.conftest import at

pytestmark = pytest.mark.usefixtures("templates")


def test_reminder_after_five_working_days_once_and_not_after_pickup(
    pinned: Any,
    waiting_cases: Callable[..., list[Any]],
    back_office: Any,
    officer: Any,
    outbox: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    from bianmin.cases import services as cases_services

    # given two cases notified on Thursday 2026-03-12
    a, b = waiting_cases(2)
    batch_id = cases_services.arrival_list_preview(  # arrival is cases'
        actor=back_office, kind="arrival_list", text=f"{a.number}\n{b.number}"
    )
    with django_capture_on_commit_callbacks(execute=True):
        cases_services.arrival_list_send(actor=back_office, batch_id=batch_id)
    # and b is collected the next day
    pinned.move_to(at(2026, 3, 13, 9))
    cases_services.case_pickup(actor=officer, case=b, method="id_card")
    # when four working days have passed (Fri, Mon, Tue, Wed): nothing yet
    pinned.move_to(at(2026, 3, 18, 9, 15))
    assert services.pickup_reminders_send(workdays=5) == 0
    # five working days later (Thu 19th): one reminder, for a only
    pinned.move_to(at(2026, 3, 19, 9, 15))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.pickup_reminders_send(workdays=5) == 1
    assert services.pickup_reminders_send(workdays=5) == 0
    reminder = Message.objects.get(template_code="pickup_reminder")
    assert (reminder.case_id, reminder.status) == (a.pk, "delivered")
    assert reminder.text == (
        f"【潼关县公安局】您的居民身份证（办件号{a.number}）已到达多日未领取，"
        "请于工作日携带回执到便民服务中心领取。"
    )
    # then the pickup statistics see one collected and one waiting
    stats = selectors.pickup_stats(center_id=a.center_id)
    assert (stats.notified, stats.picked_up, stats.waiting, stats.within_goal) == (2, 1, 1, 1)
    assert sum(stats.buckets) == 1


def test_appointment_reminder_is_ready_for_later(
    pinned: Any, center: Any, django_capture_on_commit_callbacks: Any, outbox: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        assert services.appointment_reminder_enqueue(
            center_id=center.pk,
            appointment_id=7,
            phone="13912345678",
            item="居民身份证首次申领",
            on=at(2026, 3, 13, 9, 30),
        )
    message = Message.objects.get()
    assert message.text == (
        "【潼关县公安局】您已预约3月13日 09:30办理居民身份证，请携带身份证件及材料按时到便民服务中心。"
    )
