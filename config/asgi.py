"""HTTP goes to Django; websockets go to the live screens (calling display, hall board)."""

import os
from typing import Any

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
django.setup(set_prefix=False)

from bianmin.core.asgi_handler import OneHopASGIHandler  # noqa: E402

django_asgi_app = OneHopASGIHandler()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from bianmin.core.served_by import WorkerHeader, worker_header_enabled  # noqa: E402
from config.websockets import websocket_urlpatterns  # noqa: E402

application: Any = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AllowedHostsOriginValidator(
            AuthMiddlewareStack(URLRouter(websocket_urlpatterns))
        ),
    }
)

if worker_header_enabled():  # tests and benchmarks of `serve --workers N` (core/served_by.py)
    application = WorkerHeader(application)
