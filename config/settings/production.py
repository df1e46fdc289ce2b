"""Production adds no behaviour; it only insists on secure cookies (HackSoft's rule)."""

from .base import *  # noqa: F403

SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
