"""Per-request context read by the audit log without threading it through every call."""

from contextvars import ContextVar

request_id: ContextVar[str] = ContextVar("request_id", default="")
