"""Domain errors: an English machine code for programs, a Chinese message for people.

Every context lists its codes in one ``StrEnum`` (``<context>/errors.py``) decorated with
``@error_codes("<context>")``; the API description lists every registered code, so a program
reading ``{"code", "message"}`` knows all the values it may see.
"""

from collections.abc import Callable
from enum import StrEnum
from typing import Any, TypeVar

E = TypeVar("E", bound=type[StrEnum])

_REGISTRY: dict[str, type[StrEnum]] = {}


def error_codes(context: str) -> Callable[[E], E]:
    """Register a context's error-code enum for the API documentation."""

    def register(enum: E) -> E:
        _REGISTRY[context] = enum
        return enum

    return register


def registered_codes() -> dict[str, type[StrEnum]]:
    return dict(sorted(_REGISTRY.items()))


class DomainError(Exception):
    """Raised by services. Views and API turn it into a 4xx with `code` and `message`."""

    code: str = "invalid"
    status: int = 400

    def __init__(
        self, message: str, *, code: str | None = None, status: int | None = None, **details: Any
    ) -> None:
        super().__init__(message)
        self.message = str(message)
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status
        self.details = details

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, **self.details}


class NotFound(DomainError):
    code = "not_found"
    status = 404


class PermissionDenied(DomainError):
    code = "permission_denied"
    status = 403


class Conflict(DomainError):
    code = "conflict"
    status = 409


@error_codes("core")
class CoreError(StrEnum):
    """The shared kernel's own codes (the generic ones above and the working-day calendar)."""

    INVALID = "invalid"
    NOT_FOUND = "not_found"
    PERMISSION_DENIED = "permission_denied"
    CONFLICT = "conflict"
    NEGATIVE_DAYS = "negative_days"
    INVALID_DAYS = "invalid_days"
