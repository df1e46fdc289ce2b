"""A simulated traffic-violation provider on loopback speaking the product's documented HTTP
JSON protocol (bianmin/traffic/providers/http.py), with demo vehicles and drivers.
``python -m tests.support.traffic_fake --port 18080`` prints ``READY http://127.0.0.1:<port>/``."""

from tests.support.traffic_fake.server import (
    DEMO_DRIVERS,
    DEMO_VEHICLES,
    FAKE_APP_KEY,
    FAKE_APP_SECRET,
    FakeTrafficProvider,
)

__all__ = [
    "DEMO_DRIVERS",
    "DEMO_VEHICLES",
    "FAKE_APP_KEY",
    "FAKE_APP_SECRET",
    "FakeTrafficProvider",
]
