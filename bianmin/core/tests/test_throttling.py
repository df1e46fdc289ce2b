"""The API's anonymous throttle: ninja's rate and client identity, a fixed-window counter."""

from __future__ import annotations

from django.core.cache import cache
from django.test import RequestFactory

from bianmin.core.throttling import AnonWindowThrottle


def _request(ip: str, *, auth: object = None):
    request = RequestFactory().get("/api/v1/anything", REMOTE_ADDR=ip)
    request.auth = auth
    return request


def test_a_client_gets_its_allowance_per_window_and_others_their_own() -> None:
    cache.clear()
    throttle = AnonWindowThrottle("3/m")
    assert [throttle.allow_request(_request("198.51.100.1")) for _ in range(4)] == [
        True,
        True,
        True,
        False,
    ]
    assert throttle.allow_request(_request("198.51.100.2"))  # another client
    assert throttle.wait() == 60.0  # Retry-After: at most the window


def test_staff_with_a_token_are_never_counted() -> None:
    cache.clear()
    throttle = AnonWindowThrottle("1/m")
    assert all(throttle.allow_request(_request("198.51.100.3", auth=object())) for _ in range(5))
    assert throttle.allow_request(_request("198.51.100.3"))  # the anonymous allowance is intact
    assert not throttle.allow_request(_request("198.51.100.3"))


def test_the_api_refuses_with_429_and_a_chinese_message(client) -> None:
    cache.clear()
    throttle = AnonWindowThrottle("120/m")
    for _ in range(120):
        assert throttle.allow_request(_request("127.0.0.1"))
    # the same client, now through the API (core/api.py: the calendar's 120/m)
    response = client.get("/api/v1/calendar/add-workdays?start=2026-09-30&days=3")
    assert response.status_code == 429
    assert response.json()["code"] == "throttled"
    assert response.json()["message"] == "请求过于频繁，请稍后再试"
    assert response["Retry-After"] == "60"


def test_the_apis_limit_and_a_routers_own_count_a_request_once_each() -> None:
    cache.clear()
    api, router = AnonWindowThrottle("600/m"), AnonWindowThrottle("2/m")
    request = _request("198.51.100.4")
    assert [api.allow_request(request) and router.allow_request(request) for _ in range(3)] == [
        True,
        True,
        False,
    ]
