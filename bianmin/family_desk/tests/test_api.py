import json

import pytest
from django.test import Client

from bianmin.audit.models import AuditEntry
from bianmin.core.permissions import Role
from bianmin.family_desk.models import DeskRequest
from bianmin.family_desk.services import (
    Asker,
    guide_set_public,
    request_create,
    request_reply,
    request_take,
)
from bianmin.family_desk.tests.factories import FamilyMemberFactory


def _post(client, payload):
    return client.post(
        "/api/v1/desk/requests", json.dumps(payload), content_type="application/json"
    )


def test_staff_search_returns_the_contract_shape(daytime, api_client_for, officer, procedure):
    response = api_client_for(officer).get("/api/v1/desk/procedures", {"q": "公积金"})
    assert response.status_code == 200
    body = response.json()
    assert body[0] == {
        "id": procedure.pk,
        "unit": procedure.unit.name,
        "name": "购房提取住房公积金",
        "materials": ["居民身份证", "户口簿"],
        "fee": "免费",
        "time_limit": "5个工作日",
        "place": "一楼",
    }


def test_unknown_unit_or_event_is_a_chinese_400(daytime, api_client_for, officer, procedure):
    client = api_client_for(officer)
    bad_unit = client.get("/api/v1/desk/procedures", {"unit": "火星局"})
    assert bad_unit.status_code == 400
    assert bad_unit.json()["code"] == "unknown_unit"
    bad_event = client.get("/api/v1/desk/procedures", {"event": "升职"})
    assert bad_event.status_code == 400
    assert "人生事件" in bad_event.json()["message"]
    by_label = client.get("/api/v1/desk/procedures", {"unit": procedure.unit.name})
    assert by_label.status_code == 200


def test_the_public_sees_the_guide_only_when_the_director_allows(daytime, director, procedure):
    anonymous = Client()
    assert anonymous.get("/api/v1/desk/procedures", {"center": "TG"}).status_code == 401
    guide_set_public(actor=director, is_public=True)
    response = anonymous.get("/api/v1/desk/procedures", {"center": "TG", "q": "公积金"})
    assert response.status_code == 200
    assert response.json()[0]["id"] == procedure.pk
    assert anonymous.get("/desk/guide/", {"center": "TG"}).status_code == 200


def test_only_the_director_opens_the_guide(daytime, desk):
    from bianmin.core.errors import DomainError

    with pytest.raises(DomainError):
        guide_set_public(actor=desk, is_public=True)


def test_an_officer_asks_through_the_api(daytime, api_client_for, officer, procedure):
    response = _post(
        api_client_for(officer),
        {"type": "on_behalf", "procedure_id": procedure.pk, "question": "请代办"},
    )
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"number", "status", "due_on"}
    assert body["status"] == "pending"
    assert body["due_on"] == "2026-11-27"  # 3 working days after Tuesday 24 November


def test_a_family_member_asks_through_the_api_with_the_phone_session(
    daytime, family_client_for, member
):
    client = family_client_for(member)
    client.handler.enforce_csrf_checks = False
    response = _post(client, {"type": "consult", "question": "公积金能取吗？"})
    assert response.status_code == 201
    assert DeskRequest.objects.get().requester_family == member
    number = response.json()["number"]
    assert client.get(f"/api/v1/desk/requests/{number}").json()["status_label"] == "待受理"


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ({"type": "consult", "question": ""}, "empty_question"),
        ({"type": "consult", "procedure_id": 424242, "question": "问"}, "unknown_procedure"),
        ({"type": "chat", "question": "问"}, "invalid_request"),
        ({"question": "问"}, "invalid_request"),
    ],
)
def test_bad_requests_are_chinese_400s_and_write_nothing(
    daytime, api_client_for, officer, payload, code
):
    response = _post(api_client_for(officer), payload)
    assert response.status_code == 400
    assert response.json()["code"] == code
    assert DeskRequest.objects.count() == 0


def test_nobody_else_may_ask(daytime, make_staff, api_client_for):
    worker = make_staff(Role.SANITATION)
    response = _post(api_client_for(worker), {"type": "consult", "question": "问"})
    assert response.status_code == 403
    assert _post(Client(), {"type": "consult", "question": "问"}).status_code == 401
    assert DeskRequest.objects.count() == 0


def test_the_requester_sees_visible_replies_but_not_internal_notes(
    daytime, api_client_for, officer, desk
):
    created = request_create(asker=Asker.of_staff(officer), type="consult", question="问")
    request_take(actor=desk, number=created.number)
    request_reply(actor=desk, number=created.number, body="内部备注：打过电话", visible=False)
    request_reply(actor=desk, number=created.number, body="请带身份证。")
    body = api_client_for(officer).get(f"/api/v1/desk/requests/{created.number}").json()
    assert [r["body"] for r in body["replies"]] == ["请带身份证。"]
    assert body["status"] == "in_progress"


# -- privacy matrix: requester, desk and handler only; the director sees counts, not contents --


@pytest.fixture
def asked(daytime, officer):
    return request_create(asker=Asker.of_staff(officer), type="consult", question="家里的私事")


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("requester", 200),
        ("desk", 200),
        ("handler", 200),
        ("another_officer", 404),
        ("family_of_someone_else", 404),
        ("family_of_the_requester", 404),
        ("director", 404),
        ("desk_of_another_center", 404),
    ],
)
def test_privacy_matrix(
    asked, who, status, officer, desk, make_staff, api_client_for, family_client_for, other_center
):
    from bianmin.family_desk.services import request_assign

    handler = make_staff(Role.BACK_OFFICE, username="handler01")
    request_assign(actor=desk, number=asked.number, handler_id=handler.pk)
    colleague = make_staff(Role.OFFICER, username="officer09")
    clients = {
        "requester": lambda: api_client_for(officer),
        "desk": lambda: api_client_for(desk),
        "handler": lambda: api_client_for(handler),
        "another_officer": lambda: api_client_for(colleague),
        "family_of_someone_else": lambda: family_client_for(FamilyMemberFactory(officer=colleague)),
        "family_of_the_requester": lambda: family_client_for(FamilyMemberFactory(officer=officer)),
        "director": lambda: api_client_for(make_staff(Role.DIRECTOR, username="director09")),
        "desk_of_another_center": lambda: api_client_for(
            make_staff(Role.DESK_OFFICER, username="desk09", center_=other_center)
        ),
    }
    reads_before = AuditEntry.objects.filter(action="desk_request_viewed").count()
    response = clients[who]().get(f"/api/v1/desk/requests/{asked.number}")
    assert response.status_code == status
    reads = AuditEntry.objects.filter(action="desk_request_viewed").count() - reads_before
    if status == 200:
        assert response.json()["question"] == "家里的私事"
        assert reads == 1
    else:
        assert "家里的私事" not in response.content.decode()
        assert response.json()["code"] == "not_found"
        assert reads == 0


def test_the_director_sees_counts_not_contents(daytime, asked, login_client_for, director):
    page = login_client_for(director).get("/desk/figures/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "家里的私事" not in html
    assert asked.number not in html
    assert "在办" in html
    home = login_client_for(director).get("/").content.decode()
    assert "家里的私事" not in home
    assert "惠民暖警服务台" in home  # the panel with the counts


def test_huge_ids_are_unknown_not_errors(daytime, api_client_for, login_client_for, officer, desk):
    huge = 10**30
    response = _post(
        api_client_for(officer), {"type": "consult", "procedure_id": huge, "question": "问"}
    )
    assert response.status_code == 400
    assert response.json()["code"] == "unknown_procedure"
    assert login_client_for(desk).get(f"/desk/guide/{huge}/").status_code == 404
    assert (
        api_client_for(officer).get("/api/v1/desk/procedures", {"unit": str(huge)}).status_code
        == 400
    )
