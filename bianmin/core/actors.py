"""The staff actor every service takes: what a context may ask of the signed-in officer.

Services receive the officer as ``actor: StaffActor``. The accounts context's ``Staff`` model
satisfies this protocol; no other context imports that model to name the type.
"""

from typing import Any, Protocol


class StaffActor(Protocol):
    pk: Any
    username: str
    role: str

    @property
    def center_id(self) -> int: ...

    @property
    def center(self) -> Any: ...

    def has_perm(self, perm: str, obj: Any = None) -> bool: ...
