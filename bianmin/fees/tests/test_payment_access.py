"""Who reads a payment (issue 10, S9 and D7/D9): the drawer owner and the supervisors of its
center, every opening audited; an officer's 日结 holds only their own window's payments;
receipt numbers carry the center's day and windows read "3号窗口"."""

import pytest
import time_machine
from django.urls import reverse

from bianmin.audit.models import AuditEntry
from bianmin.core.errors import NotFound
from bianmin.core.permissions import Role
from bianmin.fees.models import Payment, Refund
from bianmin.fees.services import Payer, payment_collect, refund_request
from bianmin.hall.services import window_sign_in


def collect(officer, key, window="W03", item="JG01"):
    payment, _ = payment_collect(
        actor=officer,
        item_code=item,
        method="cash",
        idempotency_key=key,
        payer=Payer(name="黄鹏"),
        window_code=window,
    )
    return payment


@pytest.fixture
def payment(policies, pinned, officer):
    return collect(officer, "a" * 32)


@pytest.mark.parametrize("name", ["fees:payment", "fees:receipt"])
def test_another_officer_cannot_open_a_payment_by_its_id(
    payment, make_staff, login_client_for, name
):
    colleague = make_staff(Role.OFFICER)

    response = login_client_for(colleague).get(reverse(name, args=[payment.pk]))

    assert response.status_code == 404
    assert not AuditEntry.objects.filter(action__startswith="fee_payment_viewed").exists()


@pytest.mark.parametrize("role", [Role.OFFICER, Role.SHIFT_LEADER, Role.DIRECTOR, Role.INSPECTOR])
@pytest.mark.parametrize(
    ("name", "action"),
    [("fees:payment", "fee_payment_viewed"), ("fees:receipt", "fee_receipt_printed")],
)
def test_the_owner_and_the_supervisors_open_it_and_each_opening_is_audited(
    payment, officer, make_staff, login_client_for, role, name, action
):
    reader = officer if role == Role.OFFICER else make_staff(role)

    first = login_client_for(reader).get(reverse(name, args=[payment.pk]))
    second = login_client_for(reader).get(reverse(name, args=[payment.pk]))

    assert (first.status_code, second.status_code) == (200, 200)
    entries = AuditEntry.objects.filter(action=action, target_id=str(payment.pk))
    assert entries.count() == 2
    assert {e.actor_id for e in entries} == {reader.pk}


def test_an_officer_lists_only_their_own_payments(payment, make_staff, login_client_for):
    colleague = make_staff(Role.OFFICER)
    collect(colleague, "b" * 32, window="W05")

    page = login_client_for(colleague).get(reverse("fees:payments")).content.decode()

    assert payment.receipt_number not in page
    assert "5号窗口" in page


def test_my_drawer_shows_only_the_window_i_am_signed_in_at(
    policies, pinned, officer, windows, login_client_for
):
    """D7: officer01's 日结 showed a W08 drawer with payments they never took."""
    collect(officer, "c" * 32, window="W08")
    collect(officer, "d" * 32, window="W03")
    window_sign_in(actor=officer, window_code="W03")

    page = login_client_for(officer).get(reverse("fees:drawer")).content.decode()

    assert "3号窗口" in page
    assert "8号窗口" not in page
    assert "W03" not in page.replace('value="W03"', "")


def test_the_receipt_number_carries_the_centers_day(policies, officer):
    """D9: a payment at 00:43 on 1 December in China was numbered with the UTC date 20261130."""
    with time_machine.travel("2026-12-01 00:43 +0800", tick=False):
        payment = collect(officer, "e" * 32)

    assert payment.receipt_number == f"SF20261201{payment.pk:06d}"
    assert str(payment.on_date) == "2026-12-01"


def test_the_payment_page_names_the_window_in_chinese(payment, officer, login_client_for):
    page = login_client_for(officer).get(reverse("fees:payment", args=[payment.pk]))

    text = page.content.decode()
    assert "3号窗口" in text
    assert "W03" not in text
    assert Payment.objects.count() == 1


def test_another_officer_cannot_request_a_refund_of_it(payment, make_staff):
    colleague = make_staff(Role.OFFICER)

    with pytest.raises(NotFound):
        refund_request(actor=colleague, payment=payment, amount_fen=100, reason="代办")

    assert not Refund.objects.exists()
