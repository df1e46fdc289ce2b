"""Conditional materials: when a material is required, as data the director can read.

A material's `required_when` is one of the condition codes below (or "always"). The facts come
from the applicant (age from the ID number, whether a guardian applies, …). Pure code, no DB.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Condition:
    code: str
    label: str  # Chinese, shown next to the material

    def holds(self, facts: Mapping[str, Any]) -> bool:
        return _RULES[self.code](facts)


def _age(facts: Mapping[str, Any]) -> int | None:
    age = facts.get("age")
    return int(age) if age is not None else None


_RULES = {
    "always": lambda f: True,
    "under_16": lambda f: _age(f) is not None and _age(f) < 16,  # type: ignore[operator]
    "aged_16_plus": lambda f: _age(f) is not None and _age(f) >= 16,  # type: ignore[operator]
    "under_18": lambda f: _age(f) is not None and _age(f) < 18,  # type: ignore[operator]
    "non_local": lambda f: bool(f.get("non_local")),
    "proxy": lambda f: bool(f.get("proxy")),
    "guardian": lambda f: bool(f.get("guardian")) or (_age(f) is not None and _age(f) < 16),  # type: ignore[operator]
    "lost": lambda f: bool(f.get("lost")),
    "damaged": lambda f: bool(f.get("damaged")),
    "organisation": lambda f: bool(f.get("organisation")),
    "student": lambda f: bool(f.get("student")),
}

CONDITIONS: dict[str, Condition] = {
    c.code: c
    for c in [
        Condition("always", "必须提供"),
        Condition("under_16", "未满16周岁的申请人"),
        Condition("aged_16_plus", "年满16周岁的申请人"),
        Condition("under_18", "未满18周岁的申请人"),
        Condition("non_local", "非本地户籍申请人"),
        Condition("proxy", "委托他人代办时"),
        Condition("guardian", "由监护人代为申请时（未满16周岁必须）"),
        Condition("lost", "证件遗失时"),
        Condition("damaged", "证件损坏时"),
        Condition("organisation", "单位申请时"),
        Condition("student", "以学生身份申请减免时"),
    ]
}


def is_required(required_when: str, facts: Mapping[str, Any]) -> bool:
    return CONDITIONS[required_when].holds(facts)
