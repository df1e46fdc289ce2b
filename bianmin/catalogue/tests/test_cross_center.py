"""Cross-center authorization for every catalogue write (ADR 0007): the item catalogue and the
working-day calendar are province-wide, so a center's director (B, or A) cannot change what
another center's citizens see; only a province-scope account can.

Write forms covered here (the inventory test looks for these names):
- URL name `catalogue:manage_item` (item edit form; `section=material` and `section=variant`)
- URL name `catalogue:calendar` (override form and `confirm_year`)
The catalogue API (`bianmin_catalogue_api_items`) is read-only.
"""

import pytest
from django.urls import reverse

from bianmin.audit.enums import AuditAction
from bianmin.audit.models import AuditEntry
from bianmin.catalogue.models import ServiceItem
from bianmin.core.models import CalendarOverride, CalendarYear
from bianmin.core.permissions import Role

pytestmark = pytest.mark.django_db

EDIT = {
    "name": "改名",
    "fee_yuan": "0",
    "promised_workdays": "1",
    "statutory_limit": "",
    "average_service_minutes": "8",
    "is_active": "",
    "reason": "跨中心",
}


@pytest.fixture
def b_director(make_staff, other_center):
    return make_staff(Role.DIRECTOR, username="hydirector", center_=other_center)


def _posts(client) -> None:
    url = reverse("catalogue:manage_item", args=["HZ12"])
    client.post(url, EDIT)
    client.post(
        url,
        {"section": "material", "code": "x1", "name": "新材料", "reason": "跨中心"},
    )
    client.post(url, {"section": "material", "code": "photo", "remove": "1", "reason": "跨中心"})
    client.post(
        url, {"section": "variant", "code": "v1", "name": "免费", "fee_yuan": "0", "reason": "x"}
    )
    client.post(reverse("catalogue:calendar"), {"day": "2026-12-07", "is_workday": "0"})
    client.post(reverse("catalogue:calendar"), {"confirm_year": "2027", "source": "x"})


def _snapshot() -> tuple:
    item = ServiceItem.objects.get(code="HZ12")
    return (
        item.name,
        item.fee_fen,
        item.promised_workdays,
        item.is_active,
        sorted(item.materials.values_list("code", flat=True)),
        sorted(item.fee_variants.values_list("code", "fee_fen")),
    )


@pytest.mark.parametrize("which", ["b", "a"])
def test_a_center_director_cannot_change_the_province_catalogue_or_calendar(
    which, catalogue, b_director, director, login_client_for
) -> None:
    before = _snapshot()
    client = login_client_for(b_director if which == "b" else director)

    _posts(client)

    assert _snapshot() == before
    assert not CalendarOverride.objects.exists()
    assert not CalendarYear.objects.filter(year=2027).exists()
    assert not AuditEntry.objects.filter(
        action__in=[AuditAction.ITEM_UPDATED, AuditAction.CALENDAR_UPDATED]
    ).exists()


def test_the_refusal_says_why_in_chinese(catalogue, b_director, login_client_for) -> None:
    page = login_client_for(b_director).post(
        reverse("catalogue:manage_item", args=["HZ12"]), EDIT, follow=True
    )

    assert "全省统一" in page.content.decode()


def test_the_province_account_edits_for_every_center(
    catalogue, province_director, login_client_for
) -> None:
    _posts(login_client_for(province_director))

    item = ServiceItem.objects.get(code="HZ12")
    assert (item.name, item.promised_workdays) == ("改名", 1)
    assert CalendarOverride.objects.filter(day="2026-12-07").exists()
    assert AuditEntry.objects.filter(action=AuditAction.ITEM_UPDATED).count() == 4


def test_a_center_directors_calendar_reminder_points_to_the_province(
    director, province_director, login_client_for
) -> None:
    import time_machine

    with time_machine.travel("2026-11-28 09:00 +0800", tick=False):
        center_home = login_client_for(director).get("/").content.decode()
        province_home = login_client_for(province_director).get("/").content.decode()

    assert "请省级管理员录入" in center_home
    assert reverse("catalogue:calendar") + '">去录入' not in center_home
    assert "去录入" in province_home
