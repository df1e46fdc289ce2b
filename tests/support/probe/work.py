"""The probe's work: count one run for `token` and note the process that ran it."""

from __future__ import annotations

import os

from django.core.cache import cache

SECONDS = 600


def runs_key(token: str) -> str:
    return f"probe:runs:{token}"


def pid_key(token: str) -> str:
    return f"probe:pid:{token}"


def probe_run(token: str) -> None:
    cache.add(runs_key(token), 0, SECONDS)
    cache.incr(runs_key(token))
    cache.set(pid_key(token), os.getpid(), SECONDS)
