"""Domain events: a context announces what happened; the contexts above it react.

A context may import only the contexts below it (the `layers` contract). When a higher
context must act on a lower one's change — a rating offered after a ticket is finished, a
report figure kept current — the lower context defines a small frozen dataclass for the
event in its own `events.py` and publishes it; the higher context subscribes in its
`AppConfig.ready()`. The publisher never learns who listens.

Handlers run synchronously, inside the publisher's transaction: what they write commits or
rolls back with the change that caused it (nothing lost, nothing twice). A handler must
therefore be short and local — database writes only; anything slow or external (an SMS, a
PDF) goes through a queued task, which is itself written in the same transaction.
"""

from collections import defaultdict
from collections.abc import Callable
from typing import Any

_SUBSCRIBERS: defaultdict[type, list[Callable[[Any], None]]] = defaultdict(list)


def subscribe[E](event_type: type[E], handler: Callable[[E], None]) -> None:
    """Call `handler(event)` for every published event of exactly `event_type`.
    Subscribing the same handler twice (a second `ready()`) has no effect."""
    handlers = _SUBSCRIBERS[event_type]
    if handler not in handlers:
        handlers.append(handler)


def publish(event: object) -> None:
    """Hand `event` to its subscribers, in subscription order. An exception propagates to
    the publisher, whose transaction then rolls back."""
    for handler in tuple(_SUBSCRIBERS.get(type(event), ())):
        handler(event)


def subscribers(event_type: type) -> tuple[Callable[[Any], None], ...]:
    return tuple(_SUBSCRIBERS.get(event_type, ()))
