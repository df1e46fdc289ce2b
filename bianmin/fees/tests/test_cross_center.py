"""Cross-center authorization matrix (issue 10, S3/S9): every fees write endpoint and form, used
by staff of center B (HY) against the objects of center A (TG). Nothing of A may change.

Covered, by URL name / API operation:
    fees:case_panel (POST collect)        fees:free_copies (POST)
    fees:counter (POST collect)           fees:payment (POST refund request)
    fees:receipt (GET, a read that is audited)
    fees:refunds (POST decide)            fees:drawer (POST close)
    fees:policy_new (POST)                fees:policy (POST, A's own and the province's)
    fees:campaign_new (POST)              fees:campaign_edit (POST)
    fees:campaign (POST class-list upload)
    API POST /api/v1/fees/quote (operation "quote")
"""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from bianmin.core.errors import NotFound, PermissionDenied
from bianmin.core.permissions import Role
from bianmin.fees.models import (
    Campaign,
    ClassList,
    DrawerClose,
    FreeCopyCount,
    Payment,
    Refund,
    WaiverPolicy,
)
from bianmin.fees.quoting import PolicyRule
from bianmin.fees.selectors import fee_quote
from bianmin.fees.services import (
    Payer,
    free_copies_add,
    payment_collect,
    policy_save,
    refund_request,
)
from bianmin.fees.tests.factories import WaiverPolicyFactory

ON = date(2026, 7, 15)

POLICY_FORM = {
    "name": "全免",
    "reason": "跨中心测试",
    "targets": "JG01",
    "kind": "full",
    "percent": 100,
    "precedence": 1,
    "is_active": "on",
    "change_reason": "跨中心测试",
}


@pytest.fixture
def a(policies, pinned, center, officer, director, make_case, id_of_age, summer):
    """Center A's objects: a center policy, a payment with a pending refund, a case, a campaign."""
    own = WaiverPolicyFactory(center=center, code="TG-ELDER", targets=["JG05"], min_age=80)
    payment, _ = payment_collect(
        actor=officer,
        item_code="JG01",
        method="cash",
        idempotency_key="a" * 32,
        payer=Payer(name="甲"),
        window_code="W03",
    )
    refund = refund_request(actor=officer, payment=payment, amount_fen=500, reason="多收")
    free_copies_add(actor=officer, case_number="TG-20260715-0001", copies=2)
    return {
        "policy": own,
        "payment": payment,
        "refund": refund,
        "case": make_case(id_number=id_of_age(40)),
        "campaign": summer,
    }


@pytest.fixture
def b(make_staff, other_center, login_client_for):
    """Center B's staff, each signed in."""
    staff = {
        role: make_staff(role, center_=other_center)
        for role in (Role.OFFICER, Role.SHIFT_LEADER, Role.DIRECTOR)
    }
    return {role: login_client_for(s) for role, s in staff.items()} | {"staff": staff}


def a_quote(center, item="JG01"):
    return fee_quote(center_id=center.pk, item_code=item, on_date=ON).payable_fen


def test_fees_case_panel_b_officer_cannot_charge_a_case_of_a(a, b):
    response = b[Role.OFFICER].post(
        reverse("fees:case_panel"),
        {
            "case": a["case"].number,
            "idempotency_key": "b" * 32,
            "name": "王小明",
            "gender": "male",
            "id_type": "resident_id",
            "id_number": "x",
            "method": "cash",
            "stage": "acceptance",
            "collect": "1",
        },
        HTTP_HX_REQUEST="true",
    )

    assert f"没有找到办件 {a['case'].number}" in response.content.decode()
    assert not Payment.objects.filter(case_number=a["case"].number).exists()


def test_fees_free_copies_b_officer_does_not_change_a_count(a, b, center):
    b[Role.OFFICER].post(reverse("fees:free_copies"), {"case": "TG-20260715-0001", "copies": "9"})

    assert FreeCopyCount.objects.get(center=center, case_number="TG-20260715-0001").copies == 2


def test_fees_counter_b_collects_in_b_without_a_policies(a, b, center, other_center):
    b[Role.OFFICER].post(
        reverse("fees:counter"),
        {
            "fee": "JG05",
            "name": "乙",
            "id_number": "",
            "method": "cash",
            "stage": "walk_in",
            "idempotency_key": "c" * 32,
            "collect": "1",
        },
    )

    payment = Payment.objects.get(idempotency_key="c" * 32)
    assert payment.center_id == other_center.pk
    assert "TG-ELDER" not in [line["policy_code"] for line in payment.lines]
    assert Payment.objects.filter(center=center).count() == 1


@pytest.mark.parametrize("name", ["fees:payment", "fees:receipt"])
def test_fees_payment_and_receipt_of_a_are_not_found_in_b(a, b, name):
    for role in (Role.OFFICER, Role.SHIFT_LEADER, Role.DIRECTOR):
        assert b[role].get(reverse(name, args=[a["payment"].pk])).status_code == 404


def test_fees_payment_b_officer_cannot_request_a_refund_of_a(a, b):
    response = b[Role.OFFICER].post(
        reverse("fees:payment", args=[a["payment"].pk]), {"amount": "1", "reason": "跨中心"}
    )

    assert response.status_code == 404
    assert Refund.objects.count() == 1


def test_fees_refunds_b_director_cannot_decide_a_refund_of_a(a, b):
    b[Role.DIRECTOR].post(
        reverse("fees:refunds"), {"refund": a["refund"].pk, "decision": "approve", "note": "x"}
    )

    a["refund"].refresh_from_db()
    a["payment"].refresh_from_db()
    assert (a["refund"].status, a["payment"].refunded_fen) == ("requested", 0)


def test_fees_drawer_b_officer_closes_only_a_drawer_of_b(a, b, center, other_center):
    b[Role.OFFICER].post(
        reverse("fees:drawer"), {"day": "2026-07-15", "window_code": "W03", "counted": "0"}
    )

    close = DrawerClose.objects.get()
    assert (close.center_id, close.expected_cash_fen) == (other_center.pk, 0)
    assert not DrawerClose.objects.filter(center=center).exists()


def test_fees_policy_new_b_director_waiver_stays_in_b(a, b, center, other_center):
    """H3: a director of B created a full waiver of JG01 that made it free in A."""
    response = b[Role.DIRECTOR].post(reverse("fees:policy_new"), POLICY_FORM | {"code": "HY-X"})

    assert response.status_code == 302
    policy = WaiverPolicy.objects.get(code="HY-X")
    assert (policy.scope, policy.center_id) == ("center", other_center.pk)
    assert a_quote(center) == 1000
    assert a_quote(other_center) == 0


def test_fees_policy_b_director_cannot_change_a_center_policy(a, b):
    response = b[Role.DIRECTOR].post(
        reverse("fees:policy", args=["TG-ELDER"]), POLICY_FORM | {"is_active": ""}
    )

    assert response.status_code == 404
    a["policy"].refresh_from_db()
    assert a["policy"].is_active


def test_fees_policy_b_director_cannot_deactivate_the_province_policy(a, b, center):
    """H3: deactivating FREE-HOUSEHOLD raised A's HZ04 from 0 to 10 元."""
    response = b[Role.DIRECTOR].post(
        reverse("fees:policy", args=["FREE-HOUSEHOLD"]),
        POLICY_FORM | {"targets": "HZ04", "is_active": ""},
    )

    assert "只有省级管理员可以修改" in response.content.decode()
    assert WaiverPolicy.objects.get(code="FREE-HOUSEHOLD").is_active
    assert a_quote(center, "HZ04") == 0


def test_the_service_refuses_the_same_writes(a, b):
    director = b["staff"][Role.DIRECTOR]
    rule = PolicyRule(code="", name="x", reason="x", targets=("HZ04",), is_active=False)

    with pytest.raises(NotFound):
        policy_save(actor=director, data=rule, reason="x", policy=a["policy"])
    with pytest.raises(PermissionDenied):
        policy_save(
            actor=director,
            data=rule,
            reason="x",
            policy=WaiverPolicy.objects.get(code="FREE-HOUSEHOLD"),
        )


def test_a_code_of_another_center_can_be_used_again(a, b, other_center):
    """Codes are per center: B's director may name a policy like one of A's, learning nothing."""
    response = b[Role.DIRECTOR].post(reverse("fees:policy_new"), POLICY_FORM | {"code": "TG-ELDER"})

    assert response.status_code == 302
    assert WaiverPolicy.objects.filter(code="TG-ELDER").count() == 2


def test_fees_campaign_new_b_director_cannot_use_a_center_policy(a, b, center):
    a["policy"].requires_campaign = True
    a["policy"].save()

    response = b[Role.DIRECTOR].post(
        reverse("fees:campaign_new"),
        {
            "name": "跨中心活动",
            "starts_on": "2026-07-20",
            "ends_on": "2026-07-30",
            "policy_code": "TG-ELDER",
            "item_codes": "HZ02",
        },
    )

    assert response.status_code == 200  # the form again, with the refusal
    assert not Campaign.objects.filter(name="跨中心活动").exists()


def test_fees_campaign_edit_b_director_cannot_change_a_campaign(a, b):
    response = b[Role.DIRECTOR].post(
        reverse("fees:campaign_edit", args=[a["campaign"].pk]),
        {
            "name": "改名",
            "starts_on": "2026-07-01",
            "ends_on": "2026-08-31",
            "policy_code": "STUDENT-HOLIDAY",
            "item_codes": "HZ02",
            "is_cancelled": "on",
        },
    )

    assert response.status_code == 404
    a["campaign"].refresh_from_db()
    assert (a["campaign"].name, a["campaign"].is_cancelled) == ("2026年暑期中小学生免费办证", False)


def test_fees_campaign_b_officer_cannot_upload_a_class_list_to_a_campaign(a, b):
    upload = SimpleUploadedFile("名单.xlsx", b"PK\x03\x04", content_type="application/zip")

    response = b[Role.OFFICER].post(
        reverse("fees:campaign", args=[a["campaign"].pk]),
        {"file": upload, "appointment_date": "2026-07-20"},
    )

    assert response.status_code == 404
    assert not ClassList.objects.exists()


def test_api_quote_of_b_ignores_a_center_policies(
    a, api_client_for, make_staff, officer, other_center, id_of_age
):
    elder = {"item_code": "JG05", "on_date": "2026-07-15", "id_number": id_of_age(85)}
    officer_b = make_staff(Role.OFFICER, center_=other_center)

    in_a = api_client_for(officer).post(
        "/api/v1/fees/quote", elder, content_type="application/json"
    )
    in_b = api_client_for(officer_b).post(
        "/api/v1/fees/quote", elder, content_type="application/json"
    )

    assert in_a.json()["payable_yuan"] == 0
    assert [p["code"] for p in in_a.json()["policies"]] == ["TG-ELDER"]
    assert (in_b.json()["payable_yuan"], in_b.json()["policies"]) == (5, [])


def test_a_province_administrator_writes_province_wide_policies(
    a, province_admin, make_staff, login_client_for, center, other_center
):
    response = login_client_for(province_admin).post(
        reverse("fees:policy_new"), POLICY_FORM | {"code": "PROV-JG01"}
    )

    assert response.status_code == 302
    policy = WaiverPolicy.objects.get(code="PROV-JG01")
    assert (policy.scope, policy.center_id) == ("province", None)
    assert (a_quote(center), a_quote(other_center)) == (0, 0)
    # …but not a center's own policy, and an administrator of a center writes none at all
    assert (
        login_client_for(province_admin)
        .post(reverse("fees:policy", args=["TG-ELDER"]), POLICY_FORM)
        .status_code
        == 404
    )
    center_admin = make_staff(Role.ADMINISTRATOR)
    assert login_client_for(center_admin).get(reverse("fees:policy_new")).status_code == 403


def test_the_province_director_writes_province_wide_policies(
    a, make_staff, login_client_for, center, other_center
):
    province_director = make_staff(Role.DIRECTOR, username="province-director")
    province_director.center = None
    province_director.save(update_fields=["center"])

    response = login_client_for(province_director).post(
        reverse("fees:policy_new"), POLICY_FORM | {"code": "PROV-JG02"}
    )

    assert response.status_code == 302
    policy = WaiverPolicy.objects.get(code="PROV-JG02")
    assert (policy.scope, policy.center_id) == ("province", None)
    assert (a_quote(center), a_quote(other_center)) == (0, 0)
