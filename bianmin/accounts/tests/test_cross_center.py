"""Center B's director and administrator against center A's staff and settings (ADR 0006).

Write endpoints covered here (named for tests/test_cross_center_inventory.py):
"accounts:staff_list" (create an account), "accounts:staff_authorizations" (交叉授权),
"accounts:hours" (week and single dates), "accounts:hours_day_delete".
"""

from datetime import date, time

import pytest
from django.urls import reverse

from bianmin.accounts.models import Authorization, CenterDayHours, CenterWeekday, Staff
from bianmin.accounts.selectors import staff_list
from bianmin.accounts.services import (
    HoursInput,
    authorization_grant,
    authorization_revoke,
    staff_create,
    staff_set_authorizations,
)
from bianmin.catalogue.models import ServiceItem
from bianmin.core.errors import PermissionDenied
from bianmin.core.permissions import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def a_officer(make_staff):
    return make_staff(Role.OFFICER, username="a_officer", all_round=True)


@pytest.fixture
def b_director(make_staff, other_center):
    return make_staff(Role.DIRECTOR, username="b_director", center_=other_center)


@pytest.fixture
def b_admin(make_staff, other_center):
    return make_staff(Role.ADMINISTRATOR, username="b_admin", center_=other_center)


def test_b_director_cannot_change_a_officers_authorizations(
    catalogue, a_officer, b_director, login_client_for
) -> None:
    client = login_client_for(b_director)
    url = reverse("accounts:staff_authorizations", args=[a_officer.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"items": ["HZ02"]}).status_code == 404
    a_officer.refresh_from_db()
    assert a_officer.is_all_round
    assert not Authorization.objects.exists()


def test_b_director_cannot_grant_or_revoke_through_the_services(
    catalogue, a_officer, b_director
) -> None:
    item = ServiceItem.objects.get(code="HZ02")
    with pytest.raises(PermissionDenied):
        authorization_grant(actor=b_director, staff=a_officer, item=item)
    with pytest.raises(PermissionDenied):
        authorization_revoke(actor=b_director, staff=a_officer, item=item)
    with pytest.raises(PermissionDenied):
        staff_set_authorizations(actor=b_director, staff=a_officer, all_round=False, items=[])
    assert not Authorization.objects.exists()


def test_b_lists_show_no_a_staff(a_officer, b_director, b_admin, login_client_for) -> None:
    page = login_client_for(b_admin).get(reverse("accounts:staff_list")).content.decode()
    assert "a_officer" not in page
    assert a_officer not in staff_list(user=b_director)


def test_b_admin_creates_accounts_only_in_b(
    center, other_center, b_admin, login_client_for
) -> None:
    response = login_client_for(b_admin).post(
        reverse("accounts:staff_list"),
        {"username": "newbie", "full_name": "新人", "role": "officer",
         "password": "Long-enough-1", "center": center.pk},
    )  # fmt: skip
    assert response.status_code == 302
    assert Staff.objects.get(username="newbie").center == other_center
    with pytest.raises(PermissionDenied):
        staff_create(
            actor=b_admin, username="sneak", full_name="甲", role=Role.OFFICER,
            center=center, password="Long-enough-1",
        )  # fmt: skip
    assert not Staff.objects.filter(username="sneak").exists()


def test_a_province_wide_admin_manages_every_center(
    center, other_center, a_officer, make_staff, login_client_for
) -> None:
    admin = make_staff(Role.ADMINISTRATOR, username="province", center_=other_center)
    admin.province_wide = True
    admin.save()
    assert a_officer in staff_list(user=admin)
    response = login_client_for(admin).post(
        reverse("accounts:staff_list"),
        {"username": "for_a", "full_name": "甲", "role": "officer",
         "password": "Long-enough-1", "center": center.pk},
    )  # fmt: skip
    assert response.status_code == 302
    assert Staff.objects.get(username="for_a").center == center


def test_the_province_flag_means_nothing_for_a_director(a_officer, b_director) -> None:
    b_director.province_wide = True
    b_director.save()
    assert a_officer not in staff_list(user=b_director)


def test_b_director_hours_change_only_b(center, other_center, b_director, login_client_for) -> None:
    from bianmin.accounts.services import center_day_hours_set

    a_day = center_day_hours_set(
        actor=_a_director(center),
        center=center,
        day=date(2026, 12, 24),
        hours=HoursInput(True, time(9), time(12)),
    )
    client = login_client_for(b_director)
    client.post(
        reverse("accounts:hours"),
        {"form": "day", "day": "2026-12-24", "note": "B 闭馆"},  # closed in B
    )
    client.post(reverse("accounts:hours_day_delete", args=["2026-12-24"]))
    a_day.refresh_from_db()
    assert a_day.is_open
    assert a_day.center == center
    assert not CenterDayHours.objects.filter(center=other_center).exists()  # deleted again
    client.post(reverse("accounts:hours"), {"form": "week", "d0-is_open": ""})
    assert not CenterWeekday.objects.filter(center=center).exists()
    assert CenterWeekday.objects.filter(center=other_center).count() == 7


def _a_director(center):
    return Staff.objects.create(
        username="a_director", full_name="甲主任", role=Role.DIRECTOR, center=center
    )
