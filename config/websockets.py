"""Websocket routes of every context, in one list."""

from django.urls import URLPattern, URLResolver, re_path

from bianmin.hall.consumers import DisplayConsumer, LineConsumer
from bianmin.ratings.consumers import PadConsumer

websocket_urlpatterns: list[URLPattern | URLResolver] = [
    # hall: the calling display of one center
    re_path(r"^ws/hall/display/(?P<center_code>[A-Za-z0-9_-]{1,16})/$", DisplayConsumer.as_asgi()),
    # hall: the center's line (position pages, hall board, officers' pool counts)
    re_path(r"^ws/hall/(?P<center_code>[A-Za-z0-9_-]{1,16})/line/$", LineConsumer.as_asgi()),
    # ratings: the rating pad of one window (device key in its cookie)
    re_path(r"^ws/ratings/pad/$", PadConsumer.as_asgi()),
]
