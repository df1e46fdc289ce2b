"""Demo data: ~300 items in every state, consistent with today, reproducible."""

import random
from datetime import date

import pytest

from bianmin.core import clock
from bianmin.core.permissions import Role
from bianmin.lost_found import selectors
from bianmin.lost_found.demo import lost_found_demo_history
from bianmin.lost_found.enums import FoundItemStatus
from bianmin.lost_found.models import Claim, CollectionPoint, FoundItem, LostReport, SanitationTeam
from bianmin.people.idnumber import make_id_number
from bianmin.people.services import PersonInput, person_upsert


@pytest.fixture
def demo_center(center, make_staff, officer):
    make_staff(Role.SANITATION, username="sanitation01")
    make_staff(Role.SHIFT_LEADER, username="leader01")
    for i in range(30):
        person_upsert(
            actor=officer,
            data=PersonInput(
                name="张伟",
                id_number=make_id_number("610522", date(1980, 1, 1 + i % 28), i),
                gender="male" if i % 2 else "female",
                phone=f"1391234{i:04d}",
                address="",
            ),
            center=center,
        )
    return center


def test_demo_has_every_state_and_fits_today(demo_center, officer, pinned):
    summary = lost_found_demo_history(center=demo_center, rng=random.Random(7))

    assert summary["items"] == 300
    statuses = set(FoundItem.objects.values_list("status", flat=True))
    assert statuses >= {
        FoundItemStatus.REGISTERED,
        FoundItemStatus.STORED,
        FoundItemStatus.PUBLISHED,
        FoundItemStatus.RETURNED,
        FoundItemStatus.DISPOSED,
        FoundItemStatus.DISPOSAL_REQUESTED,
    }
    assert SanitationTeam.objects.get().members.filter(username="sanitation01").exists()
    assert CollectionPoint.objects.count() == 2
    assert not FoundItem.objects.filter(found_at__gt=clock.now()).exists()
    assert FoundItem.objects.filter(
        category="document", owner_notified_at__isnull=False, status=FoundItemStatus.RETURNED
    ).exists()
    stats = selectors.statistics(user=officer)
    assert stats["past_deadline"] > 0
    assert (
        Claim.objects.count() == FoundItem.objects.filter(status=FoundItemStatus.RETURNED).count()
    )
    assert LostReport.objects.count() == 40
    for item in FoundItem.objects.exclude(published_on=None):
        assert item.claim_deadline is not None
        assert item.claim_deadline > item.published_on
