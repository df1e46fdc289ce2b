"""Live pushes to the calling display (Channels groups), sent after the transaction commits."""

from __future__ import annotations

import logging
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

log = logging.getLogger(__name__)


def display_group(center_id: int) -> str:
    return f"hall_display_{center_id}"


def send_now(center_id: int, event: dict[str, Any]) -> None:
    """Push one event to every display of the center; a failed push never breaks a call."""
    try:
        layer = get_channel_layer()
        if layer is not None:
            async_to_sync(layer.group_send)(
                display_group(center_id), {"type": "hall.event", "event": event}
            )
    except Exception:
        log.warning("display push failed for center %s", center_id, exc_info=True)


def push_on_commit(center_id: int, event: dict[str, Any]) -> None:
    transaction.on_commit(lambda: send_now(center_id, event))
