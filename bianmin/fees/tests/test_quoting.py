"""The pure quote: the three reference policies row by row, and properties for any policy."""

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bianmin.fees.enums import Group, WaiverKind
from bianmin.fees.quoting import (
    CampaignRule,
    Facts,
    ItemFee,
    PolicyRule,
    fen_to_yuan,
    fmt_yuan,
    quote,
    target_matches,
)
from bianmin.fees.services import REFERENCE_POLICIES

RULES = [
    PolicyRule(
        code=row["code"],
        name=row["name"],
        reason=row["reason"],
        targets=tuple(row["targets"]),
        valid_from=row.get("valid_from"),
        groups_any=frozenset(row.get("groups_any", ())),
        requires_evidence=row.get("requires_evidence", False),
        requires_campaign=row.get("requires_campaign", False),
        precedence=row["precedence"],
        policy_id=i,
    )
    for i, row in enumerate(REFERENCE_POLICIES, start=1)
]
SUMMER = CampaignRule(
    name="暑期免费办证",
    starts_on=date(2026, 7, 1),
    ends_on=date(2026, 8, 31),
    policy_code="STUDENT-HOLIDAY",
    item_codes=frozenset({"HZ01", "HZ02", "HZ03"}),
    min_age=6,
    max_age=18,
    requires_student=True,
    campaign_id=7,
)
HZ = {
    "HZ02": ItemFee("HZ02", "居民身份证到期换领/变更换领", 2000),
    "HZ03": ItemFee("HZ03", "居民身份证丢失补领/损坏换领", 4000),
    "HZ04": ItemFee("HZ04", "临时居民身份证", 1000),
    "HZ07": ItemFee("HZ07", "户口迁入", 0),
    "HZ10": ItemFee("HZ10", "户口簿补领/换发", 800),
    "HZ12": ItemFee("HZ12", "居住证申领/签注", 300),  # a re-issue fee set by the director
    "CR01": ItemFee("CR01", "普通护照", 12000),
}
JULY = date(2026, 7, 15)
LOW = frozenset({Group.DIBAO})
STUDENT = frozenset({Group.STUDENT})


def q(code, *, on=JULY, age=30, groups=frozenset(), evidence=None, campaigns=(SUMMER,)):
    return quote(
        item=HZ[code],
        on_date=on,
        facts=Facts(age=age, groups=groups, evidence=evidence),
        policies=RULES,
        campaigns=campaigns,
    )


@pytest.mark.parametrize(
    ("code", "on", "age", "groups", "evidence", "payable", "policies"),
    [
        # FREE-HOUSEHOLD: from 2019-06-01, HZ04 / HZ10 / re-issues; HZ02, HZ03 stay charged
        ("HZ04", date(2019, 5, 31), 30, frozenset(), None, 1000, []),
        ("HZ04", date(2019, 6, 1), 30, frozenset(), None, 0, ["FREE-HOUSEHOLD"]),
        ("HZ10", date(2019, 5, 31), 30, frozenset(), None, 800, []),
        ("HZ10", date(2019, 6, 1), 30, frozenset(), None, 0, ["FREE-HOUSEHOLD"]),
        ("HZ12", JULY, 30, frozenset(), None, 0, ["FREE-HOUSEHOLD"]),
        ("HZ07", JULY, 30, frozenset(), None, 0, []),
        ("HZ02", JULY, 30, frozenset(), None, 2000, []),
        ("HZ03", JULY, 30, frozenset(), None, 4000, []),
        ("CR01", JULY, 30, LOW, None, 12000, []),
        # LOW-INCOME: HZ02 and HZ03, for the five groups (and the umbrella), with evidence
        ("HZ02", JULY, 40, LOW, None, 0, ["LOW-INCOME"]),
        ("HZ03", JULY, 40, frozenset({Group.WUBAO}), None, 0, ["LOW-INCOME"]),
        ("HZ02", JULY, 40, frozenset({Group.YOUFU}), {"youfu": "优抚证 123"}, 0, ["LOW-INCOME"]),
        ("HZ02", JULY, 40, LOW, {}, 2000, []),  # at payment without evidence: no waiver
        (
            "HZ02",
            JULY,
            40,
            frozenset({Group.POVERTY}),
            {"poverty": "扶贫手册 9"},
            0,
            ["LOW-INCOME"],
        ),
        ("HZ02", JULY, 40, frozenset({Group.RELIEF}), None, 0, ["LOW-INCOME"]),
        ("HZ02", JULY, 40, frozenset({Group.LOW_INCOME}), None, 0, ["LOW-INCOME"]),
        # STUDENT-HOLIDAY: only during the campaign, students 6..18, the campaign's items
        ("HZ02", JULY, 15, STUDENT, None, 0, ["STUDENT-HOLIDAY"]),
        ("HZ03", JULY, 6, STUDENT, None, 0, ["STUDENT-HOLIDAY"]),
        ("HZ03", JULY, 18, STUDENT, None, 0, ["STUDENT-HOLIDAY"]),
        ("HZ02", JULY, 19, STUDENT, None, 2000, []),
        ("HZ02", JULY, 5, STUDENT, None, 2000, []),
        ("HZ02", JULY, 15, frozenset(), None, 2000, []),
        ("HZ02", date(2026, 6, 30), 15, STUDENT, None, 2000, []),
        ("HZ02", date(2026, 9, 1), 15, STUDENT, None, 2000, []),
        ("HZ02", date(2026, 8, 31), 15, STUDENT, None, 0, ["STUDENT-HOLIDAY"]),
        ("HZ02", JULY, None, STUDENT, None, 2000, []),  # no ID number: age unknown
        # precedence: a low-income student is waived by LOW-INCOME; nothing waived twice
        ("HZ02", JULY, 15, LOW | STUDENT, None, 0, ["LOW-INCOME"]),
    ],
)
def test_reference_policy_rows(code, on, age, groups, evidence, payable, policies):
    result = q(code, on=on, age=age, groups=groups, evidence=evidence)

    assert result.payable_fen == payable
    assert [line.policy_code for line in result.lines] == policies
    assert result.waived_fen + result.payable_fen == result.standard_fen == HZ[code].standard_fen


def test_a_student_in_the_campaign_is_counted_even_when_another_policy_waived_first():
    result = q("HZ02", age=15, groups=LOW | STUDENT)

    assert result.campaign_id == 7
    assert "中小学生假期免费办证：同样适用，但费用已全部减免" in result.notes


def test_a_first_card_in_the_campaign_counts_for_the_campaign_though_free_anyway():
    first_card = ItemFee("HZ01", "居民身份证首次申领", 0)

    student = quote(
        item=first_card,
        on_date=JULY,
        facts=Facts(age=16, groups=STUDENT),
        policies=RULES,
        campaigns=[SUMMER],
    )
    adult = quote(
        item=first_card,
        on_date=JULY,
        facts=Facts(age=30, groups=STUDENT),
        policies=RULES,
        campaigns=[SUMMER],
    )

    assert (student.campaign_id, student.lines, student.payable_fen) == (7, (), 0)
    assert adult.campaign_id is None


def test_the_explanation_names_standard_waiver_reason_and_payable():
    result = q("HZ02", age=15, groups=STUDENT)

    assert result.explanation == [
        "标准工本费：居民身份证到期换领/变更换领 20 元",
        "全免 20 元：中小学生假期免费办证（假期办证活动期间，在校中小学生换领、补领居民身份证免收"
        "工本费；长期有效；符合条件：暑期免费办证（2026年7月1日至2026年8月31日），在校中小学生，"
        "15周岁）",
        "应收 0 元（免费）",
    ]


def test_the_explanation_of_an_evidenced_waiver_quotes_the_evidence():
    result = q("HZ03", groups=LOW, evidence={"dibao": "低保证 渭民字0012"})

    assert result.lines[0].explanation.endswith("符合条件：城市低保（证明：低保证 渭民字0012））")


def test_why_a_policy_did_not_apply_is_explained():
    result = q("HZ02", age=25, groups=STUDENT)

    assert result.notes == (
        "特困群体减免：不适用，须属于特困群体、五保户、贫困户、定期救济户、城市低保、优抚对象之一",
        "中小学生假期免费办证：不适用，暑期免费办证：年龄25周岁，不在6至18周岁范围内",
    )


def test_a_free_item_says_so():
    result = q("HZ07")

    assert result.explanation[-1] == "应收 0 元（本事项不收取工本费）"
    assert result.lines == ()


def test_percent_and_amount_waivers_stack_by_precedence_and_stop_at_the_standard_fee():
    half = PolicyRule(
        code="HALF",
        name="减半",
        targets=("CR01",),
        kind=WaiverKind.PERCENT,
        percent=50,
        precedence=1,
        policy_id=10,
    )
    fixed = PolicyRule(
        code="FIXED",
        name="减80元",
        targets=("CR01",),
        kind=WaiverKind.AMOUNT,
        amount_fen=8000,
        precedence=2,
        policy_id=11,
    )
    result = quote(item=HZ["CR01"], on_date=JULY, facts=Facts(), policies=[fixed, half])

    assert [(line.policy_code, line.waived_fen) for line in result.lines] == [
        ("HALF", 6000),
        ("FIXED", 6000),
    ]
    assert result.payable_fen == 0


def test_a_variant_target_matches_only_that_variant():
    assert target_matches("CR03/single", "CR03", "single")
    assert not target_matches("CR03/single", "CR03", "multi_1y")
    assert target_matches("CR03", "CR03", "multi_1y")
    assert not target_matches("CR03", "CR04", "")


@pytest.mark.parametrize(
    ("fen", "text", "number"),
    [
        (0, "0 元", 0),
        (2000, "20 元", 20),
        (1050, "10.50 元", 10.5),
        (1, "0.01 元", 0.01),
        (1999, "19.99 元", 19.99),
        (24000, "240 元", 240),
    ],
)
def test_yuan_come_exactly_from_fen(fen, text, number):
    assert fmt_yuan(fen) == text
    assert fen_to_yuan(fen) == number
    assert repr(fen_to_yuan(fen)) == repr(number)


# --- properties -----------------------------------------------------------------------------

ITEM_CODES = ["HZ02", "CR03", "JG04"]
GROUPS = [g.value for g in Group]
days = st.dates(min_value=date(2019, 6, 1), max_value=date(2027, 12, 31))


@st.composite
def policy_rules(draw, index):
    start = draw(st.none() | days)
    end = draw(st.none() | days)
    min_age = draw(st.none() | st.integers(0, 100))
    max_age = draw(st.none() | st.integers(0, 100))
    return PolicyRule(
        code=f"P{index}",
        name=f"政策{index}",
        targets=tuple(
            draw(
                st.lists(
                    st.sampled_from(
                        [*ITEM_CODES, "CR03/single", "CR03/multi_1y", "JG04/motorcycle"]
                    ),
                    max_size=3,
                )
            )
        ),
        valid_from=start,
        valid_until=end,
        groups_any=frozenset(draw(st.lists(st.sampled_from(GROUPS), max_size=3))),
        requires_evidence=draw(st.booleans()),
        min_age=min_age,
        max_age=max_age,
        requires_student=draw(st.booleans()),
        requires_campaign=draw(st.booleans()),
        kind=draw(st.sampled_from(list(WaiverKind.values))),
        percent=draw(st.integers(0, 100)),
        amount_fen=draw(st.integers(0, 50_000)),
        precedence=draw(st.integers(0, 5)),
        policy_id=index,
    )


@st.composite
def scenarios(draw):
    n = draw(st.integers(0, 6))
    rules = [draw(policy_rules(i)) for i in range(n)]
    campaigns = []
    for i in range(draw(st.integers(0, 2))):
        start = draw(days)
        campaigns.append(
            CampaignRule(
                name=f"活动{i}",
                starts_on=start,
                ends_on=start + timedelta(days=draw(st.integers(0, 90))),
                policy_code=f"P{draw(st.integers(0, 5))}",
                item_codes=frozenset(draw(st.lists(st.sampled_from(ITEM_CODES), max_size=3))),
                min_age=draw(st.none() | st.integers(0, 20)),
                max_age=draw(st.none() | st.integers(0, 30)),
                requires_student=draw(st.booleans()),
                campaign_id=i,
            )
        )
    groups = frozenset(draw(st.lists(st.sampled_from(GROUPS), max_size=4)))
    evidence = draw(
        st.none() | st.dictionaries(st.sampled_from(GROUPS), st.sampled_from(["", "证 1"]))
    )
    item = ItemFee(
        code=draw(st.sampled_from(ITEM_CODES)),
        name="事项",
        standard_fen=draw(st.integers(0, 100_000)),
        variant_code=draw(st.sampled_from(["", "single", "multi_1y", "motorcycle"])),
    )
    facts = Facts(age=draw(st.none() | st.integers(0, 110)), groups=groups, evidence=evidence)
    return item, draw(days), facts, rules, campaigns


@settings(max_examples=200, deadline=None)
@given(scenarios())
def test_waived_plus_payable_is_the_standard_fee_and_nothing_is_negative(scenario):
    item, on, facts, rules, campaigns = scenario

    result = quote(item=item, on_date=on, facts=facts, policies=rules, campaigns=campaigns)

    assert result.waived_fen + result.payable_fen == item.standard_fen
    assert result.payable_fen >= 0
    assert all(line.waived_fen > 0 for line in result.lines)
    assert len({line.policy_code for line in result.lines}) == len(result.lines)
    assert len(result.explanation) == len(result.lines) + 2


@settings(max_examples=80, deadline=None)
@given(scenarios())
def test_the_quote_does_not_depend_on_the_order_policies_are_given_in(scenario):
    item, on, facts, rules, campaigns = scenario

    forward = quote(item=item, on_date=on, facts=facts, policies=rules, campaigns=campaigns)
    backward = quote(item=item, on_date=on, facts=facts, policies=rules[::-1], campaigns=campaigns)

    assert forward.lines == backward.lines
