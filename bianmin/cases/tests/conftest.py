"""Fixtures of the cases tests: a pinned clock before National Day 2026, applicants, cases."""

from collections.abc import Callable
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from bianmin.cases import services
from bianmin.cases.enums import ConfirmationStage
from bianmin.core.permissions import Role
from bianmin.people.idnumber import make_id_number

SHANGHAI = ZoneInfo("Asia/Shanghai")
ADULT_ID = make_id_number("610522", date(1990, 5, 1), 123)  # male, local (Tongguan)
ADULT_NAME = "王建国"
PHONE = "13912345678"


def at(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture
def pinned():
    """Tuesday 2026-09-29, 10:00 in China: National Day (Oct 1–7) is two days away."""
    with time_machine.travel(at(2026, 9, 29), tick=False) as traveller:
        yield traveller


@pytest.fixture
def setup(db, center, catalogue, windows, officer):
    return center


def applicant(
    name: str = ADULT_NAME, id_number: str = ADULT_ID, gender: str = "male", phone: str = PHONE
) -> services.ApplicantInput:
    return services.ApplicantInput(name=name, id_number=id_number, gender=gender, phone=phone)


@pytest.fixture
def new_case(setup, officer) -> Callable[..., Any]:
    def make(
        item: str = "HZ02",
        *,
        who: services.ApplicantInput | None = None,
        actor: Any = None,
        confirm: bool = True,
        **kwargs: Any,
    ) -> Any:
        actor = actor or officer
        who = who or applicant()
        case = services.case_create(actor=actor, item_code=item, applicant=who, **kwargs)
        if confirm:
            services.case_confirmation_record(
                actor=actor,
                case_number=case.number,
                stage=ConfirmationStage.WINDOW,
                name=who.name,
                gender=who.gender,
                id_type=who.id_type,
                id_number=who.id_number,
            )
        return case

    return make


def all_provided(case: Any) -> dict[str, str]:
    return {m.code: "provided" for m in case.materials.all() if m.is_required}


@pytest.fixture
def accepted_case(new_case, officer) -> Callable[..., Any]:
    def make(item: str = "HZ02", **kwargs: Any) -> Any:
        case = new_case(item, **kwargs)
        services.case_pre_review(actor=officer, case=case, results=all_provided(case))
        return services.case_accept(actor=officer, case=case)

    return make


@pytest.fixture
def back_office(make_staff):
    return make_staff(Role.BACK_OFFICE, username="backoffice01")


@pytest.fixture
def leader(make_staff):
    return make_staff(Role.SHIFT_LEADER, username="leader01")


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Progress throttling counts failures in the cache: every test starts clean."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def pdf_text(content: bytes, tmp_path: Any) -> str:
    """The PDF's text (pdftotext) after checking that it renders (pdftoppm)."""
    import subprocess

    assert content.startswith(b"%PDF")
    path = tmp_path / "doc.pdf"
    path.write_bytes(content)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "1", str(path), str(tmp_path / "page")],
        check=True,
        timeout=60,
    )
    assert list(tmp_path.glob("page*.png"))
    out = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"],
        check=True,
        timeout=60,
        capture_output=True,
        text=True,
    )
    return out.stdout


# --- arrival lists and pickup notices (moved here with arrival from notifications) --------------


@pytest.fixture
def templates(db: Any) -> None:
    from bianmin.notifications.services import notifications_load_reference

    notifications_load_reference()


@pytest.fixture
def outbox() -> Any:
    from pathlib import Path

    from django.conf import settings

    from bianmin.notifications import gateways

    path = Path(settings.SMS_OUTBOX)
    path.unlink(missing_ok=True)
    gateways.gateways_reset()
    yield path
    path.unlink(missing_ok=True)
    gateways.gateways_reset()


def outbox_lines(path: Any) -> list[dict[str, Any]]:
    import json

    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture
def waiting_cases(accepted_case: Any, back_office: Any) -> Callable[..., list[Any]]:
    """n accepted cases whose certificate is in production (next step: arrival)."""

    def make(n: int) -> list[Any]:
        from bianmin.cases.tests.factories import ApplicantFactory

        made = []
        for _i in range(n):
            who = ApplicantFactory()
            case = accepted_case("HZ02", who=who)
            for stage in ("review", "approve", "production"):
                case = services.case_advance(actor=back_office, case=case, to_stage=stage)
            case.id_number_plain = who.id_number  # for building import files in tests
            made.append(case)
        return made

    return make
