"""Cases built through the cases context's own services, for the tests of every context that
needs one (a pytest plugin the root conftest loads): a new case, an accepted case, cases
waiting for their certificate (next step: arrival)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from bianmin.cases import services
from bianmin.cases.enums import ConfirmationStage
from bianmin.core.permissions import Role
from bianmin.people.idnumber import make_id_number

ADULT_ID = make_id_number("610522", date(1990, 5, 1), 123)  # male, local (Tongguan)
ADULT_NAME = "王建国"
PHONE = "13912345678"


def applicant(
    name: str = ADULT_NAME, id_number: str = ADULT_ID, gender: str = "male", phone: str = PHONE
) -> services.ApplicantInput:
    return services.ApplicantInput(name=name, id_number=id_number, gender=gender, phone=phone)


def all_provided(case: Any) -> dict[str, str]:
    return {m.code: "provided" for m in case.materials.all() if m.is_required}


@pytest.fixture
def back_office(make_staff: Callable[..., Any]) -> Any:
    return make_staff(Role.BACK_OFFICE, username="backoffice01")


@pytest.fixture
def new_case(
    db: Any, center: Any, catalogue: None, windows: Any, officer: Any
) -> Callable[..., Any]:
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


@pytest.fixture
def accepted_case(new_case: Callable[..., Any], officer: Any) -> Callable[..., Any]:
    def make(item: str = "HZ02", **kwargs: Any) -> Any:
        case = new_case(item, **kwargs)
        services.case_pre_review(actor=officer, case=case, results=all_provided(case))
        return services.case_accept(actor=officer, case=case)

    return make


@pytest.fixture
def waiting_cases(accepted_case: Any, back_office: Any) -> Callable[[int], list[Any]]:
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
