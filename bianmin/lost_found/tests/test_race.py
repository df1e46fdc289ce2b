"""One item, one handover: two officers claim the same item at the same moment (real threads,
real connections; SQLite here, PostgreSQL at the integrator's)."""

import threading

import pytest
from django.db import connection

from bianmin.core.errors import DomainError
from bianmin.core.permissions import Role
from bianmin.lost_found import services
from bianmin.lost_found.enums import FoundItemStatus
from bianmin.lost_found.errors import LostFoundError
from bianmin.lost_found.models import Claim, FoundItem
from bianmin.lost_found.tests.conftest import OWNER_ID
from bianmin.lost_found.tests.factories import FoundItemFactory


def run_together(targets):
    barrier = threading.Barrier(len(targets))
    results: list[object] = [None] * len(targets)

    def worker(i):
        try:
            barrier.wait(timeout=10)
            results[i] = targets[i]()
        except Exception as exc:
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(len(targets))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.mark.django_db(transaction=True)
def test_two_officers_claiming_one_item_hand_it_over_once(center, make_staff, pinned):
    first, second = make_staff(Role.OFFICER), make_staff(Role.OFFICER)
    item = FoundItemFactory.create(
        center=center, registered_by=first, status=FoundItemStatus.PUBLISHED
    )

    def claim(officer, answers):
        return lambda: services.claim_handover(
            actor=officer,
            number=item.number,
            data=services.ClaimInput(id_number=OWNER_ID, control_answers=answers),
        )

    results = run_together([claim(first, "银行卡两张"), claim(second, "黑色钱包")])

    winners = [r for r in results if isinstance(r, Claim)]
    losers = [r for r in results if isinstance(r, DomainError)]
    assert len(winners) == 1, results
    assert len(losers) == 1, results
    assert losers[0].code == LostFoundError.ALREADY_HANDED_OVER
    assert losers[0].status == 409
    assert Claim.objects.filter(item=item).count() == 1
    assert FoundItem.objects.get(pk=item.pk).status == FoundItemStatus.RETURNED
