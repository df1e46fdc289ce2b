from typing import Any

from django.http import HttpRequest

from bianmin.core.navigation import screens_for


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    return {"nav_screens": screens_for(user) if user is not None else []}
