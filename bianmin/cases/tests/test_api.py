"""The API of contracts.md: exact shapes, errors, the authorization matrix, PDFs."""

import json
from datetime import date

import pytest

from bianmin.cases.models import Case, CaseEvent
from bianmin.cases.tests.conftest import pdf_text
from bianmin.core.permissions import Role
from bianmin.people.idnumber import make_id_number
from tests.support.case_builders import ADULT_ID, ADULT_NAME, PHONE

pytestmark = pytest.mark.django_db

URL = "/api/v1/cases"


def payload(**over):
    body = {
        "item_code": "HZ02",
        "applicant": {"name": ADULT_NAME, "id_number": ADULT_ID, "gender": "male", "phone": PHONE},
        "materials": {
            "old_id_card": "provided",
            "household_register": "provided",
            "photo": "provided",
        },
    }
    body.update(over)
    return body


def post(client, body):
    return client.post(URL, data=json.dumps(body), content_type="application/json")


def test_complete_case_is_accepted(pinned, setup, officer, api_client_for):
    response = post(api_client_for(officer), payload())
    assert response.status_code == 200
    assert response.json() == {
        "number": "TG-20260929-0001",
        "status": "accepted",
        "deadline": "2026-10-14",
        "missing": [],
        "missing_notice_url": None,
        "receipt_url": "http://testserver/api/v1/cases/TG-20260929-0001/receipt.pdf",
    }


def test_incomplete_case_gets_one_notice(pinned, setup, officer, api_client_for):
    body = payload(materials={"old_id_card": "provided", "household_register": "defective"})
    response = post(api_client_for(officer), body)
    assert response.status_code == 200
    assert response.json() == {
        "number": "TG-20260929-0001",
        "status": "awaiting_supplement",
        "deadline": None,
        "missing": ["household_register", "photo"],
        "missing_notice_url": "http://testserver/api/v1/cases/TG-20260929-0001/notices/1.pdf",
        "receipt_url": None,
    }


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (
            payload(materials={"old_id_card": "provided", "purchase_invoice": "provided"}),
            400,
            "unknown_material",
        ),
        (payload(materials={"old_id_card": "lost"}), 400, "invalid_request"),
        (payload(item_code="XX99"), 404, "unknown_item"),
        (
            payload(
                applicant={
                    "name": ADULT_NAME,
                    "id_number": ADULT_ID[:-1] + "0",
                    "gender": "male",
                    "phone": PHONE,
                }
            ),
            400,
            "id_check_digit",
        ),
        (
            payload(
                applicant={
                    "name": ADULT_NAME,
                    "id_number": ADULT_ID,
                    "gender": "female",
                    "phone": PHONE,
                }
            ),
            400,
            "id_gender_mismatch",
        ),
        (
            payload(
                applicant={
                    "name": ADULT_NAME,
                    "id_number": ADULT_ID,
                    "gender": "male",
                    "phone": "12345",
                }
            ),
            400,
            "invalid_phone",
        ),
    ],
)
def test_bad_input_is_a_clear_4xx_and_changes_nothing(
    pinned, setup, officer, api_client_for, body, status, code
):
    response = post(api_client_for(officer), body)
    assert response.status_code == status
    assert response.json()["code"] == code
    assert response.json()["message"]
    assert Case.objects.count() == 0


def test_unknown_material_message(pinned, setup, officer, api_client_for):
    body = payload(materials={"old_id_card": "provided", "purchase_invoice": "provided"})
    assert post(api_client_for(officer), body).json() == {
        "code": "unknown_material",
        "message": "材料 purchase_invoice 不属于事项“居民身份证到期换领/变更换领”，请核对材料清单。",
        "materials": ["purchase_invoice"],
    }


ACCEPTING = {Role.OFFICER, Role.SHIFT_LEADER}


@pytest.mark.parametrize("role", list(Role))
def test_authorization_matrix_for_create(pinned, setup, staff_by_role, api_client_for, role):
    response = post(api_client_for(staff_by_role[role]), payload())
    if role in ACCEPTING:
        assert response.status_code == 200
        assert Case.objects.count() == 1
    else:
        assert response.status_code == 403
        assert response.json() == {"code": "permission_denied", "message": "您没有执行此操作的权限"}
        assert Case.objects.count() == 0


def test_anonymous_gets_401(setup):
    from django.test import Client

    response = post(Client(), payload())
    assert response.status_code == 401
    assert Case.objects.count() == 0


# --- progress ------------------------------------------------------------------------------------


@pytest.fixture
def accepted_number(pinned, setup, officer, api_client_for):
    return post(api_client_for(officer), payload()).json()["number"]


def test_progress_with_the_right_pair(accepted_number, client):
    response = client.get(f"{URL}/{accepted_number}/progress", {"phone_last4": "5678"})
    assert response.status_code == 200
    assert response.json() == {
        "number": accepted_number,
        "item_name": "居民身份证到期换领/变更换领",
        "status": "accepted",
        "status_label": "审核中",
        "deadline": "2026-10-14",
        "applicant_name_masked": "王*国",
    }


def test_wrong_pair_answers_exactly_like_an_unknown_number(accepted_number, client):
    wrong = client.get(f"{URL}/{accepted_number}/progress", {"phone_last4": "0000"})
    unknown = client.get(f"{URL}/TG-20260929-0999/progress", {"phone_last4": "5678"})
    assert wrong.status_code == unknown.status_code == 404
    assert wrong.content == unknown.content
    assert wrong.json() == {
        "code": "not_found",
        "message": "没有找到该办件，请核对受理编号和手机号后四位",
    }


def _progress(client, number, last4, **extra):
    return client.get(f"{URL}/{number}/progress", {"phone_last4": last4}, **extra)


def test_guessing_one_case_is_blocked_with_growing_waits(accepted_number, client, pinned):
    for _ in range(5):
        assert _progress(client, accepted_number, "0000").status_code == 404
    assert _progress(client, accepted_number, "0001").status_code == 404  # 6th: blocked 1 min
    blocked = _progress(client, accepted_number, "5678")  # even the right digits wait
    assert blocked.status_code == 429
    assert blocked.json() == {
        "code": "throttled",
        "message": "该受理编号查询失败次数过多，请1分钟后再试",
    }
    pinned.shift(61)
    assert _progress(client, accepted_number, "0002").status_code == 404  # 7th: blocked 2 min
    pinned.shift(61)
    assert _progress(client, accepted_number, "5678").status_code == 429
    pinned.shift(61)
    assert _progress(client, accepted_number, "5678").status_code == 200


def test_failures_on_other_numbers_never_block_the_right_answer(accepted_number, client):
    for i in range(12):
        assert _progress(client, f"TG-20260929-09{i:02d}", "1234").status_code == 404
    assert _progress(client, accepted_number, "5678").status_code == 200


def test_the_block_is_per_client_address(accepted_number, client):
    for _ in range(6):
        _progress(client, accepted_number, "0000", REMOTE_ADDR="10.0.0.9")
    assert _progress(client, accepted_number, "0000", REMOTE_ADDR="10.0.0.9").status_code == 429
    assert _progress(client, accepted_number, "5678", REMOTE_ADDR="10.0.0.10").status_code == 200


# --- PDFs ----------------------------------------------------------------------------------------


def test_receipt_pdf_for_staff_only(
    accepted_number, officer, api_client_for, make_staff, other_center, client, tmp_path
):
    url = f"{URL}/{accepted_number}/receipt.pdf"
    assert client.get(url).status_code == 401
    stranger = make_staff(Role.OFFICER, center_=other_center)
    assert api_client_for(stranger).get(url).status_code == 404
    response = api_client_for(officer).get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content, tmp_path)
    for expected in (
        "受理回执",
        accepted_number,
        "居民身份证到期换领/变更换领",
        "2026年10月14日",
        "0913-3822110",
        "扫码查询办理进度",
    ):
        assert expected in text


def test_notice_pdf_lists_missing_materials(pinned, setup, officer, api_client_for, tmp_path):
    client = api_client_for(officer)
    body = payload(materials={"old_id_card": "provided", "household_register": "defective"})
    url = post(client, body).json()["missing_notice_url"]
    response = client.get(url)
    assert response.status_code == 200
    text = "".join(pdf_text(response.content, tmp_path).split())
    for expected in (
        "一次性告知单",
        "居民户口簿",
        "不符合要求",
        "近期免冠照片",
        "缺少",
        "行政许可法",
        "0913-3822110",
        "TG-20260929-0001",
    ):
        assert expected in text


# --- pipeline endpoints ----------------------------------------------------------------------------


def test_second_acceptance_via_api_is_409(accepted_number, officer, api_client_for):
    response = api_client_for(officer).post(
        f"{URL}/{accepted_number}/accept", data="{}", content_type="application/json"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "already_accepted"


def test_skipping_via_api_is_refused_and_changes_nothing(
    accepted_number, make_staff, api_client_for
):
    back = make_staff(Role.BACK_OFFICE)
    before = CaseEvent.objects.count()
    response = api_client_for(back).post(
        f"{URL}/{accepted_number}/transitions",
        data=json.dumps({"to_stage": "approve"}),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json() == {
        "code": "not_next_stage",
        "message": "不能从“受理”直接到“审批”，下一环节应为“审核”。",
    }
    assert CaseEvent.objects.count() == before


REVIEWING = {Role.OFFICER, Role.BACK_OFFICE, Role.SHIFT_LEADER}


@pytest.mark.parametrize("role", list(Role))
def test_authorization_matrix_for_review(accepted_number, staff_by_role, api_client_for, role):
    response = api_client_for(staff_by_role[role]).post(
        f"{URL}/{accepted_number}/transitions",
        data=json.dumps({"to_stage": "review"}),
        content_type="application/json",
    )
    stage = Case.objects.get(number=accepted_number).stage
    if role in REVIEWING:
        assert (response.status_code, stage) == (200, "review")
    else:
        assert (response.status_code, stage) == (403, "accept")


def test_queue_and_pickup_through_api(accepted_number, officer, make_staff, api_client_for):
    back = api_client_for(make_staff(Role.BACK_OFFICE))
    queue = back.get(f"{URL}/queue", {"stage": "review"}).json()
    assert [row["number"] for row in queue] == [accepted_number]
    for stage in ("review", "approve", "production"):
        assert (
            back.post(
                f"{URL}/{accepted_number}/transitions",
                data=json.dumps({"to_stage": stage}),
                content_type="application/json",
            ).status_code
            == 200
        )
    arrivals = back.post(
        f"{URL}/arrivals",
        data=json.dumps({"values": [accepted_number]}),
        content_type="application/json",
    ).json()
    assert arrivals == [
        {
            "value": accepted_number,
            "number": accepted_number,
            "ok": True,
            "message": "已登记到证（未发送短信）",
            "notified": False,
        }
    ]
    proxy_id = make_id_number("610522", date(1992, 2, 2), 222)
    response = api_client_for(officer).post(
        f"{URL}/{accepted_number}/pickup",
        content_type="application/json",
        data=json.dumps(
            {
                "method": "id_card",
                "proxy_name": "王丽",
                "proxy_id_number": proxy_id,
                "authorization_note": "委托书",
            }
        ),
    )
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["stage"]) == ("closed", "closed")
