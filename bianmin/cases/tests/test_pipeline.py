"""The transition table, its guards and the deadline arithmetic: pure, no database."""

from datetime import date

import pytest

from bianmin.cases import pipeline
from bianmin.cases.checklist import (
    MaterialSpec,
    applicant_facts,
    gaps_acceptable,
    later_notice_allowed_codes,
    required_codes,
)
from bianmin.cases.enums import CaseStatus
from bianmin.cases.errors import CaseError
from bianmin.cases.pipeline import (
    CaseAction,
    CaseState,
    StatusError,
    TransitionError,
    check_status,
    may_release,
)
from bianmin.core.permissions import Role

FULL = ("accept", "review", "approve", "production", "arrival", "pickup", "closed")
SHORT = ("accept", "closed")


def step(
    current: str,
    target: str,
    *,
    role: str = Role.BACK_OFFICE,
    route: str = "advance",
    stages: tuple[str, ...] = FULL,
    status: str = CaseStatus.ACCEPTED,
    gaps_open: bool = False,
) -> pipeline.StepRule:
    return pipeline.check_step(
        stages=stages,
        status=status,
        current=current,
        target=target,
        role=role,
        route=route,
        gaps_open=gaps_open,
    )


def test_every_catalogue_stage_has_a_rule():
    assert set(pipeline.STEPS) == set(pipeline.CANONICAL_ORDER)


@pytest.mark.parametrize(
    "stages",
    [
        FULL,
        SHORT,
        ("accept", "production", "pickup", "closed"),
        ("accept", "review", "approve", "closed"),
    ],
)
def test_valid_stage_lists_pass(stages):
    assert pipeline.validate_stages(list(stages)) == stages


@pytest.mark.parametrize(
    "stages",
    [
        [],
        ["accept"],
        ["review", "closed"],
        ["accept", "review"],
        ["accept", "approve", "review", "closed"],
        ["accept", "review", "review", "closed"],
        ["accept", "print", "closed"],
    ],
)
def test_invalid_stage_lists_are_refused(stages):
    with pytest.raises(TransitionError) as exc:
        pipeline.validate_stages(stages)
    assert exc.value.code == CaseError.INVALID_STAGES


def test_next_and_previous_stage():
    assert pipeline.next_stage(FULL, "accept") == "review"
    assert pipeline.next_stage(FULL, "closed") is None
    assert pipeline.previous_stage(FULL, "review") == "accept"
    assert pipeline.previous_stage(FULL, "accept") is None
    assert pipeline.next_stage(SHORT, "accept") == "closed"


def test_the_next_step_is_allowed():
    rule = step("accept", "review")
    assert rule.stage == "review"
    assert rule.queue_label == "待审核"


@pytest.mark.parametrize(
    ("current", "target"),
    [
        ("accept", "approve"),
        ("accept", "closed"),
        ("review", "production"),
        ("approve", "review"),
    ],
)
def test_no_skipping_and_no_going_back_by_advance(current, target):
    with pytest.raises(TransitionError) as exc:
        step(current, target, role=Role.SHIFT_LEADER)
    assert exc.value.code == CaseError.NOT_NEXT_STAGE
    assert "不能从" in exc.value.message


def test_a_stage_the_item_does_not_have_is_refused():
    with pytest.raises(TransitionError) as exc:
        step("accept", "review", stages=SHORT)
    assert exc.value.message == "该事项没有“审核”环节。"


@pytest.mark.parametrize("status", [CaseStatus.CLOSED, CaseStatus.TERMINATED])
def test_final_cases_never_move(status):
    with pytest.raises(TransitionError) as exc:
        step("accept", "review", status=status)
    assert exc.value.code == CaseError.CASE_FINAL


@pytest.mark.parametrize(
    ("current", "target", "route"),
    [
        ("production", "arrival", "advance"),
        ("arrival", "pickup", "advance"),
    ],
)
def test_arrival_and_pickup_only_through_their_services(current, target, route):
    with pytest.raises(TransitionError) as exc:
        step(current, target, route=route, role=Role.SHIFT_LEADER)
    assert exc.value.code == CaseError.WRONG_ROUTE


def test_acceptance_is_the_first_step_only_through_accept():
    assert (
        step("", "accept", route="accept", role=Role.OFFICER, status=CaseStatus.PRE_REVIEW).stage
        == "accept"
    )
    with pytest.raises(TransitionError):
        step("", "accept", route="advance", role=Role.OFFICER, status=CaseStatus.PRE_REVIEW)


# The authorization matrix of the table: role × step.
MATRIX = {
    "accept": {Role.OFFICER, Role.SHIFT_LEADER},
    "review": {Role.OFFICER, Role.BACK_OFFICE, Role.SHIFT_LEADER},
    "approve": {Role.BACK_OFFICE, Role.SHIFT_LEADER},
    "production": {Role.OFFICER, Role.BACK_OFFICE, Role.SHIFT_LEADER},
    "arrival": {Role.OFFICER, Role.BACK_OFFICE, Role.SHIFT_LEADER},
    "pickup": {Role.OFFICER, Role.SHIFT_LEADER},
    "closed": {Role.OFFICER, Role.BACK_OFFICE, Role.SHIFT_LEADER},
}


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("stage", list(MATRIX))
def test_role_matrix(role, stage):
    assert pipeline.role_may(role, stage) is (role in MATRIX[stage])


def test_a_role_without_the_step_gets_403():
    with pytest.raises(TransitionError) as exc:
        step("review", "approve", role=Role.OFFICER)
    assert exc.value.status == 403
    assert exc.value.message == "您的角色不能办理“审批”环节。"


@pytest.mark.parametrize(
    ("current", "target", "blocked"),
    [
        ("accept", "review", False),
        ("review", "approve", True),
        ("approve", "production", True),
    ],
)
def test_open_gaps_block_the_result_but_not_the_review(current, target, blocked):
    if blocked:
        with pytest.raises(TransitionError) as exc:
            step(current, target, gaps_open=True)
        assert exc.value.code == CaseError.GAPS_OUTSTANDING
    else:
        assert step(current, target, gaps_open=True).stage == target


def test_send_back_one_step_with_a_reason():
    back = pipeline.check_send_back(
        stages=FULL,
        status=CaseStatus.ACCEPTED,
        current="review",
        role=Role.BACK_OFFICE,
        reason="照片不合格",
    )
    assert back == "accept"


@pytest.mark.parametrize(
    ("current", "reason", "code"),
    [
        ("review", "  ", CaseError.REASON_REQUIRED),
        ("accept", "x", CaseError.CANNOT_SEND_BACK),  # waiting for review: nothing before it
        ("production", "x", CaseError.CANNOT_SEND_BACK),  # waiting for arrival: physical
        ("arrival", "x", CaseError.CANNOT_SEND_BACK),
    ],
)
def test_send_back_refusals(current, reason, code):
    with pytest.raises(TransitionError) as exc:
        pipeline.check_send_back(
            stages=FULL,
            status=CaseStatus.ACCEPTED,
            current=current,
            role=Role.SHIFT_LEADER,
            reason=reason,
        )
    assert exc.value.code == code


@pytest.mark.parametrize(
    ("promised", "share", "expected"),
    [
        (7, 0.8, 5),
        (1, 0.8, 0),
        (0, 0.8, 0),
        (20, 0.75, 15),
        (10, 1.0, 10),
        (3, 2.0, 3),
    ],
)
def test_warning_workdays(promised, share, expected):
    assert pipeline.warning_workdays(promised, share) == expected


@pytest.mark.parametrize(
    ("today", "state"),
    [
        (date(2026, 10, 9), "ok"),
        (date(2026, 10, 12), "warning"),
        (date(2026, 10, 14), "warning"),
        (date(2026, 10, 15), "overdue"),
    ],
)
def test_deadline_state(today, state):
    assert (
        pipeline.deadline_state(
            today=today, deadline=date(2026, 10, 14), warn_on=date(2026, 10, 12)
        )
        == state
    )


@pytest.mark.parametrize(
    ("days", "bucket"),
    [(0, "0-1"), (1, "0-1"), (2, "2-3"), (7, "4-7"), (15, "8-15"), (16, "16+"), (400, "16+")],
)
def test_age_buckets(days, bucket):
    assert pipeline.age_bucket(days) == bucket


def test_progress_labels():
    assert pipeline.progress_label(status="accepted", next_stage_="review") == "审核中"
    assert pipeline.progress_label(status="awaiting_supplement", next_stage_="") == "待补正材料"
    assert pipeline.progress_label(status="closed", next_stage_="") == "已办结"


# --- checklist -------------------------------------------------------------------------------------

SPECS = [
    MaterialSpec("household_register", "居民户口簿", "", "", "always", True),
    MaterialSpec("guardian_id", "监护人居民身份证", "", "", "guardian", True),
    MaterialSpec("residence_proof", "居住证明", "", "", "non_local", True),
    MaterialSpec("photo", "照片", "", "", "always", False),
]


def facts(id_number: str, **declared) -> dict:
    return applicant_facts(
        id_number=id_number, today=date(2026, 9, 29), local_prefix="6105", declared=declared
    )


def test_facts_come_from_the_id_number_and_the_declaration():
    child = facts("610522201501010012")
    assert child["age"] == 11
    assert child["non_local"] is False
    adult_elsewhere = facts("110105199001010015", proxy=True)
    assert adult_elsewhere["age"] == 36
    assert adult_elsewhere["non_local"] is True
    assert adult_elsewhere["proxy"] is True


def test_conditional_materials():
    assert required_codes(SPECS, facts("610522201501010012")) == {
        "household_register",
        "guardian_id",
        "photo",
    }
    assert required_codes(SPECS, facts("110105199001010015")) == {
        "household_register",
        "residence_proof",
        "photo",
    }


def test_gaps_acceptable_only_for_secondary_materials():
    assert (
        gaps_acceptable(
            SPECS[:1] + SPECS[3:], {"household_register": "provided", "photo": "missing"}
        )
        is True
    )
    assert (
        gaps_acceptable(
            SPECS[:1] + SPECS[3:], {"household_register": "missing", "photo": "missing"}
        )
        is False
    )
    assert (
        gaps_acceptable(
            SPECS[:1] + SPECS[3:], {"household_register": "provided", "photo": "provided"}
        )
        is False
    )


def test_one_time_rule_allows_only_first_notice_items_unless_facts_changed():
    first = facts("610522199001010015")
    now = facts("610522199001010015", guardian=True)
    kept = later_notice_allowed_codes(
        specs=SPECS,
        first_codes=["photo"],
        first_facts=first,
        current_facts=now,
        facts_changed=False,
    )
    assert kept == {"photo"}
    widened = later_notice_allowed_codes(
        specs=SPECS, first_codes=["photo"], first_facts=first, current_facts=now, facts_changed=True
    )
    assert widened == {"photo", "guardian_id"}


# --- status guards ------------------------------------------------------------------------------


def _state(status: str, **kw: object) -> CaseState:
    return CaseState(number="TG-20260929-0001", status=status, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("action", "status", "code"),
    [
        (CaseAction.PRE_REVIEW, "accepted", "already_accepted"),
        (CaseAction.NOTICE, "accepted", "already_accepted"),
        (CaseAction.FACTS_CHANGE, "accepted", "already_accepted"),
        (CaseAction.ACCEPT, "closed", "already_accepted"),
        (CaseAction.ACCEPT, "terminated", "case_final"),
        (CaseAction.CLAIM, "pre_review", "not_accepted"),
        (CaseAction.ADVANCE, "awaiting_supplement", "not_accepted"),
        (CaseAction.ARRIVAL, "pre_review", "not_accepted"),
        (CaseAction.PICKUP, "accepted", "not_next_stage"),
        (CaseAction.FLAGS, "closed", "case_final"),
        (CaseAction.TERMINATE, "terminated", "case_final"),
        (CaseAction.CLAIM, "closed", "case_final"),
    ],
)
def test_status_guard_refuses(action, status, code):
    with pytest.raises(StatusError) as exc:
        check_status(action=action, state=_state(status), actor_id=1)
    assert (exc.value.code, exc.value.status) == (code, 409)


def test_status_guard_allows_and_checks_the_lock():
    check_status(action=CaseAction.CORRECT, state=_state("closed"), actor_id=1)
    check_status(action=CaseAction.PRE_REVIEW, state=_state("awaiting_supplement"), actor_id=1)
    held = _state("accepted", locked_by_id=7, locked_by_label="审核民警一")
    check_status(action=CaseAction.ADVANCE, state=held, actor_id=7)
    with pytest.raises(StatusError) as exc:
        check_status(action=CaseAction.ADVANCE, state=held, actor_id=8)
    assert exc.value.message == "办件已被审核民警一认领办理，请其释放后再操作。"


def test_arrival_registered_once():
    with pytest.raises(StatusError) as exc:
        check_status(
            action=CaseAction.ARRIVAL,
            state=_state("accepted", arrived_at_label="2026-09-29 10:00"),
            actor_id=1,
        )
    assert exc.value.code == "already_arrived"


@pytest.mark.parametrize(
    ("role", "allowed"),
    [("shift_leader", True), ("director", False), ("inspector", False), ("back_office", False)],
)
def test_only_holder_or_shift_leader_releases(role, allowed):
    assert may_release(role=role, actor_id=1, holder_id=2) is allowed
    assert may_release(role=role, actor_id=2, holder_id=2) is True
