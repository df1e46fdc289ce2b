"""POST /api/v1/fees/quote: the contract's shape, who may ask, and bad input as 400s."""

import json

import pytest

from bianmin.core.permissions import Role

URL = "/api/v1/fees/quote"
ALLOWED = {Role.OFFICER, Role.SHIFT_LEADER, Role.DIRECTOR}


def post(client, body):
    return client.post(URL, data=json.dumps(body), content_type="application/json")


def test_the_contract_shape_for_a_student_in_the_campaign(
    summer, pinned, officer, api_client_for, id_of_age
):
    response = post(
        api_client_for(officer),
        {
            "item_code": "HZ02",
            "on_date": "2026-07-15",
            "id_number": id_of_age(15),
            "groups": ["student"],
        },
    )

    assert response.status_code == 200
    assert response.json() == {
        "standard_yuan": 20,
        "waived_yuan": 20,
        "payable_yuan": 0,
        "policies": [
            {"code": "STUDENT-HOLIDAY", "name": "中小学生假期免费办证", "waived_yuan": 20}
        ],
    }


def test_a_charged_item_with_a_variant_and_no_waiver(policies, pinned, officer, api_client_for):
    response = post(
        api_client_for(officer),
        {"item_code": "CR03", "on_date": "2026-07-15", "variant": "multi_1y"},
    )

    assert response.json() == {
        "standard_yuan": 80,
        "waived_yuan": 0,
        "payable_yuan": 80,
        "policies": [],
    }


def test_fractional_yuan_are_exact_json_numbers(
    policies, pinned, officer, api_client_for, director
):
    from bianmin.fees.quoting import PolicyRule
    from bianmin.fees.services import policy_save

    policy_save(
        actor=director,
        reason="测试",
        data=PolicyRule(
            code="HALF-TEST",
            name="减免三成",
            reason="测试",
            targets=["JG05"],
            kind="percent",
            percent=30,
        ),
    )

    response = post(api_client_for(officer), {"item_code": "JG05", "on_date": "2026-07-15"})

    assert response.content.decode() == (
        '{"standard_yuan": 5, "waived_yuan": 1.5, "payable_yuan": 3.5, "policies": '
        '[{"code": "HALF-TEST", "name": "减免三成", "waived_yuan": 1.5}]}'
    )


@pytest.mark.parametrize("role", list(Role))
def test_authorization_matrix(policies, pinned, staff_by_role, api_client_for, role):
    response = post(
        api_client_for(staff_by_role[role]), {"item_code": "HZ02", "on_date": "2026-07-15"}
    )

    if role in ALLOWED:
        assert response.status_code == 200
    else:
        assert (response.status_code, response.json()["code"]) == (403, "permission_denied")


def test_anonymous_is_refused(policies, client):
    response = post(client, {"item_code": "HZ02", "on_date": "2026-07-15"})

    assert (response.status_code, response.json()["code"]) == (401, "unauthorized")


@pytest.mark.parametrize(
    ("body", "code", "message"),
    [
        ({"item_code": "NOPE", "on_date": "2026-07-15"}, "unknown_item", "没有编码为 NOPE 的事项"),
        (
            {"item_code": "HZ02", "on_date": "15.07.2026"},
            "invalid_request",
            "请求参数有误。payload.on_date：应为 YYYY-MM-DD 格式的日期",
        ),
        ({"item_code": "HZ02"}, "invalid_request", "请求参数有误。payload.on_date：缺少此项"),
        (
            {"item_code": "HZ02", "on_date": "1999-01-01"},
            "date_out_of_range",
            "1999年1月1日 早于收费标准数据的起始日期 2019年6月1日，无法计算",
        ),
        (
            {"item_code": "HZ02", "on_date": "2026-07-15", "id_number": "123"},
            "invalid_id_number",
            "身份证号码无效：身份证号码应为18位，当前为 3 位",
        ),
        (
            {"item_code": "JG04", "on_date": "2026-07-15", "variant": "tank"},
            "unknown_variant",
            "事项 JG04 没有收费类型 tank，可选：trailer（挂车号牌）、motorcycle（摩托车号牌）、"
            "car_plain（汽车普通号牌）、car_reflective（汽车反光号牌）",
        ),
    ],
)
def test_bad_input_is_a_400_with_a_chinese_message(
    policies, pinned, officer, api_client_for, body, code, message
):
    response = post(api_client_for(officer), body)

    assert response.status_code == 400
    assert response.json() == {"code": code, "message": message}
