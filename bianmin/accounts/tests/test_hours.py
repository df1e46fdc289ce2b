"""A center's hours per weekday with a lunch break, single dates, and the holiday calendar,
behind `center_hours`; the director's screen to set them."""

from datetime import date, time

import pytest
from django.urls import reverse

from bianmin.accounts.models import CenterDayHours, CenterWeekday
from bianmin.accounts.selectors import DayHours, center_hours
from bianmin.accounts.services import HoursInput, center_day_hours_set, center_week_set_standard
from bianmin.audit.enums import AuditAction
from bianmin.audit.models import AuditEntry
from bianmin.core.errors import DomainError, PermissionDenied
from bianmin.core.permissions import Role

pytestmark = pytest.mark.django_db

MONDAY = date(2026, 11, 30)
SATURDAY = date(2026, 12, 5)
NATIONAL_DAY = date(2026, 10, 1)  # a Thursday, statutory holiday
MAKEUP_SUNDAY = date(2026, 9, 20)  # 2026 National Day make-up working Sunday (调休)

STANDARD = DayHours(time(8, 30), time(17, 30), time(12, 0), time(13, 30))


def _week_post(**overrides: str) -> dict[str, str]:
    data = {"form": "week"}
    for d in range(7):
        if d < 5:
            data |= {
                f"d{d}-is_open": "on",
                f"d{d}-opens_at": "08:30",
                f"d{d}-closes_at": "17:30",
                f"d{d}-lunch_from": "12:00",
                f"d{d}-lunch_to": "13:30",
            }
    data |= {"d5-is_open": "on", "d5-opens_at": "09:00", "d5-closes_at": "12:00"}
    return data | overrides


def test_a_center_without_a_week_keeps_its_plain_hours_on_working_days(center) -> None:
    assert center_hours(center_id=center.pk, day=MONDAY) == DayHours(time(8, 30), time(17, 30))
    assert center_hours(center_id=center.pk, day=SATURDAY) is None
    assert center_hours(center_id=center.pk, day=NATIONAL_DAY) is None


def test_standard_week_has_a_lunch_break(center) -> None:
    center_week_set_standard(center=center)
    hours = center_hours(center_id=center.pk, day=MONDAY)
    assert hours == STANDARD
    assert hours.is_open_at(time(9, 0))
    assert not hours.is_open_at(time(12, 30))
    assert center_hours(center_id=center.pk, day=SATURDAY) is None


def test_director_sets_the_week_on_the_screen(center, director, login_client_for) -> None:
    client = login_client_for(director)
    page = client.get(reverse("accounts:hours"))
    assert page.status_code == 200
    assert "星期一" in page.content.decode()
    assert "午休开始" in page.content.decode()
    response = client.post(reverse("accounts:hours"), _week_post())
    assert response.status_code == 302
    assert center_hours(center_id=center.pk, day=MONDAY) == STANDARD
    # an ordinary Saturday follows the week (Saturday morning) …
    assert center_hours(center_id=center.pk, day=SATURDAY) == DayHours(time(9), time(12))
    # … a statutory holiday stays closed, a make-up working Sunday takes weekday hours
    assert center_hours(center_id=center.pk, day=NATIONAL_DAY) is None
    assert center_hours(center_id=center.pk, day=MAKEUP_SUNDAY) == STANDARD
    assert AuditEntry.objects.filter(action=AuditAction.CENTER_HOURS_UPDATED).count() == 1


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"d0-closes_at": "08:00"}, "星期一：下班时间应晚于上班时间"),
        ({"d1-lunch_to": ""}, "星期二：午休开始和结束时间须同时填写"),
        ({"d2-lunch_from": "07:00"}, "星期三：午休应在上班时间之内"),
        ({"d3-opens_at": ""}, "星期四：请填写上班和下班时间"),
    ],
)
def test_bad_hours_are_refused_in_chinese_and_nothing_changes(
    center, director, login_client_for, override, message
) -> None:
    response = login_client_for(director).post(reverse("accounts:hours"), _week_post(**override))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not CenterWeekday.objects.exists()


def test_a_garbled_time_is_refused_without_a_500(center, director, login_client_for) -> None:
    response = login_client_for(director).post(
        reverse("accounts:hours"), _week_post(**{"d0-opens_at": "25:99"})
    )
    assert response.status_code == 200
    assert "时间格式应为" in response.content.decode()
    assert not CenterWeekday.objects.exists()


def test_a_date_override_opens_a_holiday_and_can_be_removed(
    center, director, login_client_for
) -> None:
    client = login_client_for(director)
    response = client.post(
        reverse("accounts:hours"),
        {"form": "day", "day": "2026-10-01", "is_open": "on", "opens_at": "09:00",
         "closes_at": "12:00", "note": "国庆节值班"},
    )  # fmt: skip
    assert response.status_code == 302
    assert center_hours(center_id=center.pk, day=NATIONAL_DAY) == DayHours(time(9), time(12))
    client.post(reverse("accounts:hours_day_delete", args=["2026-10-01"]))
    assert not CenterDayHours.objects.exists()
    assert center_hours(center_id=center.pk, day=NATIONAL_DAY) is None


def test_a_date_override_closes_a_working_day(center, director) -> None:
    center_day_hours_set(actor=director, center=center, day=MONDAY, hours=HoursInput(False))
    assert center_hours(center_id=center.pk, day=MONDAY) is None


@pytest.mark.parametrize("role", [r for r in Role if r != Role.DIRECTOR])
def test_only_the_director_sets_hours(center, staff_by_role, login_client_for, role) -> None:
    client = login_client_for(staff_by_role[role])
    assert client.get(reverse("accounts:hours")).status_code == 403
    assert client.post(reverse("accounts:hours"), _week_post()).status_code == 403
    assert not CenterWeekday.objects.exists()


def test_a_director_cannot_set_another_centers_hours(center, other_center, make_staff) -> None:
    other_director = make_staff(Role.DIRECTOR, center_=other_center)
    with pytest.raises(PermissionDenied):
        center_day_hours_set(
            actor=other_director, center=center, day=MONDAY, hours=HoursInput(False)
        )
    assert not CenterDayHours.objects.exists()


def test_hours_input_validates_directly() -> None:
    with pytest.raises(DomainError) as caught:
        HoursInput(True, time(9), time(8)).validate("x")
    assert caught.value.code == "hours_invalid"


def test_the_screen_starts_from_what_the_center_serves_today(
    center, director, login_client_for
) -> None:
    """Saving the untouched screen of a center without a week changes no day's answer."""
    import re

    page = login_client_for(director).get(reverse("accounts:hours")).content.decode()
    ticked = set(re.findall(r'name="(d\d)-is_open" checked', page))
    assert ticked == {"d0", "d1", "d2", "d3", "d4"}


def test_hours_read_again_come_from_the_process_and_a_change_shows_at_once(
    center, director, monkeypatch, django_capture_on_commit_callbacks
) -> None:
    from bianmin.core import caching

    asked: list[str] = []

    class Counting:
        """The shared cache, its reads counted."""

        def get(self, key, *args, **kwargs):
            asked.append(key)
            return shared.get(key, *args, **kwargs)

        def __getattr__(self, name):
            return getattr(shared, name)

    shared = caching.cache
    monkeypatch.setattr(caching, "cache", Counting())
    assert center_hours(center_id=center.pk, day=MONDAY) == DayHours(time(8, 30), time(17, 30))
    assert center_hours(center_id=center.pk, day=MONDAY) == DayHours(time(8, 30), time(17, 30))
    assert len([key for key in asked if key.startswith("accounts:hours:")]) == 1  # then kept
    with django_capture_on_commit_callbacks(execute=True):
        center_day_hours_set(actor=director, center=center, day=MONDAY, hours=HoursInput(False))
        assert center_hours(center_id=center.pk, day=MONDAY) is None  # its own change
    assert center_hours(center_id=center.pk, day=MONDAY) is None  # everyone's, once committed
