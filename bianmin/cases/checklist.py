"""Pre-review as pure functions: the applicant's facts, which materials this case needs, whether
it may be accepted with gaps, and the one-time rule (一次性告知) for a later notice. No DB."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from bianmin.cases.enums import MaterialState
from bianmin.catalogue.conditions import is_required
from bianmin.people.idnumber import age_on

DECLARED_FACTS: dict[str, str] = {
    "guardian": "由监护人代为申请",
    "proxy": "委托他人代办",
    "lost": "证件遗失",
    "damaged": "证件损坏",
    "student": "在校中小学生",
    "organisation": "以单位名义申请",
}


@dataclass(frozen=True)
class MaterialSpec:
    code: str
    name: str
    requirement: str
    legal_basis: str
    required_when: str
    is_primary: bool
    sort_order: int = 0

    @classmethod
    def of(cls, material: Any) -> MaterialSpec:
        return cls(
            code=material.code,
            name=material.name,
            requirement=material.requirement,
            legal_basis=material.legal_basis,
            required_when=material.required_when,
            is_primary=material.is_primary,
            sort_order=material.sort_order,
        )


def applicant_facts(
    *, id_number: str, today: date, local_prefix: str, declared: Mapping[str, Any]
) -> dict[str, Any]:
    """Facts the conditions read: age and non_local from the ID number, the rest declared."""
    facts: dict[str, Any] = {key: bool(declared.get(key)) for key in DECLARED_FACTS}
    facts["age"] = age_on(id_number, today)
    facts["non_local"] = bool(local_prefix) and not id_number.startswith(local_prefix)
    return facts


def facts_summary(facts: Mapping[str, Any]) -> str:
    parts = [f"{facts.get('age')}周岁"] if facts.get("age") is not None else []
    if facts.get("non_local"):
        parts.append("非本地户籍")
    parts += [label for key, label in DECLARED_FACTS.items() if facts.get(key)]
    return "、".join(parts)


def required_codes(specs: Iterable[MaterialSpec], facts: Mapping[str, Any]) -> set[str]:
    return {s.code for s in specs if is_required(s.required_when, facts)}


def gaps_acceptable(specs: Iterable[MaterialSpec], states: Mapping[str, str]) -> bool:
    """容缺: every required primary material provided; only secondary ones missing/defective."""
    lacking = [
        s for s in specs if states.get(s.code, MaterialState.MISSING) != MaterialState.PROVIDED
    ]
    return bool(lacking) and all(not s.is_primary for s in lacking)


def later_notice_allowed_codes(
    *,
    specs: Iterable[MaterialSpec],
    first_codes: Iterable[str],
    first_facts: Mapping[str, Any],
    current_facts: Mapping[str, Any],
    facts_changed: bool,
) -> set[str]:
    """What a later notice may list: what the first one listed, plus, when the applicant's facts
    changed (and the change was recorded), materials that only the new facts require."""
    allowed = set(first_codes)
    if facts_changed:
        specs = list(specs)
        allowed |= required_codes(specs, current_facts) - required_codes(specs, first_facts)
    return allowed
