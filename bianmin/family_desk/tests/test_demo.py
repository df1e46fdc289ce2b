import random

from bianmin.accounts.models import Staff
from bianmin.core.permissions import Role
from bianmin.family_desk.demo import desk_demo_load
from bianmin.family_desk.enums import RequestStatus
from bianmin.family_desk.models import DeskRequest, Procedure, Unit
from bianmin.family_desk.selectors import procedures_stale


def test_the_demo_desk_has_35_units_many_procedures_and_requests_in_every_state(
    daytime, center, make_staff
):
    for i in range(6):
        make_staff(Role.OFFICER, username=f"officer{i + 1:02d}")
    summary = desk_demo_load(center=center, password_hash="x", rng=random.Random(1))
    assert summary["units"] == 35
    assert Unit.objects.filter(center=center).count() == 35
    assert Procedure.objects.filter(center=center).count() >= 60
    assert Staff.objects.get(username="desk01").role == Role.DESK_OFFICER
    states = set(DeskRequest.objects.values_list("status", flat=True))
    assert states == set(RequestStatus.values)
    # Consistent with today: nothing asked in the future; closed ones have a rating and a time.
    for request in DeskRequest.objects.all():
        assert request.created_on <= request.due_on
        if request.status == RequestStatus.CLOSED:
            assert request.closed_at is not None
            assert request.rating in {4, 5}
    assert DeskRequest.objects.filter(
        status=RequestStatus.PENDING, due_on__lt="2026-11-24"
    ).exists()
    assert procedures_stale(center_id=center.pk).exists()
