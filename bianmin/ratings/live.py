"""Pushes to the rating pads of one window (Channels group), sent after the commit."""

from __future__ import annotations

import re
from typing import Any

from django.db import transaction

from bianmin.core import push

#: The rating pad's device key (its own session: never a staff session).
COOKIE = "bianmin_rating_pad"


def pad_group(center_id: int, window_code: str) -> str:
    safe = re.sub(r"[^A-Za-z0-9_-]", "_", window_code)[:16]
    return f"rating_pad_{center_id}_{safe}"


def pad_send_now(center_id: int, window_code: str, event: dict[str, Any]) -> None:
    """A failed push never breaks the officer's 办结: the pad also polls."""
    push.group_send(pad_group(center_id, window_code), {"type": "pad.event", "event": event})


def pad_push_on_commit(center_id: int, window_code: str, event: dict[str, Any]) -> None:
    transaction.on_commit(lambda: pad_send_now(center_id, window_code, event))
