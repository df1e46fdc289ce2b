"""Callbacks other contexts register (in their AppConfig.ready) to follow registry photo changes.

The face context derives its template from the registry photo; the registry must not import
that context, so it only calls what was registered here, after the transaction commits.
"""

from collections.abc import Callable

PHOTO_CHANGED: list[Callable[[int], None]] = []
