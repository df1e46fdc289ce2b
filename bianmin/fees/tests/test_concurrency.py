"""Exactly once under concurrent submits: real threads, real connections (SQLite and PostgreSQL)."""

import pytest

from bianmin.core.errors import Conflict
from bianmin.fees.models import Payment, SavingsEntry
from bianmin.fees.services import Payer, payment_collect
from tests.support.races import run_concurrently as race

THREADS = 6


def run_concurrently(target, count=THREADS):
    return race(target, count)


@pytest.mark.django_db(transaction=True)
def test_the_same_key_submitted_six_times_at_once_charges_once(policies, officer):
    def submit(_i):
        payment, created = payment_collect(
            actor=officer,
            item_code="HZ04",
            method="cash",
            idempotency_key="same-key-" + "x" * 20,
            payer=Payer(name="李四"),
        )
        return payment.pk, created

    results = run_concurrently(submit)

    assert all(isinstance(r, tuple) for r in results), results
    assert len({pk for pk, _created in results}) == 1
    assert sorted(created for _pk, created in results) == [False] * (THREADS - 1) + [True]
    assert (Payment.objects.count(), SavingsEntry.objects.count()) == (1, 1)


@pytest.mark.django_db(transaction=True)
def test_a_case_fee_submitted_with_six_keys_at_once_charges_once(policies, officer):
    def submit(i):
        payment, created = payment_collect(
            actor=officer,
            item_code="HZ02",
            method="cash",
            idempotency_key=f"key-{i:02d}-" + "y" * 20,
            payer=Payer(name="李四"),
            case_number="TG-20261128-0001",
        )
        return payment.pk, created

    results = run_concurrently(submit)

    paid = [r for r in results if isinstance(r, tuple)]
    refused = [r for r in results if isinstance(r, Conflict)]
    assert (len(paid), len(refused)) == (1, THREADS - 1), results
    assert {r.code for r in refused} == {"already_paid"}
    assert Payment.objects.filter(case_number="TG-20261128-0001").count() == 1
