"""Services with the clock pinned before National Day 2026 (Oct 1–7 off, Sat Oct 10 worked)."""

from datetime import date

import pytest
import time_machine

from bianmin.audit.selectors import audit_entry_search
from bianmin.cases import selectors, services
from bianmin.cases.enums import (
    CaseEventType,
    CaseStatus,
    ConfirmationStage,
    InquiryStatus,
    MaterialState,
)
from bianmin.cases.errors import CaseError
from bianmin.cases.models import Case, CaseConfirmation, CaseEvent, MissingNotice
from bianmin.cases.tests.conftest import at
from bianmin.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from bianmin.core.permissions import Role
from bianmin.core.workdays import CalendarUnknown
from bianmin.people.idnumber import make_id_number
from tests.support.case_builders import ADULT_ID, ADULT_NAME, all_provided, applicant

pytestmark = pytest.mark.django_db


def events(case) -> list[str]:
    return list(CaseEvent.objects.filter(case=case).order_by("pk").values_list("type", flat=True))


# --- numbers and registration -----------------------------------------------------------------------


def test_case_numbers_count_per_center_and_day(pinned, new_case):
    first, second = (
        new_case(),
        new_case(
            who=applicant(
                name="李秀英",
                gender="female",
                id_number=make_id_number("610522", date(1985, 3, 2), 124),
            )
        ),
    )
    assert (first.number, second.number) == ("TG-20260929-0001", "TG-20260929-0002")
    pinned.move_to(at(2026, 9, 30))
    assert new_case().number == "TG-20260930-0001"


def test_case_create_registers_person_encrypted_and_keeps_masked_snapshot(pinned, new_case):
    case = new_case()
    assert case.applicant.id_number == ADULT_ID
    assert case.applicant_name_masked == "王*国"
    assert case.status == CaseStatus.PRE_REVIEW
    assert case.facts == {
        "guardian": False,
        "proxy": False,
        "lost": False,
        "damaged": False,
        "student": False,
        "organisation": False,
        "age": 36,
        "non_local": False,
    }
    assert list(case.confirmations.values_list("stage", flat=True)) == ["form", "window"]
    assert events(case) == ["created", "confirmed"]


def test_conditional_materials_follow_the_applicant(pinned, new_case):
    child = applicant(name="王小明", id_number=make_id_number("610522", date(2015, 6, 1), 11))
    case = new_case("HZ01", who=child)
    required = set(case.materials.filter(is_required=True).values_list("code", flat=True))
    assert required == {"household_register", "guardian_id", "photo"}
    elsewhere = applicant(name="赵强", id_number=make_id_number("110105", date(1980, 1, 1), 31))
    case = new_case("HZ01", who=elsewhere)
    required = set(case.materials.filter(is_required=True).values_list("code", flat=True))
    assert required == {"household_register", "residence_proof", "photo"}


def test_officer_without_authorization_cannot_register(setup, make_staff):
    restricted = make_staff(Role.OFFICER, all_round=False)
    with pytest.raises(PermissionDenied) as exc:
        services.case_create(actor=restricted, item_code="HZ02", applicant=applicant())
    assert exc.value.message == "您未获得办理“居民身份证到期换领/变更换领”的授权"
    assert Case.objects.count() == 0


# --- zero errors: confirmations ---------------------------------------------------------------------


def test_window_confirmation_mismatch_blocks_and_records_nothing(pinned, new_case, officer):
    case = new_case(confirm=False)
    with pytest.raises(DomainError) as exc:
        services.case_confirmation_record(
            actor=officer,
            case_number=case.number,
            stage="window",
            name="王建华",
            gender="female",
            id_type="resident_id",
            id_number=ADULT_ID,
        )
    assert exc.value.code == CaseError.CONFIRMATION_MISMATCH
    assert exc.value.message == (
        "申请人确认的姓名、性别与登记信息不一致，请核对证件原件后重新确认；"
        "如登记有误，请重新登记申请。"
    )
    assert CaseConfirmation.objects.filter(case=case, stage="window").count() == 0


def test_payment_confirmation_is_recorded(pinned, accepted_case, officer):
    case = accepted_case()
    services.case_confirmation_record(
        actor=officer,
        case_number=case.number,
        stage="payment",
        name=ADULT_NAME,
        gender="male",
        id_type="resident_id",
        id_number=ADULT_ID.lower(),
    )
    row = CaseConfirmation.objects.get(case=case, stage=ConfirmationStage.PAYMENT)
    assert (row.name_masked, row.id_number_masked, row.confirmed_by) == (
        "王*国",
        f"610522********{ADULT_ID[-4:]}",
        officer,
    )


def test_acceptance_needs_the_window_confirmation(pinned, new_case, officer):
    case = new_case(confirm=False)
    services.case_pre_review(actor=officer, case=case, results=all_provided(case))
    with pytest.raises(DomainError) as exc:
        services.case_accept(actor=officer, case=case)
    assert exc.value.code == CaseError.CONFIRMATION_MISSING
    case.refresh_from_db()
    assert case.status == CaseStatus.PRE_REVIEW


# --- pre-review and acceptance -----------------------------------------------------------------------


def test_accept_sets_the_deadline_across_national_day(pinned, accepted_case):
    case = accepted_case("HZ02")  # 7 working days from Tue 2026-09-29
    assert case.status == CaseStatus.ACCEPTED
    assert (case.stage, case.next_stage) == ("accept", "review")
    # Sep 30, Oct 8, 9, Sat Oct 10 (make-up), 12, 13, 14
    assert case.deadline == date(2026, 10, 14)
    assert case.warn_on == date(2026, 10, 12)  # 5 of 7 working days (share 0.8)
    assert events(case)[-1] == CaseEventType.ACCEPTED


def test_one_day_item_accepted_on_the_eve_of_the_holiday(pinned, accepted_case):
    pinned.move_to(at(2026, 9, 30))
    assert accepted_case("JG01").deadline == date(2026, 10, 8)


def test_zero_day_item_is_due_today(pinned, accepted_case):
    case = accepted_case("HZ04")
    assert (case.deadline, case.next_stage) == (date(2026, 9, 29), "closed")


def test_unknown_material_code_is_refused_and_nothing_changes(pinned, new_case, officer):
    case = new_case("HZ02")
    with pytest.raises(DomainError) as exc:
        services.case_pre_review(
            actor=officer,
            case=case,
            results={"old_id_card": "provided", "purchase_invoice": "provided"},
        )
    assert exc.value.code == CaseError.UNKNOWN_MATERIAL
    assert exc.value.message == (
        "材料 purchase_invoice 不属于事项“居民身份证到期换领/变更换领”，请核对材料清单。"
    )
    assert set(case.materials.values_list("state", flat=True)) == {MaterialState.NOT_CHECKED}


def test_incomplete_materials_cannot_be_accepted(pinned, new_case, officer):
    case = new_case("HZ02")
    services.case_pre_review(
        actor=officer,
        case=case,
        results={"old_id_card": "provided", "household_register": ("defective", "非本人户口页")},
    )
    with pytest.raises(DomainError) as exc:
        services.case_accept(actor=officer, case=case)
    assert exc.value.code == CaseError.MATERIALS_INCOMPLETE
    assert exc.value.message == (
        "材料不齐（居民户口簿、近期免冠照片），不能受理；请出具一次性告知单或办理容缺受理。"
    )


def test_second_acceptance_is_refused_and_changes_nothing(pinned, accepted_case, officer):
    case = accepted_case()
    before = (
        case.deadline,
        case.accepted_at,
        CaseEvent.objects.count(),
        audit_entry_search(user=officer).count(),
    )
    with pytest.raises(Conflict) as exc:
        services.case_accept(actor=officer, case=case)
    assert exc.value.code == CaseError.ALREADY_ACCEPTED
    assert exc.value.message == f"办件 {case.number} 已于 2026-09-29 10:00 受理，不能重复受理。"
    case.refresh_from_db()
    assert (
        case.deadline,
        case.accepted_at,
        CaseEvent.objects.count(),
        audit_entry_search(user=officer).count(),
    ) == before


def test_a_second_open_case_for_the_same_item_is_refused(pinned, accepted_case):
    first = accepted_case()
    with pytest.raises(Conflict) as exc:
        accepted_case()
    assert exc.value.message == f"该申请人已有同一事项的在办件 {first.number}，不能重复受理。"


def test_deadline_on_a_year_the_calendar_does_not_know(new_case, officer):
    with time_machine.travel(at(2028, 12, 26), tick=False):
        case = new_case("HZ02")
        services.case_pre_review(actor=officer, case=case, results=all_provided(case))
        with pytest.raises(CalendarUnknown) as exc:
            services.case_accept(actor=officer, case=case)
    assert (
        exc.value.message
        == "无法计算办结期限：工作日历没有 2029 年的数据，请主任先录入该年的节假日安排。"
    )
    case.refresh_from_db()
    assert (case.status, case.deadline, case.accepted_at) == (CaseStatus.PRE_REVIEW, None, None)
    assert CaseEventType.ACCEPTED not in events(case)


# --- the one-time notice -----------------------------------------------------------------------------


def test_notice_lists_everything_missing_at_once(pinned, new_case, officer):
    case = new_case("HZ02")
    services.case_pre_review(
        actor=officer,
        case=case,
        results={"old_id_card": "provided", "household_register": ("defective", "非本人户口页")},
    )
    notice = services.case_issue_missing_notice(actor=officer, case=case)
    case.refresh_from_db()
    assert case.status == CaseStatus.AWAITING_SUPPLEMENT
    assert notice.seq == 1
    assert [(e["code"], e["state"], e["reason"]) for e in notice.entries] == [
        ("household_register", "defective", "非本人户口页"),
        ("photo", "missing", "未提供"),
    ]


def test_later_notice_may_not_add_materials(pinned, new_case, officer):
    case = new_case("HZ02")
    services.case_pre_review(
        actor=officer,
        case=case,
        results={"old_id_card": "provided", "household_register": "provided", "photo": "missing"},
    )
    services.case_issue_missing_notice(actor=officer, case=case)
    # the applicant comes back: now the officer finds the household register defective too
    services.case_pre_review(
        actor=officer,
        case=case,
        results={
            "old_id_card": "provided",
            "household_register": ("defective", "已过期"),
            "photo": "missing",
        },
    )
    with pytest.raises(DomainError) as exc:
        services.case_issue_missing_notice(actor=officer, case=case)
    assert exc.value.code == CaseError.ONE_TIME_NOTICE
    assert "不能新增首次告知单（2026-09-29）未列出的材料：居民户口簿" in exc.value.message
    assert MissingNotice.objects.filter(case=case).count() == 1


def test_later_notice_repeats_what_is_still_missing(pinned, new_case, officer):
    case = new_case("HZ02")
    services.case_pre_review(
        actor=officer,
        case=case,
        results={"old_id_card": "provided", "household_register": "missing", "photo": "missing"},
    )
    services.case_issue_missing_notice(actor=officer, case=case)
    services.case_pre_review(
        actor=officer,
        case=case,
        results={"old_id_card": "provided", "household_register": "provided", "photo": "missing"},
    )
    second = services.case_issue_missing_notice(actor=officer, case=case)
    assert (second.seq, second.codes, second.facts_changed) == (2, ["photo"], False)


def test_recorded_change_of_facts_allows_a_new_material(pinned, new_case, officer):
    case = new_case("HZ02")
    services.case_pre_review(
        actor=officer,
        case=case,
        results={"old_id_card": "provided", "household_register": "provided", "photo": "missing"},
    )
    services.case_issue_missing_notice(actor=officer, case=case)
    with pytest.raises(DomainError):
        services.case_facts_change(actor=officer, case=case, declared={"guardian": True}, note="")
    services.case_facts_change(
        actor=officer, case=case, declared={"guardian": True}, note="申请人改由监护人代为申请"
    )
    services.case_pre_review(
        actor=officer,
        case=case,
        results={
            "old_id_card": "provided",
            "household_register": "provided",
            "photo": "missing",
            "guardian_id": "missing",
        },
    )
    second = services.case_issue_missing_notice(actor=officer, case=case)
    assert (second.codes, second.facts_changed) == (["guardian_id", "photo"], True)
    assert CaseEventType.FACTS_CHANGED in events(case)


def test_notice_sms_goes_through_notifications(
    pinned, new_case, officer, django_capture_on_commit_callbacks
):
    from bianmin.notifications.models import Message
    from bianmin.notifications.services import notifications_load_reference

    notifications_load_reference()
    case = new_case("HZ02")
    services.case_pre_review(
        actor=officer,
        case=case,
        results={"old_id_card": "provided", "household_register": "provided", "photo": "missing"},
    )
    with django_capture_on_commit_callbacks(execute=True):
        notice = services.case_issue_missing_notice(actor=officer, case=case)
    message = Message.objects.get()
    assert (message.template_code, message.dedupe_key, message.case_id, message.params) == (
        "missing_notice",
        f"missing_notice:{case.pk}:1",
        case.pk,
        # notifications shortens the item name to fit one SMS segment
        {"item": "居民身份证", "case_number": case.number, "count": "1"},
    )
    notice.refresh_from_db()
    assert notice.sms_queued is True


# --- accept with gaps (容缺受理) -----------------------------------------------------------------------


def test_accept_with_gaps_for_a_secondary_material(pinned, new_case, officer):
    case = new_case("HZ01")
    services.case_pre_review(
        actor=officer, case=case, results={"household_register": "provided", "photo": "missing"}
    )
    case = services.case_accept(
        actor=officer, case=case, with_gaps=True, commitment="申请人承诺5个工作日内补交照片"
    )
    assert (case.accepted_with_gaps, case.gaps_open) == (True, True)
    assert case.supplement_deadline == date(2026, 10, 12)  # 5 working days, inside the 7 promised
    assert case.deadline == date(2026, 10, 14)


@pytest.mark.parametrize(
    ("item", "results", "message"),
    [
        (
            "HZ01",
            {"household_register": "missing", "photo": "missing"},
            "主要材料不齐（居民户口簿），不能容缺受理；容缺受理只适用于次要材料。",
        ),
        (
            "CR01",
            {"id_card": "provided", "photo": "missing", "old_passport": "provided"},
            "事项“普通护照”不适用容缺受理",
        ),
    ],
)
def test_gaps_refused(pinned, new_case, officer, item, results, message):
    case = new_case(item)
    services.case_pre_review(actor=officer, case=case, results=results)
    with pytest.raises(DomainError) as exc:
        services.case_accept(actor=officer, case=case, with_gaps=True, commitment="承诺")
    assert exc.value.code == CaseError.GAPS_NOT_ALLOWED
    assert exc.value.message == message


def test_gaps_not_supplied_in_time_terminate_the_case(pinned, new_case, officer):
    case = new_case("HZ01")
    services.case_pre_review(
        actor=officer, case=case, results={"household_register": "provided", "photo": "missing"}
    )
    services.case_accept(actor=officer, case=case, with_gaps=True, commitment="承诺补交照片")
    assert services.case_deadline_sweep(today=date(2026, 10, 12)).terminated == 0
    pinned.move_to(at(2026, 10, 13))
    assert services.case_deadline_sweep().terminated == 1
    assert services.case_deadline_sweep().terminated == 0  # idempotent
    case.refresh_from_db()
    assert case.status == CaseStatus.TERMINATED
    assert case.termination_reason == "容缺受理的材料未在补正期限 2026-10-12 前补齐，办件终止"


def test_gaps_block_approval_until_supplied(pinned, new_case, officer, back_office):
    case = new_case("HZ01")
    services.case_pre_review(
        actor=officer, case=case, results={"household_register": "provided", "photo": "missing"}
    )
    services.case_accept(actor=officer, case=case, with_gaps=True, commitment="承诺")
    services.case_advance(actor=back_office, case=case, to_stage="review")
    with pytest.raises(DomainError) as exc:
        services.case_advance(actor=back_office, case=case, to_stage="approve")
    assert exc.value.code == CaseError.GAPS_OUTSTANDING
    services.case_supplement_gaps(actor=officer, case=case)
    case = services.case_advance(actor=back_office, case=case, to_stage="approve")
    assert case.stage == "approve"


# --- the pipeline through services ---------------------------------------------------------------------


def test_full_pipeline_to_pickup_and_close(pinned, accepted_case, officer, back_office):
    case = accepted_case("HZ02")
    services.case_advance(actor=back_office, case=case, to_stage="review")
    services.case_advance(actor=back_office, case=case, to_stage="approve")
    services.case_advance(actor=back_office, case=case, to_stage="production")
    pinned.move_to(at(2026, 10, 9, 9))
    found = selectors.case_find_for_arrival(center_id=case.center_id, id_number=ADULT_ID.lower())
    assert found == case
    services.case_register_arrival(actor=back_office, case=found)
    pinned.move_to(at(2026, 10, 9, 15, 30))
    case = services.case_pickup(actor=officer, case=case, method="id_card")
    assert (case.status, case.stage, case.next_stage) == (CaseStatus.CLOSED, "closed", "")
    assert events(case)[-6:] == [
        "advanced",
        "advanced",
        "advanced",
        "arrived",
        "picked_up",
        "closed",
    ]
    [duration] = selectors.case_pickup_durations(center_id=case.center_id, since=date(2026, 9, 1))
    assert (duration.arrival_to_pickup_hours, duration.acceptance_to_pickup_hours) == (6.5, 245.5)


def test_skipping_a_stage_is_refused_and_changes_nothing(pinned, accepted_case, back_office):
    case = accepted_case("HZ02")
    with pytest.raises(DomainError) as exc:
        services.case_advance(actor=back_office, case=case, to_stage="approve")
    assert exc.value.message == "不能从“受理”直接到“审批”，下一环节应为“审核”。"
    case.refresh_from_db()
    assert case.stage == "accept"


def test_window_officer_may_review_but_not_approve(pinned, accepted_case, officer):
    case = accepted_case("HZ02")
    services.case_advance(actor=officer, case=case, to_stage="review")
    with pytest.raises(DomainError) as exc:
        services.case_advance(actor=officer, case=case, to_stage="approve")
    assert exc.value.status == 403


def test_lock_keeps_others_out(pinned, accepted_case, back_office, make_staff, leader):
    case = accepted_case("HZ02")
    other = make_staff(Role.BACK_OFFICE, username="backoffice02")
    services.case_claim(actor=back_office, case=case)
    with pytest.raises(Conflict) as exc:
        services.case_advance(actor=other, case=case, to_stage="review")
    assert exc.value.message == f"办件已被{back_office.full_name}认领办理，请其释放后再操作。"
    with pytest.raises(Conflict):
        services.case_claim(actor=other, case=case)
    with pytest.raises(PermissionDenied):
        services.case_release(actor=other, case=case)
    services.case_release(actor=leader, case=case)  # the shift leader may free it
    case = services.case_advance(actor=other, case=case, to_stage="review")
    assert (case.stage, case.locked_by) == ("review", None)


@pytest.mark.parametrize("role", [Role.INSPECTOR, Role.DIRECTOR])
def test_only_the_shift_leader_releases_someone_elses_lock(
    pinned, accepted_case, back_office, make_staff, role
):
    case = accepted_case("HZ02")
    services.case_claim(actor=back_office, case=case)
    supervisor = make_staff(role, username=f"{role}01")
    with pytest.raises(PermissionDenied):
        services.case_release(actor=supervisor, case=case)
    case.refresh_from_db()
    assert case.locked_by == back_office


def test_claim_and_release_are_audited(pinned, accepted_case, back_office, leader):
    case = accepted_case("HZ02")
    services.case_claim(actor=back_office, case=case)
    services.case_release(actor=leader, case=case)
    entries = audit_entry_search(user=leader)
    actions = [
        (e.action, e.actor_id) for e in entries if e.action in ("case_claimed", "case_released")
    ]
    assert sorted(actions) == [("case_claimed", back_office.pk), ("case_released", leader.pk)]


def test_send_back_with_reason(pinned, accepted_case, back_office):
    case = accepted_case("HZ02")
    services.case_advance(actor=back_office, case=case, to_stage="review")
    with pytest.raises(DomainError):
        services.case_send_back(actor=back_office, case=case, reason=" ")
    case = services.case_send_back(actor=back_office, case=case, reason="照片背景不合格，重新审核")
    assert (case.stage, case.next_stage) == ("accept", "review")
    event = CaseEvent.objects.filter(case=case).last()
    assert (event.type, event.from_stage, event.to_stage, event.reason) == (
        "sent_back",
        "review",
        "accept",
        "照片背景不合格，重新审核",
    )


def test_no_edits_after_close_except_a_recorded_correction(pinned, accepted_case, officer, leader):
    case = accepted_case("HZ04")
    case = services.case_advance(actor=officer, case=case, to_stage="closed")
    assert case.status == CaseStatus.CLOSED
    with pytest.raises(Conflict) as exc:
        services.case_set_flags(actor=officer, case=case, is_urgent=True)
    assert exc.value.code == CaseError.CASE_FINAL
    with pytest.raises(DomainError):
        services.case_advance(actor=officer, case=case, to_stage="closed")
    case = services.case_correct(
        actor=leader, case=case, field_name="remark", value="补录备注", reason="受理时漏记"
    )
    event = CaseEvent.objects.filter(case=case).last()
    assert (event.type, event.data) == (
        "corrected",
        {"field": "remark", "before": "", "after": "补录备注"},
    )


def test_other_center_cannot_touch_the_case(pinned, accepted_case, make_staff, other_center):
    case = accepted_case("HZ02")
    stranger = make_staff(Role.BACK_OFFICE, center_=other_center)
    with pytest.raises(NotFound):
        services.case_advance(actor=stranger, case=case, to_stage="review")


# --- arrival and pickup --------------------------------------------------------------------------------


@pytest.fixture
def waiting_for_pickup(pinned, accepted_case, back_office):
    case = accepted_case("HZ02")
    for stage in ("review", "approve", "production"):
        services.case_advance(actor=back_office, case=case, to_stage=stage)
    return services.case_register_arrival(actor=back_office, case=case)


def test_arrival_twice_is_refused(waiting_for_pickup, back_office):
    with pytest.raises(Conflict) as exc:
        services.case_register_arrival(actor=back_office, case=waiting_for_pickup)
    assert exc.value.message == f"办件 {waiting_for_pickup.number} 已于 2026-09-29 10:00 登记到证"


def test_arrival_batch_by_number_and_id_number(pinned, accepted_case, back_office):
    case = accepted_case("HZ02")
    for stage in ("review", "approve", "production"):
        services.case_advance(actor=back_office, case=case, to_stage=stage)
    batch = services.case_arrival_batch(
        actor=back_office, values=[ADULT_ID, case.number, "TG-20260101-9999", ""]
    )
    assert [(r.value, r.ok, r.message) for r in batch.rows] == [
        (ADULT_ID, True, "已登记到证（未发送短信）"),
        (case.number, False, "已于此前登记到证；如未通知，可在“到证通知”中补发"),
        ("TG-20260101-9999", False, "没有找到待到证的办件"),
    ]


def test_proxy_pickup_needs_authorization(waiting_for_pickup, officer):
    proxy_id = make_id_number("610522", date(1992, 2, 2), 222)
    with pytest.raises(DomainError) as exc:
        services.case_pickup(
            actor=officer,
            case=waiting_for_pickup,
            method="id_card",
            proxy_name="王丽",
            proxy_id_number=proxy_id,
        )
    assert exc.value.message == "代领须记录申请人的委托（委托书或授权说明）"
    case = services.case_pickup(
        actor=officer,
        case=waiting_for_pickup,
        method="id_card",
        proxy_name="王丽",
        proxy_id_number=proxy_id,
        authorization_note="申请人签字委托书一份",
    )
    assert (case.pickup_by_proxy, case.proxy_id_number, case.status) == (True, proxy_id, "closed")


def test_face_pickup_with_confirmed_check(waiting_for_pickup, officer):
    from bianmin.cases.tests.factories import FaceCheckFactory

    check = FaceCheckFactory(person=waiting_for_pickup.applicant, officer=officer)
    with pytest.raises(DomainError) as exc:
        services.case_pickup(
            actor=officer,
            case=waiting_for_pickup,
            method="face",
            face_check_id="00000000-0000-4000-8000-000000000000",
        )
    assert exc.value.message == "刷脸核验未通过或与领取人不符，请查验身份证件"
    case = services.case_pickup(
        actor=officer, case=waiting_for_pickup, method="face", face_check_id=str(check.pk)
    )
    assert (case.pickup_method, case.face_check_id) == ("face", str(check.pk))


def test_face_pickup_refuses_a_rejected_check(waiting_for_pickup, officer):
    from bianmin.cases.tests.factories import FaceCheckFactory

    check = FaceCheckFactory(
        person=waiting_for_pickup.applicant, officer=officer, decision="no_match"
    )
    with pytest.raises(DomainError):
        services.case_pickup(
            actor=officer, case=waiting_for_pickup, method="face", face_check_id=str(check.pk)
        )
    waiting_for_pickup.refresh_from_db()
    assert waiting_for_pickup.picked_up_at is None


def test_pickup_before_arrival_is_refused(pinned, accepted_case, officer):
    case = accepted_case("HZ02")
    with pytest.raises(Conflict) as exc:
        services.case_pickup(actor=officer, case=case, method="id_card")
    assert exc.value.message == f"办件 {case.number} 当前不在待领取环节（审核中）"


# --- deadlines -----------------------------------------------------------------------------------------


def test_sweep_warns_then_flags_overdue_once(pinned, accepted_case):
    case = accepted_case("HZ02")  # warn on Oct 12, due Oct 14
    assert services.case_deadline_sweep(today=date(2026, 10, 9)) == services.SweepResult(0, 0, 0)
    pinned.move_to(at(2026, 10, 12, 8))
    assert services.case_deadline_sweep() == services.SweepResult(1, 0, 0)
    assert services.case_deadline_sweep() == services.SweepResult(0, 0, 0)
    pinned.move_to(at(2026, 10, 15, 8))
    assert services.case_deadline_sweep() == services.SweepResult(0, 1, 0)
    assert services.case_deadline_sweep() == services.SweepResult(0, 0, 0)
    assert events(case).count("warned") == 1
    assert events(case).count("overdue") == 1
    assert [c.number for c in selectors.case_overdue_list(center_id=case.center_id)] == [
        case.number
    ]


def test_backlog_board_by_stage_and_age(pinned, accepted_case, back_office):
    first = accepted_case("HZ02")
    pinned.move_to(at(2026, 10, 9))
    accepted_case(
        "JG01",
        who=applicant(
            name="李秀英",
            gender="female",
            id_number=make_id_number("610522", date(1985, 3, 2), 124),
        ),
    )
    services.case_advance(actor=back_office, case=first, to_stage="review")
    board = selectors.case_backlog(center_id=first.center_id)
    rows = {r.stage: (r.buckets, r.total, r.overdue) for r in board.rows if r.total}
    assert rows == {"approve": ([0, 0, 0, 1, 0], 1, 0), "production": ([1, 0, 0, 0, 0], 1, 0)}
    trend = selectors.case_backlog_trend(center_id=first.center_id, days=12)
    assert [(p.day.isoformat(), p.backlog) for p in trend if p.accepted] == [
        ("2026-09-29", 1),
        ("2026-10-09", 2),
    ]


# --- inquiries (首问负责) ----------------------------------------------------------------------------


def test_first_responder_stays_responsible_until_receipt(setup, officer, make_staff):
    colleague = make_staff(Role.OFFICER, username="officer02")
    inquiry = services.inquiry_open(actor=officer, item_code="HZ02", topic="换证需要带什么")
    assert (inquiry.first_responder, inquiry.responsible) == (officer, officer)
    services.inquiry_hand_over(
        actor=officer, inquiry=inquiry, to_officer=colleague, note="涉及户籍迁移，转户籍民警"
    )
    inquiry.refresh_from_db()
    assert (inquiry.status, inquiry.responsible) == (InquiryStatus.HANDOVER_PENDING, officer)
    with pytest.raises(PermissionDenied):
        services.inquiry_receive(actor=officer, inquiry=inquiry)
    services.inquiry_receive(actor=colleague, inquiry=inquiry)
    inquiry.refresh_from_db()
    assert (inquiry.first_responder, inquiry.responsible, inquiry.status) == (
        officer,
        colleague,
        InquiryStatus.OPEN,
    )
    with pytest.raises(PermissionDenied):
        services.inquiry_answer(actor=officer, inquiry=inquiry, answer="x")
    services.inquiry_answer(actor=colleague, inquiry=inquiry, answer="已解答")
    inquiry.refresh_from_db()
    assert inquiry.status == InquiryStatus.ANSWERED


# --- public progress and fee facts ------------------------------------------------------------------------


def test_progress_needs_the_right_phone_digits(pinned, accepted_case):
    case = accepted_case("HZ02")
    view = selectors.case_progress(number=case.number.lower(), phone_last4="5678")
    assert view == selectors.ProgressView(
        number=case.number,
        item_name="居民身份证到期换领/变更换领",
        status="accepted",
        status_label="审核中",
        deadline=date(2026, 10, 14),
        applicant_name_masked="王*国",
        center_name=case.center.name,
        center_phone=case.center.phone,
    )
    assert selectors.case_progress(number=case.number, phone_last4="5679") is None
    assert selectors.case_progress(number="TG-20260929-0999", phone_last4="5678") is None
    assert selectors.case_progress(number=case.number, phone_last4="") is None


def test_fee_facts(pinned, new_case, officer, make_staff, other_center):
    case = new_case("HZ02", declared={"student": True}, groups=["low_income"])
    facts = selectors.case_fee_facts(case_number=case.number, user=officer)
    assert facts == selectors.CaseFeeFacts(
        id=case.pk,
        number=case.number,
        center_id=case.center_id,
        item_code="HZ02",
        fee_variant=None,
        applicant_id_number=ADULT_ID,
        applicant_name=ADULT_NAME,
        applicant_gender="male",
        groups=["low_income", "student"],
        status="pre_review",
    )
    stranger = make_staff(Role.OFFICER, center_=other_center)
    assert selectors.case_fee_facts(case_number=case.number, user=stranger) is None


def test_fee_facts_read_of_the_id_number_is_audited(pinned, new_case, officer, leader):
    case = new_case("HZ02")
    before = audit_entry_search(user=leader, action="case_viewed").count()
    selectors.case_fee_facts(case_number=case.number, user=officer)
    entries = list(audit_entry_search(user=leader, action="case_viewed"))
    assert len(entries) == before + 1
    assert (entries[0].actor_id, entries[0].after["read"]) == (officer.pk, "fee_facts")


def test_sms_failure_never_undoes_the_notice(
    pinned, new_case, officer, django_capture_on_commit_callbacks
):
    # no approved SMS templates in this database: notifications refuses to queue the copy
    case = new_case("HZ02")
    services.case_pre_review(
        actor=officer,
        case=case,
        results={"old_id_card": "provided", "household_register": "provided", "photo": "missing"},
    )
    with django_capture_on_commit_callbacks(execute=True):
        notice = services.case_issue_missing_notice(actor=officer, case=case)
    notice.refresh_from_db()
    assert notice.sms_queued is False
    case.refresh_from_db()
    assert case.status == CaseStatus.AWAITING_SUPPLEMENT


def test_a_called_ticket_opens_the_inquiry_and_links_the_case(pinned, setup, officer):
    from bianmin.hall.enums import IssueChannel
    from bianmin.hall.services import ticket_issue

    ticket = ticket_issue(actor=None, center=setup, item_codes=["HZ02"], channel=IssueChannel.KIOSK)
    case = services.case_create(
        actor=officer, item_code="HZ02", applicant=applicant(), ticket_id=str(ticket.pk)
    )
    inquiry = case.inquiry
    assert (inquiry.ticket_id, inquiry.ticket_number, inquiry.item.code) == (
        str(ticket.pk),
        ticket.number,
        "HZ02",
    )
    assert (inquiry.first_responder, inquiry.responsible) == (officer, officer)
    assert selectors.case_for_inquiry(inquiry=inquiry) == case
    # the same ticket does not open a second inquiry
    assert services.inquiry_open(actor=officer, ticket_id=str(ticket.pk)) == inquiry
    with pytest.raises(NotFound) as exc:
        services.inquiry_open(actor=officer, ticket_id="no-such-ticket")
    assert exc.value.message == "没有找到这张号票"


def test_appointment_served_on_a_holiday_is_marked(setup, officer, director):
    from datetime import date, time

    from bianmin.accounts.services import HoursInput, center_day_hours_set
    from bianmin.hall.enums import IssueChannel
    from bianmin.hall.services import ticket_issue

    # 节假日预约: the director opens the holiday for booked visits
    center_day_hours_set(
        actor=director,
        center=setup,
        day=date(2026, 10, 3),
        hours=HoursInput(is_open=True, opens_at=time(8, 30), closes_at=time(17, 30)),
        note="节假日预约",
    )
    with time_machine.travel(at(2026, 10, 3), tick=False):  # National Day holiday
        ticket = ticket_issue(
            actor=None,
            center=setup,
            item_codes=["HZ02"],
            channel=IssueChannel.KIOSK,
            priority="appointment",
            priority_verified=True,  # checked in with a real booking
        )
        case = services.case_create(
            actor=officer,
            item_code="HZ02",
            applicant=applicant(),
            ticket_id=str(ticket.pk),
            is_standby_24h=True,
        )
    assert (case.is_holiday_appointment, case.is_standby_24h) == (True, True)
    assert selectors.case_flagged_list(center_id=setup.pk) == [case]
