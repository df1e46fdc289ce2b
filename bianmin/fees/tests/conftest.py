"""Fixtures of the fees tests: reference policies, a summer campaign, applicants of any age."""

from collections.abc import Callable
from datetime import date

import pytest
import time_machine

from bianmin.core.permissions import Role
from bianmin.fees.models import Campaign, WaiverPolicy
from bianmin.fees.services import fees_load_reference
from bianmin.fees.tests.factories import CampaignFactory, CaseFactory
from bianmin.people.idnumber import make_id_number

TODAY = date(2026, 7, 15)  # inside the summer campaign


@pytest.fixture
def pinned():
    with time_machine.travel("2026-07-15 10:00 +0800", tick=False) as traveller:
        yield traveller


@pytest.fixture
def bare_policies(db) -> None:
    """The reference policies without the catalogue (fast: for screens that list nothing)."""
    fees_load_reference()


@pytest.fixture
def policies(catalogue) -> dict[str, WaiverPolicy]:
    fees_load_reference()
    return {p.code: p for p in WaiverPolicy.objects.all()}


@pytest.fixture
def summer(policies, center, director) -> Campaign:
    campaign: Campaign = CampaignFactory.create(
        center=center, policy=policies["STUDENT-HOLIDAY"], created_by=director
    )
    return campaign


@pytest.fixture
def id_of_age() -> Callable[..., str]:
    """A valid ID number of someone `age` years old on TODAY (born on 1 March)."""

    def make(age: int, *, sequence: int = 123, on: date = TODAY) -> str:
        return make_id_number("610522", date(on.year - age, 3, 1), sequence)

    return make


@pytest.fixture
def make_case(officer):
    """A real case of the officer's center (cases' own services decide facts and confirmation)."""

    def make(*, id_number: str, actor=None, **fields):
        return CaseFactory(actor=actor or officer, id_number=id_number, **fields)

    return make


@pytest.fixture
def province_admin(make_staff):
    """An administrator bound to no center: the only account that writes province-wide policies."""
    admin = make_staff(Role.ADMINISTRATOR, username="province-admin")
    admin.center = None
    admin.save(update_fields=["center"])
    return admin
