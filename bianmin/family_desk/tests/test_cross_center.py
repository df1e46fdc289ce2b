"""Center-B actors against center-A objects, for every write endpoint and form of the desk.

Covered, by URL name / API operation id:
- API ``bianmin_family_desk_api_desk_request_create`` (POST /api/v1/desk/requests)
- API ``bianmin_family_desk_api_desk_request_get`` (GET /api/v1/desk/requests/{number})
- API ``bianmin_family_desk_api_desk_procedures`` (GET /api/v1/desk/procedures)
- ``family_desk:request_detail`` (POST actions take, assign, reply, note, ask_info, close,
  custody, add_info, withdraw, rate)
- ``family_desk:custody_print``, ``family_desk:attachment``, ``family_desk:phone_attachment``
- ``family_desk:procedure_edit`` (edit with reason, mark checked)
- ``family_desk:guide_manage`` (import, synonyms)
- ``family_desk:guide_public``
- ``family_desk:mine`` (ask, family register, family remove)
- ``family_desk:phone`` (send code, verify code, ask)
- ``family_desk:phone_request`` (add_info, withdraw, rate)
Every refusal leaves center A's rows exactly as they were.
"""

import json

import pytest
from django.forms.models import model_to_dict

from bianmin.core.permissions import Role
from bianmin.family_desk.models import (
    CustodyEntry,
    DeskRequest,
    DeskSettings,
    FamilyMember,
    Procedure,
    RequestMessage,
    Synonym,
)
from bianmin.family_desk.services import Asker, request_create, request_take
from bianmin.family_desk.tests.factories import FamilyMemberFactory


@pytest.fixture
def a_side(daytime, center, officer, desk, procedure):
    """Center A: a 代办 request taken by its desk, a family member, a procedure."""
    member = FamilyMemberFactory(officer=officer, phone="13900002222")
    asked = request_create(
        asker=Asker.of_family(member),
        type="on_behalf",
        procedure_id=procedure.pk,
        question="A 中心的事",
    )
    request_take(actor=desk, number=asked.number)
    Synonym.objects.create(center=center, words="公积金=住房公积金")
    return {"request": asked, "member": member, "procedure": procedure}


@pytest.fixture
def b_side(other_center, make_staff):
    return {
        "desk": make_staff(Role.DESK_OFFICER, username="desk_b", center_=other_center),
        "officer": make_staff(Role.OFFICER, username="officer_b", center_=other_center),
        "director": make_staff(Role.DIRECTOR, username="director_b", center_=other_center),
    }


def _snapshot(center):
    return {
        "requests": [
            model_to_dict(r) for r in DeskRequest.objects.filter(center=center).order_by("pk")
        ],
        "messages": RequestMessage.objects.filter(request__center=center).count(),
        "custody": CustodyEntry.objects.filter(request__center=center).count(),
        "procedures": [
            model_to_dict(p) for p in Procedure.objects.filter(center=center).order_by("pk")
        ],
        "family": [
            model_to_dict(f, exclude=["name", "phone"])
            for f in FamilyMember.objects.filter(center=center)
        ],
        "synonyms": list(Synonym.objects.filter(center=center).values_list("words", flat=True)),
        "public": list(
            DeskSettings.objects.filter(center=center).values_list("guide_is_public", flat=True)
        ),
    }


@pytest.mark.parametrize(
    "post",
    [
        {"action": "take"},
        {"action": "assign", "handler": "0"},
        {"action": "reply", "body": "B 的答复"},
        {"action": "note", "body": "B 的备注"},
        {"action": "ask_info", "body": "B 要补充"},
        {"action": "close", "body": "B 办结"},
        {
            "action": "custody",
            "custody-document": "合同",
            "custody-action": "received",
            "custody-from_party": "甲",
            "custody-to_party": "乙",
            "custody-signed_by": "丙",
        },
        {"action": "add_info", "body": "B 补充"},
        {"action": "withdraw"},
        {"action": "rate", "rating": "5"},
    ],
)
def test_request_detail_actions_from_center_b(a_side, b_side, center, login_client_for, post):
    before = _snapshot(center)
    number = a_side["request"].number
    for actor in (b_side["desk"], b_side["officer"]):
        response = login_client_for(actor).post(f"/desk/requests/{number}/", post)
        assert response.status_code in {403, 404}
    assert _snapshot(center) == before


def test_api_from_center_b(a_side, b_side, center, api_client_for):
    before = _snapshot(center)
    client = api_client_for(b_side["desk"])
    number = a_side["request"].number
    assert client.get(f"/api/v1/desk/requests/{number}").status_code == 404
    created = client.post(
        "/api/v1/desk/requests",
        json.dumps({"type": "consult", "procedure_id": a_side["procedure"].pk, "question": "问"}),
        content_type="application/json",
    )
    assert created.status_code == 400
    assert created.json()["code"] == "unknown_procedure"
    assert client.get("/api/v1/desk/procedures", {"q": "公积金"}).json() == []
    assert _snapshot(center) == before


def test_custody_print_from_center_b(a_side, b_side, login_client_for):
    number = a_side["request"].number
    assert (
        login_client_for(b_side["desk"]).get(f"/desk/requests/{number}/custody.pdf").status_code
        == 404
    )


def test_procedure_edit_from_center_b(a_side, b_side, center, login_client_for):
    before = _snapshot(center)
    client = login_client_for(b_side["desk"])
    pk = a_side["procedure"].pk
    assert (
        client.post(f"/desk/guide/{pk}/edit/", {"name": "B 改名", "reason": "B"}).status_code == 404
    )
    assert client.post(f"/desk/guide/{pk}/edit/", {"checked": "1"}).status_code == 404
    assert client.get(f"/desk/guide/{pk}/").status_code == 404
    assert _snapshot(center) == before


def test_guide_manage_and_settings_from_center_b_touch_only_center_b(
    a_side, b_side, center, other_center, login_client_for
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from bianmin.family_desk.services import guide_export_xlsx

    before = _snapshot(center)
    client = login_client_for(b_side["desk"])
    exported = guide_export_xlsx(center_id=center.pk)  # A's guide, fed to B's import
    client.post(
        "/desk/guide/manage/", {"section": "import", "file": SimpleUploadedFile("a.xlsx", exported)}
    )
    client.post("/desk/guide/manage/", {"section": "synonyms", "synonyms": "社保=社会保险"})
    login_client_for(b_side["director"]).post("/desk/guide/public/", {"is_public": "1"})
    assert _snapshot(center) == before
    assert Procedure.objects.filter(center=other_center).count() == 1
    assert list(Synonym.objects.filter(center=other_center).values_list("words", flat=True)) == [
        "社保=社会保险"
    ]
    assert DeskSettings.objects.get(center=other_center).guide_is_public is True


def test_own_page_forms_from_center_b(a_side, b_side, center, login_client_for):
    before = _snapshot(center)
    client = login_client_for(b_side["officer"])
    page = client.post(
        "/desk/mine/",
        {
            "section": "ask",
            "ask-type": "consult",
            "ask-procedure_id": a_side["procedure"].pk,
            "ask-question": "问",
            "ask-contact": "phone",
        },
    )
    assert "指南中没有这个事项" in page.content.decode()
    desk_client = login_client_for(b_side["desk"])
    page = desk_client.post(
        "/desk/mine/",
        {
            "section": "family",
            "family-relation": "spouse",
            "family-name": "甲",
            "family-phone": "13900003333",
            "family-officer_username": "officer01",
        },
    )
    assert "没有账号为" in page.content.decode()
    assert (
        desk_client.post(
            "/desk/mine/", {"section": "remove", "member": a_side["member"].pk}
        ).status_code
        == 404
    )
    assert _snapshot(center) == before


def test_phone_pages_from_center_b(
    a_side, b_side, center, other_center, client, family_client_for, templates
):
    from bianmin.notifications.models import Message

    before = _snapshot(center)
    page = client.post(
        f"/m/desk/{other_center.code}/", {"step": "send", "phone": a_side["member"].phone}
    )
    assert "尚未登记为警属" in page.content.decode()
    assert Message.objects.filter(template_code="desk_sign_in_code").count() == 0
    page = client.post(
        f"/m/desk/{other_center.code}/",
        {"step": "verify", "phone": a_side["member"].phone, "code": "123456"},
    )
    assert "验证码不正确" in page.content.decode()
    b_member = FamilyMemberFactory(officer=b_side["officer"], phone="13900004444")
    b_client = family_client_for(b_member)
    number = a_side["request"].number
    for post in (
        {"action": "add_info", "body": "B"},
        {"action": "withdraw"},
        {"action": "rate", "rating": "5"},
    ):
        assert (
            b_client.post(f"/m/desk/{other_center.code}/requests/{number}/", post).status_code
            == 404
        )
    # B's family session on A's phone page is not a sign-in there.
    assert "获取验证码" in b_client.get(f"/m/desk/{center.code}/").content.decode()
    assert (
        b_client.post(
            f"/m/desk/{center.code}/requests/{number}/", {"action": "withdraw"}
        ).status_code
        == 302
    )
    assert _snapshot(center) == before


def test_attachments_from_center_b(
    daytime, center, officer, b_side, login_client_for, family_client_for, other_center
):
    from bianmin.family_desk.services import Upload

    created = request_create(
        asker=Asker.of_staff(officer),
        type="on_behalf",
        question="代办",
        uploads=[Upload("a.pdf", b"%PDF-1.4\n")],
    )
    pk = created.attachments.get().pk
    assert (
        login_client_for(b_side["desk"])
        .get(f"/desk/requests/{created.number}/attachments/{pk}/")
        .status_code
        == 404
    )
    b_member = FamilyMemberFactory(officer=b_side["officer"], phone="13900006666")
    client = family_client_for(b_member)
    assert (
        client.get(
            f"/m/desk/{other_center.code}/requests/{created.number}/attachments/{pk}/"
        ).status_code
        == 404
    )
    assert (
        client.get(f"/m/desk/{center.code}/requests/{created.number}/attachments/{pk}/").status_code
        == 404
    )
