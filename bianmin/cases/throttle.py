"""Throttling of the public progress look-up (办理进度查询), per client address AND case number.

The rule (README, "Progress look-up"):
- Failures (unknown number or wrong phone digits; both answer the same 404) are counted per
  (client address, case number). After `PAIR_FREE_FAILURES` failures that pair is blocked,
  first for `FIRST_BLOCK_SECONDS`, doubling with every further failure up to
  `MAX_BLOCK_SECONDS`. While a pair is blocked every attempt on it answers 429, so the four
  digits of one case cannot be guessed.
- Other case numbers from the same address are not affected: a shared office behind one
  address (NAT, proxy) keeps working while one person mistypes or guesses.
- An address with more than `CLIENT_FAILURE_LIMIT` failures within `WINDOW_SECONDS` gets 429
  instead of 404 for further failures (which says nothing more than 404), but a correct pair
  still answers.
The client address is `core.client_ip` (X-Forwarded-For only from trusted proxies).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.core.cache import cache
from django.http import HttpRequest
from django.utils.translation import gettext as _

from bianmin.cases import selectors
from bianmin.cases.errors import CaseError
from bianmin.core.client_ip import client_ip
from bianmin.core.crypto import blind_index
from bianmin.core.errors import DomainError, NotFound
from bianmin.core.ratelimit import cache_hit

PAIR_FREE_FAILURES = 5
FIRST_BLOCK_SECONDS = 60
MAX_BLOCK_SECONDS = 3600
CLIENT_FAILURE_LIMIT = 30
WINDOW_SECONDS = 600

NOT_FOUND_MESSAGE = "没有找到该办件，请核对受理编号和手机号后四位"


@dataclass(frozen=True)
class PairState:
    failures: int = 0
    blocked_until: float = 0.0


def _pair_key(client: str, number: str) -> str:
    # the case number is hashed: the cache never holds what a citizen typed
    digest = blind_index(f"{client}|{number.strip().upper()}", purpose="progress_throttle")
    return f"cases:progress-pair:{digest}"


def _client_key(client: str) -> str:
    return f"cases:progress-client:{client}"


def block_seconds(failures: int) -> int:
    """0 while failures ≤ PAIR_FREE_FAILURES, then 60 s, 120 s, 240 s … capped at an hour."""
    extra = failures - PAIR_FREE_FAILURES
    if extra <= 0:
        return 0
    return int(min(MAX_BLOCK_SECONDS, FIRST_BLOCK_SECONDS * 2 ** (extra - 1)))


def _blocked_message(seconds: float) -> str:
    minutes = max(1, int((seconds + 59) // 60))
    return _("该受理编号查询失败次数过多，请%(m)d分钟后再试") % {"m": minutes}


def progress_lookup(
    *, request: HttpRequest, number: str, phone_last4: str
) -> selectors.ProgressView:
    """The progress of a case for the public, or DomainError (404 / 429), throttled as above."""
    client = client_ip(request)
    key = _pair_key(client, number)
    state: PairState = cache.get(key) or PairState()
    now = time.time()
    if state.blocked_until > now:
        raise DomainError(
            _blocked_message(state.blocked_until - now), code=CaseError.THROTTLED, status=429
        )
    view = selectors.case_progress(number=number, phone_last4=phone_last4)
    if view is not None:
        return view
    failures = state.failures + 1
    cache.set(
        key,
        PairState(failures=failures, blocked_until=now + block_seconds(failures)),
        MAX_BLOCK_SECONDS * 2,
    )
    client_key = _client_key(client)
    client_failures = cache_hit(client_key, WINDOW_SECONDS)
    if client_failures > CLIENT_FAILURE_LIMIT:
        raise DomainError(
            _("查询失败次数过多，请10分钟后再试"), code=CaseError.THROTTLED, status=429
        )
    raise NotFound(_(NOT_FOUND_MESSAGE), code=CaseError.NOT_FOUND)
