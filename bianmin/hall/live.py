"""Live pushes (Channels groups), sent after the transaction commits; a failed push never
breaks a call.

Two groups per center:

* the calling display's (`display_group`): one event per call or window change, as today;
* the center's line (`line_group`): after each change of the line, ONE message carrying every
  waiting number's people ahead and estimated wait and the numbers being called, for the
  citizens' position pages, the hall board and the officers' workspaces. However many rows a
  transaction touches, the line is computed and sent once when it commits, not once per
  client: the line's version moves once per transaction (`selectors.hall_changed`), and that
  bump reads whether anybody follows the line in the same round trip, then calls
  `line_send_now` with what it read.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.db import transaction

from bianmin.core import push

log = logging.getLogger(__name__)


def display_group(center_id: int) -> str:
    return f"hall_display_{center_id}"


def line_group(center_id: int) -> str:
    return f"hall_line_{center_id}"


def send_now(center_id: int, event: dict[str, Any]) -> None:
    """Push one event to every display of the center; a failed push never breaks a call."""
    push.group_send(display_group(center_id), {"type": "hall.event", "event": event})


def push_on_commit(center_id: int, event: dict[str, Any]) -> None:
    transaction.on_commit(lambda: send_now(center_id, event))


# --- the center's line ------------------------------------------------------------------------


# Redis pub/sub cannot say whether anybody listens; the line hubs (consumers.py) say it in the
# cache instead: while a server process has sockets on a center's line, its hub renews this
# mark every third of its lifetime, so a change of a line nobody follows is not computed.
LISTENING_SECONDS = 90


def line_listening_key(center_id: int) -> str:
    return f"hall:line:listening:{center_id}"


def _nobody_listens(layer: Any, center_id: int, marked: Any) -> bool:
    """True when nobody can receive the center's line: the in-memory layer of a one-process
    server keeps its groups in a dict; otherwise no hub has marked the center as followed in
    the last LISTENING_SECONDS (`marked`: the mark at `line_listening_key`, as the line's
    version bump read it). Then the line (all waiting tickets) is not even computed."""
    if isinstance(layer, InMemoryChannelLayer):
        return not layer.groups.get(line_group(center_id))
    return not marked


def line_send_now(center_id: int, build: Callable[[int], str], marked: Any) -> None:
    """Compute the center's line message (`build`, JSON text) and send it to the line group,
    unless nobody follows it (`marked`, the center's listening mark read with the bump)."""
    try:
        layer = get_channel_layer(push.LIVE_LAYER)
        if layer is None:
            return
        if _nobody_listens(layer, center_id, marked):
            return
        text = build(center_id)
        push.group_send(line_group(center_id), {"type": "hall.line", "text": text})
    except Exception:
        log.warning("line push failed for center %s", center_id, exc_info=True)
