"""No English word on a fee screen (D9): what a user reads is Chinese; codes (HZ04, SF…, W03
as typed input) are not words."""

import re

import pytest
from django.urls import reverse

from bianmin.core.permissions import Role
from bianmin.fees.services import Payer, payment_collect, refund_request

WORD = re.compile(r"\b[a-z][a-z_]{2,}\b")  # lower-case words: pickup_ready, single, valid_from…


def visible(html: str) -> str:
    html = re.sub(r"<(script|style|head)\b.*?</\1>", " ", html, flags=re.S)
    html = re.sub(r"<(input|option)\b[^>]*>", " ", html)
    html = re.sub(r"<[^>]+>", " ", html)
    return html


@pytest.fixture
def data(summer, pinned, officer):
    payment, _ = payment_collect(
        actor=officer,
        item_code="CR03",
        variant_code="single",
        method="cash",
        idempotency_key="z" * 32,
        payer=Payer(name="甲"),
        window_code="W03",
    )
    refund_request(actor=officer, payment=payment, amount_fen=100, reason="多收")
    return payment


def screens(payment, summer):
    return [
        ("fees:counter", [], Role.OFFICER),
        ("fees:payments", [], Role.OFFICER),
        ("fees:payment", [payment.pk], Role.OFFICER),
        ("fees:drawer", [], Role.OFFICER),
        ("fees:reconciliation", [], Role.DIRECTOR),
        ("fees:refunds", [], Role.DIRECTOR),
        ("fees:ledger", [], Role.DIRECTOR),
        ("fees:policies", [], Role.DIRECTOR),
        ("fees:policy", ["FREE-HOUSEHOLD"], Role.DIRECTOR),
        ("fees:policy_new", [], Role.DIRECTOR),
        ("fees:campaigns", [], Role.DIRECTOR),
        ("fees:campaign", [summer.pk], Role.DIRECTOR),
        ("fees:campaign_edit", [summer.pk], Role.DIRECTOR),
    ]


def test_no_english_word_on_any_fee_screen(
    data, summer, officer, make_staff, login_client_for, make_case, id_of_age
):
    staff = {Role.OFFICER: officer, Role.DIRECTOR: make_staff(Role.DIRECTOR)}
    found = {}
    for name, args, role in screens(data, summer):
        page = login_client_for(staff[role]).get(reverse(name, args=args))
        assert page.status_code == 200, name
        words = set(WORD.findall(visible(page.content.decode()))) - {"xlsx"}  # a file type
        if words:
            found[name] = sorted(words)

    case = make_case(id_number=id_of_age(40))
    panel = login_client_for(officer).get(reverse("fees:case_panel"), {"case": case.number})
    words = set(WORD.findall(visible(panel.content.decode())))
    if words:
        found["fees:case_panel"] = sorted(words)

    assert found == {}
