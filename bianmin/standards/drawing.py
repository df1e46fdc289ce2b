"""The verifiable 双随机 draw, as pure functions anyone can re-run.

- a list's hash is SM3 hex of its keys joined by newlines, in the published order;
- the commitment is SM3 hex of ``seed|objects_hash|inspectors_hash|conflicts_hash``, published
  with the lists before the draw; the seed stays secret until the run;
- the selection ranks candidates by SM3 hex of ``seed + "|" + key`` ascending and takes the first
  k; inspectors are ranked the same way and an inspector with a conflict with a drawn object is
  passed over (回避), so the next in rank is taken.

Only the standard library and SM3 (``hashlib.new("sm3")`` through core.crypto) are used, so the
README's recipe and ``manage.py verify_draw`` compute exactly this.
"""

import json
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bianmin.core.crypto import sm3_hex


def sm3_text(text: str) -> str:
    return sm3_hex(text.encode("utf-8"))


def list_hash(keys: Sequence[str]) -> str:
    return sm3_text("\n".join(keys))


def conflicts_hash(conflicts: Mapping[str, Sequence[str]]) -> str:
    canonical = {name: sorted(keys) for name, keys in sorted(conflicts.items()) if keys}
    return sm3_text(
        json.dumps(canonical, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    )


def new_seed() -> str:
    return secrets.token_hex(16)


def commitment_of(
    *, seed: str, objects_hash: str, inspectors_hash: str, conflicts_hash: str
) -> str:
    return sm3_text(f"{seed}|{objects_hash}|{inspectors_hash}|{conflicts_hash}")


def rank(seed: str, keys: Sequence[str]) -> list[str]:
    return sorted(keys, key=lambda key: (sm3_text(f"{seed}|{key}"), key))


@dataclass(frozen=True)
class Selection:
    objects: list[str]
    inspectors: list[str]
    passed_over: list[str]  # inspectors skipped for a conflict, in rank order


def select(
    *,
    seed: str,
    objects: Sequence[str],
    inspectors: Sequence[str],
    conflicts: Mapping[str, Sequence[str]],
    k: int,
    inspectors_k: int,
) -> Selection | None:
    """The draw. None when too few inspectors are free of conflicts with the drawn objects."""
    chosen = rank(seed, objects)[:k]
    drawn = set(chosen)
    team: list[str] = []
    skipped: list[str] = []
    for name in rank(seed, inspectors):
        if len(team) == inspectors_k:
            break
        if drawn & set(conflicts.get(name, ())):
            skipped.append(name)
        else:
            team.append(name)
    if len(team) < inspectors_k:
        return None
    return Selection(objects=chosen, inspectors=team, passed_over=skipped)
