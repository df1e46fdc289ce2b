"""Pushes to the rating pads of one window (Channels group), sent after the commit."""

from __future__ import annotations

import logging
import re
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

log = logging.getLogger(__name__)

#: The rating pad's device key (its own session: never a staff session).
COOKIE = "bianmin_rating_pad"


def pad_group(center_id: int, window_code: str) -> str:
    safe = re.sub(r"[^A-Za-z0-9_-]", "_", window_code)[:16]
    return f"rating_pad_{center_id}_{safe}"


def pad_send_now(center_id: int, window_code: str, event: dict[str, Any]) -> None:
    """A failed push never breaks the officer's 办结: the pad also polls."""
    try:
        layer = get_channel_layer()
        if layer is not None:
            async_to_sync(layer.group_send)(
                pad_group(center_id, window_code), {"type": "pad.event", "event": event}
            )
    except Exception:
        log.warning("rating pad push failed for %s/%s", center_id, window_code, exc_info=True)


def pad_push_on_commit(center_id: int, window_code: str, event: dict[str, Any]) -> None:
    transaction.on_commit(lambda: pad_send_now(center_id, window_code, event))
