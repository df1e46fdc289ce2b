"""Which gateway sends, how fast, and when to switch to the second one.

* Instances are built from settings once per process (their HTTP connection pools are reused).
* Rate limit: a GCRA token bucket per gateway kept in ``GatewayState.tat``, so every worker
  process and thread draws from one bucket (row lock on PostgreSQL; SQLite serializes writers).
* Failover with damping (Notify PR #4257): only after ``FAILOVER_ERRORS`` consecutive errors
  within ``FAILOVER_WINDOW`` seconds does traffic move to ``SMS_GATEWAY_FALLBACK``, for
  ``FAILOVER_COOLDOWN`` seconds, and never more often than once per cooldown. A single error
  never switches.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from django.conf import settings
from django.db import transaction

from bianmin.notifications.clients import ConsoleSmsGateway, SmsGateway, create_gateway
from bianmin.notifications.models import GatewayState
from bianmin.notifications.pipeline import gcra_reserve

FAILOVER_ERRORS = 5
FAILOVER_WINDOW = 60.0
FAILOVER_COOLDOWN = 600.0
MAX_RATE_WAIT = 2.0

_instances: dict[str, SmsGateway] = {}
_lock = threading.Lock()


def _options(kind: str) -> dict[str, Any]:
    timeout = float(getattr(settings, "SMS_TIMEOUT_SECONDS", 10.0))
    if kind == "console":
        return {"path": settings.SMS_OUTBOX}
    if kind == "aliyun":
        conf = settings.SMS_ALIYUN
        return {
            "access_key_id": conf["access_key_id"],
            "access_key_secret": conf["access_key_secret"],
            "endpoint": conf["endpoint"],
            "timeout": timeout,
        }
    if kind == "tencent":
        conf = settings.SMS_TENCENT
        return {
            "secret_id": conf["secret_id"],
            "secret_key": conf["secret_key"],
            "sdk_app_id": conf["sdk_app_id"],
            "endpoint": conf["endpoint"],
            "timeout": timeout,
        }
    raise ValueError(f"unknown SMS gateway {kind!r}")


def gateway_get(kind: str) -> SmsGateway:
    """The process-wide instance of a gateway ("console", "aliyun", "tencent")."""
    with _lock:
        gateway = _instances.get(kind)
        if gateway is None:
            gateway = create_gateway(kind, **_options(kind))
            _instances[kind] = gateway
        return gateway


def gateways_reset() -> None:
    """Forget the instances (tests change settings between cases)."""
    with _lock:
        for gateway in _instances.values():
            close = getattr(gateway, "close", None)
            if callable(close):
                close()
        _instances.clear()


def primary_name() -> str:
    return str(settings.SMS_GATEWAY or "console")


def fallback_name() -> str:
    name = str(getattr(settings, "SMS_GATEWAY_FALLBACK", "") or "")
    return name if name and name != primary_name() else ""


def active_gateway() -> SmsGateway:
    """The primary gateway, or the fallback while a failover cooldown runs."""
    primary = primary_name()
    fallback = fallback_name()
    if fallback:
        until = (
            GatewayState.objects.filter(name=primary)
            .values_list("failover_until", flat=True)
            .first()
        )
        if until is not None and until > time.time():
            return gateway_get(fallback)
    return gateway_get(primary)


_known_states: set[str] = set()


def _state(name: str) -> GatewayState:
    if name not in _known_states:
        GatewayState.objects.get_or_create(name=name)
        _known_states.add(name)
    state = GatewayState.objects.select_for_update().filter(name=name).first()
    if state is None:  # deleted meanwhile (tests flush tables): create again
        state, _created = GatewayState.objects.get_or_create(name=name)
    return state


def rate_reserve(name: str, *, rate: float | None = None) -> float | None:
    """Reserve one send slot; returns seconds to wait first, or None when the bucket is more
    than ``MAX_RATE_WAIT`` seconds behind (the caller reschedules instead of blocking).

    Slots are evenly spaced (a burst of one): providers count sends in a sliding one-second
    window, and a bucket that let ``rate / 10`` sends through at once overran that window at
    the start of every batch (throttled sends, each retried 30 s later), which forced a 5 %
    margin below the provider's limit. Evenly spaced, ``SMS_RATE_PER_SECOND`` can be 98 % of
    the provider's QPS (the 2 % absorb up to ~20 ms of jitter between slot and arrival)."""
    per_second = float(rate) if rate else float(getattr(settings, "SMS_RATE_PER_SECOND", 50.0))
    # savepoint=False: the caller usually holds a transaction already (the claim's).
    with transaction.atomic(savepoint=False):
        state = _state(name)
        wait, tat = gcra_reserve(
            state.tat,
            time.time(),
            rate=per_second,
            burst=1.0,
            max_wait=MAX_RATE_WAIT,
        )
        if wait is not None:
            GatewayState.objects.filter(name=name).update(tat=tat)
    return wait


def gateway_report(name: str, *, ok: bool) -> bool:
    """Record a send outcome for failover; returns True when this call switched over."""
    if name != primary_name() or not fallback_name():
        return False
    now = time.time()
    if ok:
        GatewayState.objects.filter(name=name, consecutive_errors__gt=0).update(
            consecutive_errors=0, first_error_at=None
        )
        return False
    with transaction.atomic():
        state = _state(name)
        if state.first_error_at is None or now - state.first_error_at > FAILOVER_WINDOW:
            state.consecutive_errors = 0
            state.first_error_at = now
        state.consecutive_errors += 1
        switched = False
        recently = state.last_switch_at is not None and now - state.last_switch_at < (
            FAILOVER_COOLDOWN
        )
        if state.consecutive_errors >= FAILOVER_ERRORS and not recently:
            state.failover_until = now + FAILOVER_COOLDOWN
            state.last_switch_at = now
            state.consecutive_errors = 0
            state.first_error_at = None
            switched = True
        state.save()
    return switched


def is_console(gateway: SmsGateway) -> bool:
    return isinstance(gateway, ConsoleSmsGateway)
