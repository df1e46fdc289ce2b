"""Fixtures of the fees tests: reference policies, a summer campaign, applicants of any age."""

from collections.abc import Callable
from datetime import date

import pytest
import time_machine

from bianmin.fees.models import Campaign, WaiverPolicy
from bianmin.fees.services import fees_load_reference
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
    return Campaign.objects.create(
        center=center,
        name="2026年暑期中小学生免费办证",
        starts_on=date(2026, 7, 1),
        ends_on=date(2026, 8, 31),
        policy=policies["STUDENT-HOLIDAY"],
        item_codes=["HZ01", "HZ02", "HZ03"],
        min_age=6,
        max_age=18,
        requires_student=True,
        extra_windows=["W11", "W12"],
        created_by=director,
    )


@pytest.fixture
def id_of_age() -> Callable[..., str]:
    """A valid ID number of someone `age` years old on TODAY (born on 1 March)."""

    def make(age: int, *, sequence: int = 123, on: date = TODAY) -> str:
        return make_id_number("610522", date(on.year - age, 3, 1), sequence)

    return make


@pytest.fixture
def fake_cases(monkeypatch):
    """Cases as the cases context would describe them (case_fee_facts), without building them.

    The confirmation at payment compares with these facts (the fallback of caselink).
    """
    from bianmin.fees import caselink

    known: dict[str, caselink.FeeFacts] = {}

    def add(
        number: str,
        *,
        item_code: str = "HZ02",
        id_number: str,
        name: str = "王小明",
        gender: str = "male",
        groups: tuple[str, ...] = (),
        fee_variant: str = "",
        center_id: int | None = None,
        status: str = "accepted",
    ) -> caselink.FeeFacts:
        known[number] = caselink.FeeFacts(
            id=None,
            number=number,
            center_id=center_id,
            item_code=item_code,
            fee_variant=fee_variant,
            applicant_id_number=id_number,
            applicant_name=name,
            applicant_gender=gender,
            groups=groups,
            status=status,
        )
        return known[number]

    def facts(*, case_number, user):
        found = known.get(case_number)
        if found is None or (found.center_id and found.center_id != user.center_id):
            return None
        return found

    def confirm(*, actor, facts, name, gender, id_type, id_number):
        caselink._compare(facts, name=name, gender=gender, id_number=id_number)

    monkeypatch.setattr(caselink, "case_fee_facts", facts)
    monkeypatch.setattr(caselink, "case_confirmation_record", confirm)
    return add
