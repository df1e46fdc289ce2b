"""Shared fixtures: the demo center's shape (center, windows, one account per role), API
clients with bearer tokens, and a pinned clock."""

import os
from collections.abc import Callable, Iterator
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.hashers import make_password
from django.test import Client

from bianmin.accounts.models import Center, Staff
from bianmin.accounts.services import api_token_create
from bianmin.catalogue.services import catalogue_load_reference
from bianmin.core.permissions import Role
from bianmin.hall.models import Window

# Fixtures shared by the tests of several contexts: the SMS outbox and the seeded templates,
# cases built through the cases services; the end of a transactional test kept clear of the
# servers it started.
pytest_plugins = [
    "tests.support.sms_outbox",
    "tests.support.case_builders",
    "tests.support.quiet_flush",
]


@pytest.fixture(scope="session", autouse=True)
def suite_clock() -> Iterator[None]:
    """`BIANMIN_TEST_CLOCK=HH:MM` runs the whole suite with the center's clock starting at that
    hour (its last occurrence, Asia/Shanghai) and ticking, so CI proves no test depends on the hour it runs
    (it runs one pass at 23:30, inside the SMS quiet hours). Tests that pin their own clock
    travel from there as usual."""
    at = os.environ.get("BIANMIN_TEST_CLOCK", "")
    if not at:
        yield
        return
    hour, minute = (int(part) for part in at.split(":"))
    shanghai = ZoneInfo("Asia/Shanghai")
    now = datetime.now(shanghai)
    start = datetime.combine(now.date(), time(hour, minute), tzinfo=shanghai)
    if start > now:  # the last such moment, never the future: real worker processes and the
        start -= timedelta(days=1)  # browser keep the real clock and must see our rows as past
    with time_machine.travel(start, tick=True):
        yield


@pytest.fixture(autouse=True)
def fresh_cache() -> None:
    """Each test starts with an empty cache: cached settings and hours of a rolled-back test
    (whose ids the next test reuses) must not leak into the next one."""
    from django.core.cache import cache

    cache.clear()


PASSWORD = "Test@2026pass"  # noqa: S105 - test accounts only
_HASH = make_password(PASSWORD, hasher="md5")


@pytest.fixture
def catalogue(db: Any) -> None:
    catalogue_load_reference()


@pytest.fixture
def center(db: Any) -> Center:
    return Center.objects.create(
        code="TG", name="潼关县公安便民服务中心", sms_signature="潼关县公安局", phone="0913-3822110"
    )


@pytest.fixture
def other_center(db: Any) -> Center:
    return Center.objects.create(code="HY", name="华阴市公安便民服务中心")


@pytest.fixture
def windows(center: Center) -> list[Window]:
    return [
        Window.objects.create(center=center, code=f"W{i:02d}", name=f"{i}号窗口")
        for i in range(1, 13)
    ]


@pytest.fixture
def make_staff(center: Center) -> Callable[..., Staff]:
    counter = {"n": 0}

    def make(
        role: Role = Role.OFFICER,
        *,
        username: str | None = None,
        all_round: bool = True,
        center_: Center | None = None,
    ) -> Staff:
        counter["n"] += 1
        return Staff.objects.create(
            username=username or f"{role}{counter['n']:02d}",
            full_name=f"{role.label}{counter['n']}",
            role=role,
            center=center_ or center,
            is_all_round=all_round,
            password=_HASH,
        )

    return make


@pytest.fixture
def officer(make_staff: Callable[..., Staff]) -> Staff:
    return make_staff(Role.OFFICER, username="officer01")


@pytest.fixture
def director(make_staff: Callable[..., Staff]) -> Staff:
    return make_staff(Role.DIRECTOR, username="director01")


@pytest.fixture
def staff_by_role(make_staff: Callable[..., Staff]) -> dict[Role, Staff]:
    return {role: make_staff(role, username=f"{role}_x") for role in Role}


@pytest.fixture
def api_client_for() -> Callable[[Staff], Client]:
    """A test client that sends a real bearer token for `staff`."""

    def make(staff: Staff) -> Client:
        # As if issued right after TOTP, so every role gets one (see accounts/services/tokens).
        token = api_token_create(staff=staff, label="test", two_factor_verified=True)
        return Client(HTTP_AUTHORIZATION=f"Bearer {token}")

    return make


@pytest.fixture
def login_client_for() -> Callable[[Staff], Client]:
    """A browser-like client with a session (and TOTP passed for roles that need it)."""

    def make(staff: Staff) -> Client:
        from django_otp import DEVICE_ID_SESSION_KEY
        from django_otp.plugins.otp_totp.models import TOTPDevice

        client = Client()
        client.force_login(staff)
        device, _created = TOTPDevice.objects.get_or_create(
            user=staff, confirmed=True, defaults={"name": "test"}
        )
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
        return client

    return make


CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def playwright_driver() -> Any:
    """One Playwright driver per test process: its sync API keeps an event loop in this
    thread, so a second `sync_playwright()` beside it would fail. Browser fixtures launch
    Debian's chromium (no browser download) from this driver."""
    import os

    from playwright.sync_api import sync_playwright

    if not os.path.exists("/usr/bin/chromium"):
        pytest.fail("chromium is missing: run `make test` (it installs Debian's chromium)")
    # Django must allow plain synchronous ORM calls beside Playwright's loop.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright_driver: Any) -> Any:
    instance = playwright_driver.chromium.launch(
        executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
    )
    yield instance
    instance.close()


@pytest.fixture
def page(browser: Any) -> Any:
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 860})
    yield context.new_page()
    context.close()
