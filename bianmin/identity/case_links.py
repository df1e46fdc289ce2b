"""The case facts the identity context needs, supplied by the cases context.

Cases sits above identity (it reads confirmed face checks at pickup), so identity never
imports cases. Cases registers one look-up in its ``apps.ready()`` through
``bianmin.identity.services.case_lookup_register``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class CaseRef:
    """What identity knows of a case: its number and whether it is closed."""

    number: str
    is_closed: bool


#: ``(*, center_id: int, number: str) -> CaseRef | None`` (None: no such case in that center).
CaseLookup = Callable[..., CaseRef | None]

_lookup: list[CaseLookup] = []


def case_lookup_register(lookup: CaseLookup) -> None:
    """Called by the cases context's ``apps.ready()`` (again in tests to substitute)."""
    _lookup[:] = [lookup]


def case_ref(*, center_id: int, number: str) -> CaseRef | None:
    """The case in that center, or None when it does not exist (or cases registered nothing)."""
    if not _lookup or not number:
        return None
    return _lookup[0](center_id=center_id, number=number)


def case_lookup_available() -> bool:
    return bool(_lookup)
