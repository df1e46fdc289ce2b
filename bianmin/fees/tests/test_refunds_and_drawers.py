"""Refunds (request → the director approves; never above what was paid) and the daily
reconciliation per window and officer, balancing to the fen."""

from datetime import date

import pytest
import time_machine

from bianmin.core.errors import Conflict, DomainError, PermissionDenied
from bianmin.core.permissions import Role
from bianmin.fees.models import DrawerClose, Payment, Refund
from bianmin.fees.selectors import drawer_rows, refundable_fen
from bianmin.fees.services import (
    Payer,
    drawer_close,
    payment_collect,
    refund_decide,
    refund_request,
)

DAY = date(2026, 7, 15)


def pay(officer, item, method, n, window="W01"):
    payment, _ = payment_collect(
        actor=officer,
        item_code=item,
        method=method,
        idempotency_key=f"{officer.username}-{n:04d}-xxxxxxxx",
        payer=Payer(name="张三"),
        window_code=window,
    )
    return payment


def test_a_refund_is_paid_only_after_the_directors_approval(policies, pinned, officer, director):
    payment = pay(officer, "CR01", "wechat", 1)

    refund = refund_request(actor=officer, payment=payment, amount_fen=12000, reason="重复缴费")
    payment.refresh_from_db()
    assert (refund.status, payment.refunded_fen, refundable_fen(payment)) == ("requested", 0, 0)

    refund_decide(actor=director, refund=refund, approve=True, note="同意")
    payment.refresh_from_db()
    refund.refresh_from_db()
    assert (refund.status, refund.decided_on, payment.refunded_fen) == ("approved", DAY, 12000)


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        (12001, "退费金额 120.01 元 超过可退金额 120 元（实收 120 元，已退或待批 0 元）"),
        (0, "退费金额须大于0"),
        (-5, "退费金额须大于0"),
    ],
)
def test_a_refund_above_the_paid_amount_is_refused(policies, pinned, officer, amount, message):
    payment = pay(officer, "CR01", "cash", 1)

    with pytest.raises(DomainError) as caught:
        refund_request(actor=officer, payment=payment, amount_fen=amount, reason="多收")

    assert caught.value.message == message
    assert Refund.objects.count() == 0


def test_pending_requests_count_against_what_can_be_refunded(policies, pinned, officer):
    payment = pay(officer, "CR01", "cash", 1)
    refund_request(actor=officer, payment=payment, amount_fen=10000, reason="部分退费")

    with pytest.raises(DomainError) as caught:
        refund_request(actor=officer, payment=payment, amount_fen=2001, reason="再退")

    assert caught.value.code == "refund_too_large"
    assert Refund.objects.count() == 1


def test_a_refund_needs_a_reason_and_a_free_payment_has_nothing_to_refund(
    policies, pinned, officer
):
    paid = pay(officer, "CR01", "cash", 1)
    free = pay(officer, "HZ04", "cash", 2)

    with pytest.raises(DomainError) as no_reason:
        refund_request(actor=officer, payment=paid, amount_fen=100, reason=" ")
    with pytest.raises(DomainError) as nothing_paid:
        refund_request(actor=officer, payment=free, amount_fen=1, reason="误收")

    assert no_reason.value.code == "reason_required"
    assert nothing_paid.value.code == "refund_too_large"


def test_a_decision_is_final_and_a_rejection_needs_a_note(policies, pinned, officer, director):
    refund = refund_request(
        actor=officer, payment=pay(officer, "CR01", "cash", 1), amount_fen=100, reason="多收"
    )
    with pytest.raises(DomainError) as no_note:
        refund_decide(actor=director, refund=refund, approve=False)
    refund_decide(actor=director, refund=refund, approve=False, note="未多收")

    with pytest.raises(Conflict):
        refund_decide(actor=director, refund=refund, approve=True)

    assert no_note.value.code == "note_required"
    assert Payment.objects.get().refunded_fen == 0


@pytest.mark.parametrize("role", [r for r in Role if r != Role.DIRECTOR])
def test_only_the_director_approves_refunds(policies, pinned, officer, staff_by_role, role):
    refund = refund_request(
        actor=officer, payment=pay(officer, "CR01", "cash", 1), amount_fen=100, reason="多收"
    )

    with pytest.raises(PermissionDenied):
        refund_decide(actor=staff_by_role[role], refund=refund, approve=True)

    refund.refresh_from_db()
    assert refund.status == "requested"


def test_the_days_drawers_balance_to_the_fen(
    policies, pinned, officer, make_staff, director, center
):
    second = make_staff(Role.OFFICER, username="officer02")
    pay(officer, "CR01", "cash", 1)  # 120.00 cash
    pay(officer, "JG05", "cash", 2)  # 5.00 cash
    pay(officer, "CR03", "wechat", 3)  # 15.00 wechat
    pay(officer, "HZ04", "cash", 4)  # free (10 waived)
    paid = pay(second, "CR02", "alipay", 5, window="W02")  # 60.00 alipay
    pay(second, "JG01", "unionpay", 6, window="W02")  # 10.00 unionpay
    refund = refund_request(
        actor=officer, payment=pay(officer, "JG03", "cash", 7), amount_fen=1000, reason="事项办错"
    )  # 10.00 cash, refunded
    refund_decide(actor=director, refund=refund, approve=True)
    refund_request(actor=second, payment=paid, amount_fen=1, reason="待批")  # not yet approved

    rows = drawer_rows(center_id=center.pk, day=DAY)

    summary = [
        (
            r.window_code,
            r.officer_name,
            r.count,
            dict(r.collected),
            dict(r.refunded),
            r.net_fen,
            r.expected_cash_fen,
            r.waived_fen,
        )
        for r in rows
    ]
    assert summary == [
        (
            "W01",
            str(officer),
            5,
            {"cash": 13500, "wechat": 1500},
            {"cash": 1000},
            14000,
            12500,
            1000,
        ),
        ("W02", str(second), 2, {"alipay": 6000, "unionpay": 1000}, {}, 7000, 0, 0),
    ]
    assert sum(r.collected_fen for r in rows) == sum(
        Payment.objects.filter(on_date=DAY).values_list("payable_fen", flat=True)
    )


def test_an_officer_closes_the_drawer_and_any_difference_needs_a_note(policies, pinned, officer):
    pay(officer, "CR01", "cash", 1)
    pay(officer, "JG05", "cash", 2)

    with pytest.raises(DomainError) as caught:
        drawer_close(actor=officer, day=DAY, window_code="W01", counted_cash_fen=12499)
    balanced = drawer_close(actor=officer, day=DAY, window_code="w01", counted_cash_fen=12500)

    assert caught.value.message == "清点现金 124.99 元 与应有现金 125 元 相差 -0.01 元，请填写说明"
    assert (balanced.expected_cash_fen, balanced.difference_fen, balanced.is_balanced) == (
        12500,
        0,
        True,
    )
    assert balanced.totals["cash"] == {"collected": 12500, "refunded": 0}


def test_a_recount_with_a_difference_is_recorded_with_its_note(policies, pinned, officer):
    pay(officer, "CR01", "cash", 1)
    drawer_close(actor=officer, day=DAY, window_code="W01", counted_cash_fen=12000)

    close = drawer_close(
        actor=officer, day=DAY, window_code="W01", counted_cash_fen=11950, note="找零差五角"
    )

    assert (DrawerClose.objects.count(), close.difference_fen, close.note) == (1, -50, "找零差五角")


def test_no_close_for_a_future_day_or_a_negative_count(policies, officer):
    with time_machine.travel("2026-07-15 10:00 +0800", tick=False):
        with pytest.raises(DomainError) as future:
            drawer_close(
                actor=officer, day=date(2026, 7, 16), window_code="W01", counted_cash_fen=0
            )
        with pytest.raises(DomainError) as negative:
            drawer_close(actor=officer, day=DAY, window_code="W01", counted_cash_fen=-1)

    assert (future.value.code, negative.value.code) == ("future_day", "invalid_amount")
    assert DrawerClose.objects.count() == 0
