"""Traffic-violation providers: the interface (`base`) and the adapters; `configured()` is the
one the settings name (None when the hall is not connected)."""

from __future__ import annotations

from django.conf import settings

from bianmin.traffic.providers.base import (
    ProviderError,
    Violation,
    ViolationProvider,
    ViolationQuery,
)
from bianmin.traffic.providers.http import HttpJsonProvider


def configured() -> ViolationProvider | None:
    url = getattr(settings, "TRAFFIC_PROVIDER_URL", "")
    if not url:
        return None
    return HttpJsonProvider(
        base_url=url,
        app_key=getattr(settings, "TRAFFIC_PROVIDER_APP_KEY", ""),
        app_secret=getattr(settings, "TRAFFIC_PROVIDER_APP_SECRET", ""),
        timeout=getattr(settings, "TRAFFIC_PROVIDER_TIMEOUT_SECONDS", 8.0),
    )


__all__ = [
    "HttpJsonProvider",
    "ProviderError",
    "Violation",
    "ViolationProvider",
    "ViolationQuery",
    "configured",
]
