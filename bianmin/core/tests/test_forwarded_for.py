"""Forwarded headers are believed only from configured proxies: a spoofed X-Forwarded-For
from loopback changes neither core.client_ip, nor a throttle key, nor uvicorn's client."""

import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.http import HttpResponse
from django.test import Client, RequestFactory
from ninja.throttling import AnonRateThrottle

from bianmin.core.client_ip import client_ip
from bianmin.core.management.commands.serve import uvicorn_config
from bianmin.core.middleware import ForwardedForMiddleware


def _through_middleware(**meta: str):
    request = RequestFactory().get("/", **meta)
    seen = {}

    def view(req):
        seen["ip"] = client_ip(req)
        seen["throttle"] = AnonRateThrottle("1/m").get_ident(req) or ""
        return HttpResponse()

    ForwardedForMiddleware(view)(request)
    return seen


def test_spoofed_xff_from_loopback_changes_nothing(settings) -> None:
    settings.TRUSTED_PROXIES = []
    seen = _through_middleware(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6")
    assert seen == {"ip": "127.0.0.1", "throttle": "127.0.0.1"}


def test_xff_from_a_configured_proxy_names_the_client(settings) -> None:
    settings.TRUSTED_PROXIES = ["10.0.0.2"]
    settings.NINJA_NUM_PROXIES = 1
    from ninja.conf import settings as ninja_settings

    ninja_settings.NUM_PROXIES = 1
    try:
        seen = _through_middleware(
            REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.7"
        )
    finally:
        ninja_settings.NUM_PROXIES = 0
    assert seen == {"ip": "198.51.100.7", "throttle": "198.51.100.7"}


def test_default_settings_trust_no_proxy() -> None:
    from django.conf import settings

    assert settings.TRUSTED_PROXIES == []
    assert settings.NINJA_NUM_PROXIES == 0


@pytest.mark.django_db
def test_public_ticket_throttle_is_not_lifted_by_spoofed_xff() -> None:
    """The public API's per-client limit keys on the real address, whatever XFF says."""
    from ninja.conf import settings as ninja_settings

    assert ninja_settings.NUM_PROXIES == 0
    idents = set()
    for i in range(3):
        request = RequestFactory().get(
            "/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=f"1.1.1.{i}"
        )

        def view(r):
            idents.add(AnonRateThrottle("1/m").get_ident(r))
            return HttpResponse()

        ForwardedForMiddleware(view)(request)
    assert idents == {"127.0.0.1"}
    assert Client().get("/healthz", HTTP_X_FORWARDED_FOR="1.2.3.4").status_code == 200


def _client_seen_by_app(config_trusted: list[str], settings) -> tuple[str, int] | None:
    settings.TRUSTED_PROXIES = config_trusted
    seen = {}

    async def app(scope, receive, send):
        seen["client"] = scope.get("client")

    config = uvicorn_config(app, host="127.0.0.1", port=0)
    config.load()
    scope = {
        "type": "http",
        "client": ("127.0.0.1", 5000),
        "headers": [(b"x-forwarded-for", b"6.6.6.6")],
        "scheme": "http",
    }

    async def receive():
        return {}

    async def send(message):
        return None

    # A thread of its own: Playwright may keep an event loop running in this one.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, config.loaded_app(scope, receive, send)).result()
    return seen["client"]


def test_serve_ignores_xff_from_loopback_by_default(settings) -> None:
    assert _client_seen_by_app([], settings)[0] == "127.0.0.1"


def test_serve_believes_xff_from_a_configured_proxy(settings) -> None:
    assert _client_seen_by_app(["127.0.0.1"], settings)[0] == "6.6.6.6"


def test_the_client_address_is_always_an_ip_address_or_empty(settings) -> None:
    # stored in IP-address columns (django-axes' login records): PostgreSQL refuses anything else
    settings.TRUSTED_PROXIES = ["10.0.0.5"]
    factory = RequestFactory()
    no_address = factory.get("/")
    del no_address.META["REMOTE_ADDR"]
    garbage = factory.get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="<script>, 10.0.0.5")
    real = factory.get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="203.0.113.9, 10.0.0.5")

    assert client_ip(no_address) == ""
    assert client_ip(garbage) == "10.0.0.5"
    assert client_ip(real) == "203.0.113.9"
