"""The fee quote (收费计算): standard fee, every applicable waiver (减免) and the payable amount.

Pure code: no database, no clock. The service layer turns models into the frozen rules below,
so the same function answers the window, the API, the receipt and the property tests.

Money is integer fen throughout. Policies apply in precedence order (lower first), each waiving
at most what is still payable, so together they never waive more than the standard fee.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from bianmin.fees.enums import Group, WaiverKind

__all__ = [
    "CampaignRule",
    "Facts",
    "ItemFee",
    "PolicyRule",
    "Quote",
    "QuoteLine",
    "fen_to_yuan",
    "fmt_date",
    "fmt_yuan",
    "quote",
    "target_matches",
    "window_label",
]


def fmt_yuan(fen: int) -> str:
    """20 元, 10.50 元: exact, from integer fen."""
    sign = "-" if fen < 0 else ""
    fen = abs(fen)
    yuan, cents = divmod(fen, 100)
    return f"{sign}{yuan} 元" if cents == 0 else f"{sign}{yuan}.{cents:02d} 元"


def fen_to_yuan(fen: int) -> int | float:
    """A JSON number for `fen`: an int for whole yuan, else the two-decimal value.

    `float(fen) / 100` is the closest double to the decimal, and JSON prints the shortest repr,
    so 1050 fen is written as 10.5, never 10.499999.
    """
    return fen // 100 if fen % 100 == 0 else fen / 100


def window_label(code: str) -> str:
    """How people name a window: "W03" → "3号窗口"; a code of another shape is shown as is."""
    match = re.fullmatch(r"[A-Z]{1,2}0*(\d{1,3})", (code or "").strip().upper())
    if match is None:
        return code or ""
    return f"{int(match.group(1))}号窗口"


def fmt_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _ordered(groups: Iterable[str]) -> list[str]:
    """Groups in the enum's order (五保户, 贫困户 … as the regulation lists them)."""
    order = {value: i for i, value in enumerate(Group.values)}
    return sorted(groups, key=lambda g: (order.get(g, len(order)), g))


def _group_label(code: str) -> str:
    try:
        return str(Group(code).label)
    except ValueError:
        return code


@dataclass(frozen=True)
class ItemFee:
    """The standard fee of an item (and variant) as the catalogue states it today."""

    code: str
    name: str
    standard_fen: int
    variant_code: str = ""
    variant_name: str = ""

    @property
    def label(self) -> str:
        return f"{self.name}（{self.variant_name}）" if self.variant_name else self.name


@dataclass(frozen=True)
class PolicyRule:
    """A waiver policy as data (减免政策). Eligibility conditions all have to hold.

    The one shape of a policy outside the database: the quote reads it, and the director's
    edit is validated and saved from it (`policy_save(data=PolicyRule(...))`).

    `targets`: "HZ04" covers every variant of HZ04, "CR03/single" only that variant.
    `groups_any`: the applicant belongs to at least one (empty: no group needed).
    `requires_campaign`: only during a campaign that names this policy, for the campaign's
    items and the campaign's eligibility (age range, students).
    """

    code: str
    name: str
    targets: tuple[str, ...]
    reason: str = ""
    valid_from: date | None = None
    valid_until: date | None = None
    groups_any: frozenset[str] = frozenset()
    requires_evidence: bool = False
    min_age: int | None = None
    max_age: int | None = None
    requires_student: bool = False
    requires_campaign: bool = False
    kind: str = WaiverKind.FULL
    percent: int = 100
    amount_fen: int = 0
    precedence: int = 100
    note: str = ""
    is_active: bool = True
    policy_id: int | None = None


@dataclass(frozen=True)
class CampaignRule:
    """A director-defined campaign period (e.g. 暑期中小学生免费办证)."""

    name: str
    starts_on: date
    ends_on: date
    policy_code: str
    item_codes: frozenset[str]
    min_age: int | None = None
    max_age: int | None = None
    requires_student: bool = True
    campaign_id: int | None = None

    def covers(self, on: date, item_code: str) -> bool:
        return self.starts_on <= on <= self.ends_on and item_code in self.item_codes


@dataclass(frozen=True)
class Facts:
    """What is known about the applicant.

    `evidence` maps a group to the evidence recorded for it (低保证号 …). None means the quote
    is an estimate (the API, the panel before payment): groups count as claimed. At payment the
    service passes the recorded evidence, and groups without evidence no longer count for
    policies that require evidence.
    """

    age: int | None = None
    groups: frozenset[str] = frozenset()
    evidence: Mapping[str, str] | None = None


@dataclass(frozen=True)
class QuoteLine:
    policy_code: str
    policy_name: str
    waived_fen: int
    explanation: str
    policy_id: int | None = None
    campaign_id: int | None = None


@dataclass(frozen=True)
class Quote:
    item: ItemFee
    on_date: date
    standard_fen: int
    lines: tuple[QuoteLine, ...]
    notes: tuple[str, ...] = ()
    campaign_id: int | None = None  # the applicant took part in this campaign
    campaign_name: str = ""

    @property
    def waived_fen(self) -> int:
        return sum(line.waived_fen for line in self.lines)

    @property
    def payable_fen(self) -> int:
        return self.standard_fen - self.waived_fen

    @property
    def is_free(self) -> bool:
        return self.payable_fen == 0

    @property
    def explanation(self) -> list[str]:
        """One Chinese sentence per line: the standard fee, each waiver, the payable amount."""
        out = [f"标准工本费：{self.item.label} {fmt_yuan(self.standard_fen)}"]
        out += [line.explanation for line in self.lines]
        if self.standard_fen == 0:
            out.append("应收 0 元（本事项不收取工本费）")
        elif self.payable_fen == 0:
            out.append("应收 0 元（免费）")
        else:
            out.append(f"应收 {fmt_yuan(self.payable_fen)}")
        return out


def target_matches(target: str, item_code: str, variant_code: str) -> bool:
    code, _, variant = target.strip().upper().partition("/")
    if code != item_code.upper():
        return False
    return not variant or variant.lower() == variant_code.lower()


def _period_text(rule: PolicyRule) -> str:
    if rule.valid_from and rule.valid_until:
        return f"{fmt_date(rule.valid_from)}至{fmt_date(rule.valid_until)}"
    if rule.valid_from:
        return f"自{fmt_date(rule.valid_from)}起"
    if rule.valid_until:
        return f"至{fmt_date(rule.valid_until)}止"
    return "长期有效"


def _age_text(min_age: int | None, max_age: int | None) -> str:
    if min_age is not None and max_age is not None:
        return f"{min_age}至{max_age}周岁"
    if min_age is not None:
        return f"{min_age}周岁以上"
    return f"{max_age}周岁以下"


def _age_ok(age: int | None, min_age: int | None, max_age: int | None) -> bool:
    if min_age is None and max_age is None:
        return True
    if age is None:
        return False
    return (min_age is None or age >= min_age) and (max_age is None or age <= max_age)


def _eligibility(
    rule: PolicyRule, item: ItemFee, on: date, facts: Facts, campaigns: Iterable[CampaignRule]
) -> tuple[str | None, str, CampaignRule | None]:
    """(why not, what qualified, campaign): `why not` is None when the rule applies."""
    reasons: list[str] = []
    if rule.groups_any:
        matched = _ordered(facts.groups & rule.groups_any)
        if not matched:
            wanted = "、".join(_group_label(g) for g in _ordered(rule.groups_any))
            return f"须属于{wanted}之一", "", None
        if rule.requires_evidence and facts.evidence is not None:
            proven = [g for g in matched if (facts.evidence.get(g) or "").strip()]
            if not proven:
                return "未登记证明材料", "", None
            matched = proven
        label = "、".join(_group_label(g) for g in matched)
        if rule.requires_evidence and facts.evidence is not None:
            proofs = "；".join(facts.evidence[g].strip() for g in matched)
            reasons.append(f"{label}（证明：{proofs}）")
        elif rule.requires_evidence:
            reasons.append(f"{label}（须查验并登记证明材料）")
        else:
            reasons.append(label)
    if rule.min_age is not None or rule.max_age is not None:
        if facts.age is None:
            return "未提供身份证号码，无法确定年龄", "", None
        if not _age_ok(facts.age, rule.min_age, rule.max_age):
            return (
                f"年龄{facts.age}周岁，不在{_age_text(rule.min_age, rule.max_age)}范围内",
                "",
                None,
            )
        reasons.append(f"{facts.age}周岁")
    if rule.requires_student and Group.STUDENT not in facts.groups:
        return "须为在校中小学生", "", None
    if rule.requires_student:
        reasons.append("在校中小学生")
    campaign = None
    if rule.requires_campaign:
        running = [c for c in campaigns if c.policy_code == rule.code and c.covers(on, item.code)]
        if not running:
            return "当前没有适用的活动", "", None
        why_not = ""
        for candidate in sorted(running, key=lambda c: (c.starts_on, c.name)):
            why_not = _campaign_why_not(candidate, facts) or ""
            if not why_not:
                campaign = candidate
                break
        if campaign is None:
            return why_not, "", None
        extra = [f"{campaign.name}（{fmt_date(campaign.starts_on)}至{fmt_date(campaign.ends_on)}）"]
        if campaign.requires_student and "在校中小学生" not in reasons:
            extra.append("在校中小学生")
        if campaign.min_age is not None or campaign.max_age is not None:
            extra.append(f"{facts.age}周岁")
        reasons += extra
    return None, "，".join(reasons), campaign


def _campaign_why_not(campaign: CampaignRule, facts: Facts) -> str | None:
    """Why the applicant does not qualify for the campaign, or None when they do."""
    if campaign.requires_student and Group.STUDENT not in facts.groups:
        return f"{campaign.name}：须为在校中小学生"
    if not _age_ok(facts.age, campaign.min_age, campaign.max_age):
        if facts.age is None:
            return f"{campaign.name}：未提供身份证号码，无法确定年龄"
        return (
            f"{campaign.name}：年龄{facts.age}周岁，不在"
            f"{_age_text(campaign.min_age, campaign.max_age)}范围内"
        )
    return None


def _amount(rule: PolicyRule, standard_fen: int, remaining: int) -> int:
    if rule.kind == WaiverKind.PERCENT:
        wanted = standard_fen * max(0, min(rule.percent, 100)) // 100
    elif rule.kind == WaiverKind.AMOUNT:
        wanted = max(0, rule.amount_fen)
    else:
        wanted = remaining
    return max(0, min(wanted, remaining))


def quote(
    *,
    item: ItemFee,
    on_date: date,
    facts: Facts,
    policies: Iterable[PolicyRule],
    campaigns: Iterable[CampaignRule] = (),
) -> Quote:
    """Apply every policy that covers the item on `on_date` and fits the applicant's facts."""
    if item.standard_fen < 0:
        raise ValueError("a standard fee cannot be negative")
    campaigns = tuple(campaigns)
    remaining = item.standard_fen
    lines: list[QuoteLine] = []
    notes: list[str] = []
    took_part: CampaignRule | None = None
    for rule in sorted(policies, key=lambda r: (r.precedence, r.code)):
        if not any(target_matches(t, item.code, item.variant_code) for t in rule.targets):
            continue
        if (rule.valid_from and on_date < rule.valid_from) or (
            rule.valid_until and on_date > rule.valid_until
        ):
            notes.append(f"{rule.name}：不在政策有效期内（{_period_text(rule)}）")
            continue
        why_not, qualified, campaign = _eligibility(rule, item, on_date, facts, campaigns)
        if why_not is not None:
            notes.append(f"{rule.name}：不适用，{why_not}")
            continue
        if campaign is not None and took_part is None:
            took_part = campaign
        if item.standard_fen == 0:
            continue
        amount = _amount(rule, item.standard_fen, remaining)
        if amount == 0:
            notes.append(f"{rule.name}：同样适用，但费用已全部减免")
            continue
        remaining -= amount
        what = "全免" if amount == item.standard_fen else "减免"
        basis = rule.reason.strip() or rule.name
        text = f"{what} {fmt_yuan(amount)}：{rule.name}（{basis}；{_period_text(rule)}"
        text += f"；符合条件：{qualified}）" if qualified else "）"
        lines.append(
            QuoteLine(
                policy_code=rule.code,
                policy_name=rule.name,
                waived_fen=amount,
                explanation=text,
                policy_id=rule.policy_id,
                campaign_id=campaign.campaign_id if campaign else None,
            )
        )
    if took_part is None:
        # Free-anyway items of a campaign (a first ID card) still count as campaign cases.
        took_part = next(
            (
                c
                for c in sorted(campaigns, key=lambda c: (c.starts_on, c.name))
                if c.covers(on_date, item.code) and _campaign_why_not(c, facts) is None
            ),
            None,
        )
    return Quote(
        item=item,
        on_date=on_date,
        standard_fen=item.standard_fen,
        lines=tuple(lines),
        notes=tuple(notes),
        campaign_id=took_part.campaign_id if took_part else None,
        campaign_name=took_part.name if took_part else "",
    )
