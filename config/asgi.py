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
from django.urls import get_resolver  # noqa: E402

from bianmin.core.heap import settle_for_serving  # noqa: E402
from bianmin.core.served_by import WorkerHeader, worker_header_enabled  # noqa: E402
from bianmin.identity.services import face_engine_warm_up  # noqa: E402
from config.websockets import websocket_urlpatterns  # noqa: E402

# Start-up work that the first requests would otherwise wait for: every URLconf and the API's
# routers with the modules they import (1–4 s here; the first face consent paid it), and, in the
# background, the face models (about 1.2 s of the first face check).
get_resolver().url_patterns  # noqa: B018
face_engine_warm_up()

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

settle_for_serving()  # last: everything loaded above is frozen out of later collections
