"""Payments: exactly once, the ledger posted in the same transaction, snapshots, bad input."""

import pytest

from bianmin.audit.selectors import audit_entry_search
from bianmin.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from bianmin.fees.models import Payment, SavingsEntry, WaiverPolicy
from bianmin.fees.quoting import PolicyRule
from bianmin.fees.selectors import fee_quote, savings_total_fen
from bianmin.fees.services import (
    Payer,
    payment_collect,
    payment_collect_for_case,
    policy_save,
)

KEY = "k" * 32


def collect(officer, item="HZ02", key=KEY, method="cash", **kwargs):
    payer = kwargs.pop("payer", Payer(name="李四"))
    return payment_collect(
        actor=officer, item_code=item, method=method, idempotency_key=key, payer=payer, **kwargs
    )


def test_a_charged_renewal_is_recorded_with_its_receipt(policies, pinned, officer):
    payment, created = collect(officer, window_code="w03")

    assert created
    assert (payment.standard_fen, payment.waived_fen, payment.payable_fen) == (2000, 0, 2000)
    assert (payment.method, payment.window_code, payment.on_date.isoformat()) == (
        "cash",
        "W03",
        "2026-07-15",
    )
    assert payment.receipt_number == f"SF20260715{payment.pk:06d}"
    assert payment.explanation == ["标准工本费：居民身份证到期换领/变更换领 20 元", "应收 20 元"]
    entries = audit_entry_search(user=officer, action="fee_collected", text=str(payment.pk))
    assert [(e.target_type, e.after["payable_fen"]) for e in entries] == [("fees.payment", 2000)]
    assert SavingsEntry.objects.count() == 0


def test_a_free_temporary_card_is_recorded_as_zero_and_posts_the_saving(policies, pinned, officer):
    payment, _ = collect(officer, item="HZ04", method="wechat")

    assert (payment.payable_fen, payment.waived_fen, payment.method) == (0, 1000, "none")
    entry = SavingsEntry.objects.get()
    assert (entry.payment_id, entry.policy_code, entry.waived_fen, entry.item_code) == (
        payment.pk,
        "FREE-HOUSEHOLD",
        1000,
        "HZ04",
    )
    assert payment.lines[0]["explanation"].startswith(
        "全免 10 元：免费户籍窗口（本中心免费户籍窗口"
    )


def test_a_double_click_returns_the_first_payment(policies, pinned, officer):
    first, created_first = collect(officer)
    again, created_again = collect(officer)

    assert (created_first, created_again) == (True, False)
    assert again.pk == first.pk
    assert Payment.objects.count() == 1


def test_a_case_fee_is_charged_once_whatever_the_key(
    policies, pinned, officer, make_case, id_of_age
):
    number = id_of_age(30)
    case = make_case(id_number=number)
    payer = Payer(name="王小明", gender="male", id_type="resident_id", id_number=number)
    payment_collect_for_case(
        actor=officer,
        case_number=case.number,
        method="cash",
        idempotency_key="a" * 32,
        payer=payer,
    )

    with pytest.raises(Conflict) as caught:
        payment_collect_for_case(
            actor=officer,
            case_number=case.number,
            method="cash",
            idempotency_key="b" * 32,
            payer=payer,
        )

    assert caught.value.code == "already_paid"
    assert caught.value.message.startswith(f"办件 {case.number} 的工本费已于 2026-07-15 10:00 收取")
    assert Payment.objects.count() == 1


def test_a_student_renews_for_free_during_the_campaign(
    summer, pinned, officer, make_case, id_of_age
):
    number = id_of_age(15)
    case = make_case(id_number=number, groups=("student",))

    payment, _ = payment_collect_for_case(
        actor=officer,
        case_number=case.number,
        method="",
        idempotency_key=KEY,
        payer=Payer(name="王小明", gender="male", id_type="resident_id", id_number=number),
        evidence={"student": "潼关中学学生证 2024031"},
        stage="pickup",
    )

    assert (payment.payable_fen, payment.method, payment.campaign_id) == (0, "none", summer.pk)
    assert (payment.case_id, payment.case_number, payment.stage, payment.payer_id_masked) == (
        case.pk,
        case.number,
        "pickup",
        number[:6] + "********" + number[-4:],
    )
    assert [line["policy_code"] for line in payment.lines] == ["STUDENT-HOLIDAY"]
    assert SavingsEntry.objects.get().campaign_id == summer.pk


def test_the_confirmation_at_payment_blocks_a_mismatch(
    policies, pinned, officer, make_case, id_of_age
):
    case = make_case(id_number=id_of_age(30))

    with pytest.raises(DomainError) as caught:
        payment_collect_for_case(
            actor=officer,
            case_number=case.number,
            method="cash",
            idempotency_key=KEY,
            payer=Payer(
                name="王小名", gender="female", id_type="resident_id", id_number=id_of_age(30)
            ),
        )

    assert caught.value.message.startswith("申请人确认的姓名、性别与登记信息不一致")
    assert Payment.objects.count() == 0


def test_a_failed_charge_leaves_no_confirmation_behind(
    policies, pinned, officer, make_case, id_of_age
):
    """19.5: the applicant's confirmation and the charge are one transaction."""
    from bianmin.cases.models import CaseConfirmation

    number = id_of_age(40)
    case = make_case(id_number=number, groups=("dibao",))
    confirmations = CaseConfirmation.objects.filter(case=case).count()

    with pytest.raises(DomainError) as caught:  # the ticked group has no evidence
        payment_collect_for_case(
            actor=officer,
            case_number=case.number,
            method="cash",
            idempotency_key=KEY,
            payer=Payer(name="王小明", gender="male", id_type="resident_id", id_number=number),
        )

    assert caught.value.code == "evidence_required"
    assert CaseConfirmation.objects.filter(case=case).count() == confirmations
    assert Payment.objects.count() == 0


def test_an_unknown_case_is_a_404(policies, pinned, officer):
    with pytest.raises(NotFound):
        payment_collect_for_case(
            actor=officer,
            case_number="NOPE",
            method="cash",
            idempotency_key=KEY,
            payer=Payer(name="王小明"),
        )


def test_a_waiver_group_needs_its_evidence(policies, pinned, officer):
    with pytest.raises(DomainError) as caught:
        collect(officer, groups=["dibao"], evidence={"dibao": "  "})

    assert (caught.value.code, caught.value.message) == (
        "evidence_required",
        "请登记城市低保的证明材料（如证件名称和编号），未登记证明不能减免",
    )
    assert Payment.objects.count() == 0


def test_low_income_with_evidence_is_free_and_the_evidence_is_kept(policies, pinned, officer):
    payment, _ = collect(
        officer, item="HZ03", groups=["dibao"], evidence={"dibao": "低保证 渭民0012"}
    )

    assert (payment.payable_fen, payment.evidence) == (0, {"dibao": "低保证 渭民0012"})
    assert "符合条件：城市低保（证明：低保证 渭民0012）" in payment.lines[0]["explanation"]


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"method": "bitcoin"}, "invalid_method"),
        ({"method": ""}, "invalid_method"),
        ({"key": "short"}, "invalid_idempotency_key"),
        ({"item": "ZZ01"}, "unknown_item"),
        ({"variant_code": "x"}, "unknown_variant"),
        ({"window_code": "窗口三"}, "invalid_window"),
        ({"groups": ["vip"]}, "unknown_group"),
        ({"payer": Payer(name=" ")}, "payer_required"),
        ({"payer": Payer(name="李四", id_number="610522199001011234")}, "invalid_id_number"),
    ],
)
def test_bad_input_changes_nothing(policies, pinned, officer, kwargs, code):
    with pytest.raises(DomainError) as caught:
        collect(officer, **kwargs)

    assert caught.value.code == code
    assert Payment.objects.count() == 0


def test_only_window_roles_collect(policies, pinned, director):
    with pytest.raises(PermissionDenied):
        collect(director)

    assert Payment.objects.count() == 0


def test_a_policy_change_never_alters_a_fee_already_charged(
    policies, pinned, officer, province_admin, center
):
    before, _ = collect(officer, item="HZ04")
    free_household = WaiverPolicy.objects.get(code="FREE-HOUSEHOLD")
    policy_save(
        actor=province_admin,
        policy=free_household,
        reason="试点结束",
        data=PolicyRule(
            code=free_household.code,
            name=free_household.name,
            reason=free_household.reason,
            targets=free_household.targets,
            valid_from=free_household.valid_from,
            precedence=10,
            is_active=False,
        ),
    )

    before.refresh_from_db()
    assert (before.payable_fen, before.waived_fen, len(before.lines)) == (0, 1000, 1)
    assert savings_total_fen(center_id=center.pk) == 1000
    assert (
        fee_quote(center_id=center.pk, item_code="HZ04", on_date=before.on_date).payable_fen == 1000
    )


def test_the_ledger_equals_the_sum_of_waivers(summer, pinned, officer, center, id_of_age):
    collect(officer, item="HZ04", key="a" * 32)
    collect(officer, item="HZ10", key="b" * 32)
    collect(
        officer,
        item="HZ02",
        key="c" * 32,
        payer=Payer(name="学生", id_number=id_of_age(12)),
        groups=["student"],
        evidence={"student": "学生证"},
    )
    collect(officer, item="HZ03", key="d" * 32, groups=["wubao"], evidence={"wubao": "供养证"})
    collect(officer, item="CR01", key="e" * 32)

    waived = sum(Payment.objects.values_list("waived_fen", flat=True))
    assert waived == 1000 + 800 + 2000 + 4000
    assert savings_total_fen(center_id=center.pk) == waived
    assert sum(SavingsEntry.objects.values_list("waived_fen", flat=True)) == waived
