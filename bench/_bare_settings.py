"""The bare Django JSON view that bench/hall_load measures the product against: the same Django,
served by the same uvicorn settings (`bianmin.core.management.commands.serve.uvicorn_config`),
with no middleware, no apps and no database. This module is its settings and its URLconf; it
is never part of the product's URLconf. Run by `python -m bench._bare_server --port N` (add
`--handler product` to serve it with the product's ASGI handler, which takes its number of
request threads from the product's settings)."""

from django.http import HttpRequest, JsonResponse
from django.urls import path

from config.settings.base import REQUEST_THREADS  # noqa: F401 - read by the product's handler

SECRET_KEY = "bench-only-bare-view"  # noqa: S105 - serves one constant JSON document
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS: list[str] = []
MIDDLEWARE: list[str] = []
ROOT_URLCONF = "bench._bare_settings"
DATABASES: dict[str, dict[str, str]] = {}
USE_TZ = True
HUEY = {"huey_class": "huey.MemoryHuey", "immediate": True}
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}


def bare(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


urlpatterns = [path("bare", bare)]
