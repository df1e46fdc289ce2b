"""Every foundation screen and staff endpoint, for every role: allowed or denied, and a denied
request changes nothing."""

import io
from datetime import date

import pytest
from django.test import Client
from openpyxl import Workbook

from bianmin.audit.models import AuditEntry
from bianmin.catalogue.models import ItemRevision
from bianmin.core.models import CalendarOverride
from bianmin.core.permissions import Role
from bianmin.people.idnumber import make_id_number
from bianmin.people.models import Person, PersonImport
from bianmin.people.services import PersonInput, person_upsert

pytestmark = pytest.mark.django_db

PAGES = {
    "/people/": {
        Role.OFFICER,
        Role.BACK_OFFICE,
        Role.SHIFT_LEADER,
        Role.DIRECTOR,
        Role.ADMINISTRATOR,
    },
    "/people/import/": {Role.SHIFT_LEADER, Role.DIRECTOR, Role.ADMINISTRATOR},
    "/catalogue/": {Role.DIRECTOR},
    "/catalogue/HZ02/": {Role.DIRECTOR},
    "/catalogue/calendar/": {Role.DIRECTOR},
    "/audit/": {Role.INSPECTOR},
}


@pytest.mark.parametrize("path", sorted(PAGES))
@pytest.mark.parametrize("role", list(Role))
def test_pages_by_role(catalogue, staff_by_role, login_client_for, path, role) -> None:
    response = login_client_for(staff_by_role[role]).get(path)
    assert response.status_code == (200 if role in PAGES[path] else 403)


@pytest.mark.parametrize("path", sorted(PAGES))
def test_anonymous_is_sent_to_login(catalogue, path) -> None:
    response = Client().get(path)
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


@pytest.mark.parametrize("role", list(Role))
def test_people_api_by_role(staff_by_role, api_client_for, role) -> None:
    client = api_client_for(staff_by_role[role])
    entries_before = AuditEntry.objects.count()
    response = client.post(
        "/api/v1/people",
        {
            "name": "王伟",
            "id_number": make_id_number("610522", date(1990, 1, 1), 123),
            "gender": "male",
            "phone": "13912345678",
        },
    )
    allowed = role in {Role.OFFICER, Role.SHIFT_LEADER, Role.DIRECTOR, Role.ADMINISTRATOR}
    if allowed:
        assert response.status_code == 200
        assert Person.objects.count() == 1
    else:
        assert response.status_code == 403
        assert response.json()["code"] == "permission_denied"
        assert Person.objects.count() == 0
        assert AuditEntry.objects.count() == entries_before


def test_people_api_without_token_is_401() -> None:
    response = Client().post("/api/v1/people", {"name": "王伟"})
    assert response.status_code == 401
    assert response.json() == {
        "code": "unauthorized",
        "message": "请先登录，或在请求头提供有效的 Bearer 令牌",
    }


@pytest.mark.parametrize("role", [r for r in Role if r != Role.DIRECTOR])
def test_only_the_director_edits_items_and_calendar(
    catalogue, staff_by_role, login_client_for, role
) -> None:
    client = login_client_for(staff_by_role[role])
    revisions = ItemRevision.objects.count()
    client.post(
        "/catalogue/HZ02/",
        {
            "name": "改名",
            "fee_yuan": "1",
            "promised_workdays": 1,
            "average_service_minutes": 5,
            "reason": "x",
        },
    )
    client.post("/catalogue/calendar/", {"day": "2026-12-01", "is_workday": "0", "note": "x"})
    assert ItemRevision.objects.count() == revisions
    assert not CalendarOverride.objects.exists()


@pytest.mark.parametrize("role", [r for r in Role if r != Role.SHIFT_LEADER])
def test_reveal_is_denied_without_the_permission(staff_by_role, login_client_for, role) -> None:
    person, _ = person_upsert(
        actor=staff_by_role[Role.OFFICER],
        data=PersonInput("王伟", make_id_number("610522", date(1990, 1, 1), 123), "male"),
    )
    entries = AuditEntry.objects.count()
    response = login_client_for(staff_by_role[role]).post(f"/people/{person.pk}/reveal/id_number/")
    assert response.status_code in (403, 404)
    assert make_id_number("610522", date(1990, 1, 1), 123) not in response.content.decode()
    assert AuditEntry.objects.count() == entries


def test_import_denied_for_an_officer_creates_nothing(staff_by_role, login_client_for) -> None:
    book = Workbook()
    book.active.append(["姓名", "公民身份号码", "性别"])
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.name = "a.xlsx"
    response = login_client_for(staff_by_role[Role.OFFICER]).post(
        "/people/import/", {"file": buffer}
    )
    assert response.status_code == 403
    assert PersonImport.objects.count() == 0
