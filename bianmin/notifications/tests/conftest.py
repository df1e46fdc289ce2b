"""Fixtures of the notifications tests: seeded templates, a clean outbox, cases waiting for
their certificate (built through the cases context's own services)."""

import json
from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings

from bianmin.core.permissions import Role
from bianmin.notifications import gateways
from bianmin.notifications.services import notifications_load_reference

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture
def pinned() -> Iterator[Any]:
    """Thursday 2026-03-12, 10:00 in China (a working day, outside quiet hours)."""
    with time_machine.travel(at(2026, 3, 12), tick=False) as traveller:
        yield traveller


@pytest.fixture
def templates(db: Any) -> None:
    notifications_load_reference()


@pytest.fixture
def outbox() -> Iterator[Path]:
    path = Path(settings.SMS_OUTBOX)
    path.unlink(missing_ok=True)
    gateways.gateways_reset()
    yield path
    path.unlink(missing_ok=True)
    gateways.gateways_reset()


def outbox_lines(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture
def province_director(make_staff: Callable[..., Any]) -> Any:
    """The province-scope account (a director bound to no center, like the demo's province01):
    the only one that edits and approves the province-wide SMS templates."""
    staff = make_staff(Role.DIRECTOR, username="province01")
    staff.center = None
    staff.save(update_fields=["center"])
    return staff


@pytest.fixture
def back_office(make_staff: Callable[..., Any]) -> Any:
    return make_staff(Role.BACK_OFFICE, username="backoffice01")


@pytest.fixture
def waiting_cases(
    db: Any, center: Any, catalogue: None, windows: Any, officer: Any, back_office: Any
) -> Callable[[int], list[Any]]:
    """n accepted cases whose certificate is in production (next step: arrival)."""
    from bianmin.cases import services as cases
    from bianmin.cases.enums import ConfirmationStage
    from bianmin.people.idnumber import make_id_number

    def make(n: int, *, phones: list[str] | None = None) -> list[Any]:
        made = []
        for i in range(n):
            id_number = make_id_number(
                "610522", date(1980 + i % 30, 1 + i % 12, 1 + i % 28), 100 + i
            )
            phone = phones[i] if phones else f"139{i:08d}"
            who = cases.ApplicantInput(
                name="王建国",
                id_number=id_number,
                gender="male" if (100 + i) % 2 else "female",
                phone=phone,
            )
            case = cases.case_create(actor=officer, item_code="HZ02", applicant=who)
            cases.case_confirmation_record(
                actor=officer,
                case_number=case.number,
                stage=ConfirmationStage.WINDOW,
                name=who.name,
                gender=who.gender,
                id_type=who.id_type,
                id_number=who.id_number,
            )
            results = {m.code: "provided" for m in case.materials.all() if m.is_required}
            cases.case_pre_review(actor=officer, case=case, results=results)
            case = cases.case_accept(actor=officer, case=case)
            for stage in ("review", "approve", "production"):
                case = cases.case_advance(actor=back_office, case=case, to_stage=stage)
            case.id_number_plain = id_number  # for building import files in tests
            made.append(case)
        return made

    return make
