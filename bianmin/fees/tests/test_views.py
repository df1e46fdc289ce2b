"""Screens: who may open them, the window's fee panel, the counter, the receipt PDF, the
director's headline, the ledger, the campaign pages and the hall fragment."""

import subprocess
import tempfile
from pathlib import Path

import pytest
from django.urls import reverse

from bianmin.core.permissions import Role
from bianmin.fees.models import Payment, WaiverPolicy
from bianmin.fees.services import Payer, payment_collect

OFF, LEAD, DIR, INS, ADM = (
    Role.OFFICER,
    Role.SHIFT_LEADER,
    Role.DIRECTOR,
    Role.INSPECTOR,
    Role.ADMINISTRATOR,
)
SCREENS = {
    "fees:counter": {OFF, LEAD},
    "fees:payments": {OFF, LEAD, DIR, INS},
    "fees:drawer": {OFF, LEAD},
    "fees:reconciliation": {LEAD, DIR, INS},
    "fees:refunds": {DIR},
    "fees:ledger": {LEAD, DIR, INS},
    "fees:policies": {DIR},
    "fees:policy_new": {DIR},
    "fees:campaigns": {OFF, LEAD, DIR, INS, ADM},
    "fees:campaign_new": {DIR},
}


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("name", sorted(SCREENS))
def test_authorization_matrix(bare_policies, pinned, staff_by_role, login_client_for, name, role):
    response = login_client_for(staff_by_role[role]).get(reverse(name))

    assert response.status_code == (200 if role in SCREENS[name] else 403)


@pytest.mark.parametrize("role", [r for r in Role if r not in {OFF, LEAD}])
def test_a_denied_collect_changes_nothing(
    bare_policies, pinned, staff_by_role, login_client_for, role
):
    response = login_client_for(staff_by_role[role]).post(
        reverse("fees:counter"),
        {
            "fee": "CR01",
            "name": "张三",
            "method": "cash",
            "idempotency_key": "k" * 32,
            "collect": "1",
        },
    )

    assert response.status_code == 403
    assert Payment.objects.count() == 0


@pytest.mark.parametrize("role", [r for r in Role if r != DIR])
def test_a_denied_policy_edit_changes_nothing(bare_policies, staff_by_role, login_client_for, role):
    response = login_client_for(staff_by_role[role]).post(
        reverse("fees:policy_new"),
        {
            "code": "HACK",
            "name": "全免",
            "reason": "x",
            "targets": "CR01",
            "kind": "full",
            "percent": 100,
            "precedence": 1,
            "is_active": "on",
            "change_reason": "x",
        },
    )

    assert response.status_code == 403
    assert not WaiverPolicy.objects.filter(code="HACK").exists()


def panel(client, **params):
    return client.get(reverse("fees:case_panel"), params, HTTP_HX_REQUEST="true")


def test_the_panel_shows_the_quote_and_collects_once(
    policies, pinned, officer, make_case, login_client_for, id_of_age
):
    number = id_of_age(30)
    case = make_case(id_number=number)
    client = login_client_for(officer)

    page = panel(client, case=case.number, window="W03").content.decode()
    assert "标准工本费：居民身份证到期换领/变更换领 20 元" in page
    assert "收费 20 元" in page
    body = {
        "case": case.number,
        "window": "W03",
        "idempotency_key": "p" * 32,
        "name": "王小明",
        "gender": "male",
        "id_type": "resident_id",
        "id_number": number,
        "method": "alipay",
        "stage": "acceptance",
        "collect": "1",
    }
    first = client.post(reverse("fees:case_panel"), body, HTTP_HX_REQUEST="true")
    second = client.post(reverse("fees:case_panel"), body, HTTP_HX_REQUEST="true")

    payment = Payment.objects.get()
    assert (payment.payable_fen, payment.method, payment.window_code) == (2000, "alipay", "W03")
    for response in (first, second):
        assert reverse("fees:receipt", args=[payment.pk]) in response.content.decode()
        assert "已收费" in response.content.decode()


def test_the_panel_says_free_with_the_policy(
    summer, pinned, officer, make_case, login_client_for, id_of_age
):
    case = make_case(id_number=id_of_age(12), groups=("student",))

    page = panel(login_client_for(officer), case=case.number).content.decode()

    assert '<p class="fee-free" role="status">免费：中小学生假期免费办证</p>' in page
    assert "确认免费并登记" in page


def test_an_unknown_case_in_the_panel(policies, officer, login_client_for):
    page = panel(login_client_for(officer), case="NOPE").content.decode()

    assert "没有找到办件 NOPE" in page


def test_free_copies_from_the_panel(policies, officer, login_client_for):
    client = login_client_for(officer)

    client.post(reverse("fees:free_copies"), {"case": "TG-7", "copies": "2"})
    response = client.post(reverse("fees:free_copies"), {"case": "TG-7", "copies": "3"})

    assert "免费复印：<strong>5</strong> 份" in response.content.decode()


def test_the_counter_previews_and_collects(policies, pinned, officer, login_client_for):
    client = login_client_for(officer)
    body = {
        "fee": "CR03/multi_1y",
        "name": "张三",
        "id_type": "resident_id",
        "idempotency_key": "c" * 32,
        "stage": "walk_in",
        "method": "unionpay",
    }

    preview = client.post(reverse("fees:counter"), body, HTTP_HX_REQUEST="true")
    collected = client.post(
        reverse("fees:counter"), {**body, "collect": "1"}, HTTP_HX_REQUEST="true"
    )

    assert "标准工本费：往来港澳签注（一年以下多次签注） 80 元" in preview.content.decode()
    payment = Payment.objects.get()
    assert (payment.variant_code, payment.payable_fen, payment.method) == (
        "multi_1y",
        8000,
        "unionpay",
    )
    assert payment.receipt_number in collected.content.decode()


def pdf_text(content: bytes) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "r.pdf"
        path.write_bytes(content)
        return subprocess.run(
            ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
        ).stdout


@pytest.mark.parametrize("page", ["receipt80", "a4"])
def test_the_receipt_prints_the_waiver_reason(
    summer, pinned, officer, login_client_for, id_of_age, page
):
    payment, _ = payment_collect(
        actor=officer,
        item_code="HZ02",
        method="",
        idempotency_key="r" * 32,
        payer=Payer(name="王小明", id_number=id_of_age(15)),
        groups=["student"],
        evidence={"student": "学生证 2024031"},
        window_code="W11",
    )

    response = login_client_for(officer).get(
        reverse("fees:receipt", args=[payment.pk]) + ("?page=a4" if page == "a4" else "")
    )

    assert response["Content-Type"] == "application/pdf"
    # Columns wrap differently on 80 mm paper and A4: compare without any white space.
    text = "".join(pdf_text(response.content).split())
    for expected in (
        "收费收据（免费）",
        payment.receipt_number,
        "标准工本费20元",
        "减免：中小学生假期",
        "-20元",
        "实收金额0元",
        "减免理由",
        "全免20元：中小学生假期免费办证（假期办证活动期间，在校中小学生换领、补领居民身份证"
        "免收工本费；长期有效；符合条件：2026年暑期中小学生免费办证",
        "本次为您节约20元",
        "11号窗口",
    ):
        assert expected in text, text
    assert "W11" not in text


def test_the_director_sees_the_saving_on_the_home_page(
    policies, pinned, officer, director, login_client_for
):
    payment_collect(
        actor=officer,
        item_code="HZ04",
        method="cash",
        idempotency_key="h" * 32,
        payer=Payer(name="张三"),
    )
    payment_collect(
        actor=officer,
        item_code="HZ10",
        method="cash",
        idempotency_key="i" * 32,
        payer=Payer(name="张三"),
    )

    page = login_client_for(director).get(reverse("accounts:home")).content.decode()

    assert '已累计为群众节约 <strong class="kpi">18 元</strong>' in page


def test_the_ledger_report(policies, pinned, officer, director, login_client_for):
    payment_collect(
        actor=officer,
        item_code="HZ04",
        method="cash",
        idempotency_key="l" * 32,
        payer=Payer(name="张三"),
    )

    page = login_client_for(director).get(reverse("fees:ledger")).content.decode()

    assert "减免 1 笔，共 10 元" in page
    assert '"months": ["2026-07"]' in page
    assert "<td>FREE-HOUSEHOLD 免费户籍窗口</td><td>1</td><td>10 元</td>" in page


def test_the_campaign_report_and_the_hall_fragment(
    summer, pinned, officer, director, center, login_client_for, client, id_of_age
):
    summer.opens_at, summer.closes_at, summer.open_weekends = "08:00", "18:30", True
    summer.save()
    payment_collect(
        actor=officer,
        item_code="HZ03",
        method="",
        idempotency_key="s" * 32,
        payer=Payer(name="王小明", id_number=id_of_age(9)),
        groups=["student"],
        evidence={"student": "在校证明"},
    )

    report = login_client_for(director).get(reverse("fees:campaign", args=[summer.pk]))
    fragment = client.get(reverse("fees:campaign_hours"), {"center": "TG", "fragment": "1"})

    assert (
        '<div class="kpi">40 元</div><div class="muted">为群众节约</div>' in report.content.decode()
    )
    text = " ".join(fragment.content.decode().split())
    assert "延长服务时间 08:00–18:30 ，周末照常办理 ，增开11号窗口、12号窗口。" in text


def test_the_director_creates_a_campaign_on_the_screen(
    policies, pinned, director, login_client_for
):
    response = login_client_for(director).post(
        reverse("fees:campaign_new"),
        {
            "name": "2026年寒假学生办证",
            "starts_on": "2027-01-20",
            "ends_on": "2027-02-20",
            "policy_code": "STUDENT-HOLIDAY",
            "item_codes": "HZ02,HZ03",
            "min_age": "6",
            "max_age": "18",
            "requires_student": "on",
            "extra_windows": "W11",
            "opens_at": "08:00",
            "closes_at": "18:00",
        },
    )

    assert response.status_code == 302
    from bianmin.fees.models import Campaign

    assert Campaign.objects.get().name == "2026年寒假学生办证"
