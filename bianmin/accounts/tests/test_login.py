"""Sign-in: password limits (django-axes, by account and client), the TOTP second factor
(django-otp), and each role's landing screen."""

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from bianmin.accounts.tests.factories import code_now
from bianmin.audit.enums import AuditAction
from bianmin.audit.models import AuditEntry
from bianmin.core.permissions import Role
from conftest import PASSWORD

pytestmark = pytest.mark.django_db

MORNING = "2026-11-30 09:00 +0800"


def _login(client: Client, username: str, password: str = PASSWORD, ip: str = "10.0.0.1", **extra):
    return client.post(
        reverse("accounts:login"),
        {"username": username, "password": password},
        REMOTE_ADDR=ip,
        **extra,
    )


@pytest.mark.parametrize(
    ("role", "landing"),
    [
        (Role.OFFICER, "/hall/workspace/"),
        (Role.BACK_OFFICE, "/cases/queue/"),
        (Role.GUIDE, "/hall/guide/"),
        (Role.SHIFT_LEADER, "/hall/board/"),
        (Role.SANITATION, "/lost/intake/"),
        (Role.DESK_OFFICER, "/desk/board/"),
    ],
)
def test_each_role_lands_on_its_work_screen(make_staff, role, landing) -> None:
    make_staff(role, username="someone")
    response = _login(Client(), "someone")
    assert response.status_code == 302
    assert response.url == landing


def test_next_still_wins_over_the_landing(officer) -> None:
    response = Client().post(
        reverse("accounts:login") + "?next=/people/",
        {"username": "officer01", "password": PASSWORD},
    )
    assert response.url == "/people/"


def test_wrong_password_says_so_in_chinese_without_revealing_the_account(officer) -> None:
    for username in ("officer01", "nobody"):
        response = _login(Client(), username, "wrong-password")
        assert response.status_code == 200
        assert "用户名或密码错误" in response.content.decode()


@time_machine.travel(MORNING, tick=False)
def test_guessing_slows_the_client_not_the_account(officer, settings) -> None:
    settings.LOGIN_MAX_FAILURES = 3
    for _ in range(3):
        _login(Client(), "officer01", "wrong", ip="203.0.113.9")
    locked = _login(Client(), "officer01", ip="203.0.113.9")  # even the right password waits
    assert locked.status_code == 429
    assert "登录尝试次数过多" in locked.content.decode()
    # The officer at their own desk is not locked out by the outsider.
    assert _login(Client(), "officer01", ip="10.0.0.7").status_code == 302
    audited = AuditEntry.objects.filter(action=AuditAction.LOGIN_FAILED).order_by("seq")
    assert audited.count() == 4  # three wrong passwords and the refused right one
    assert [e.after["client_waiting"] for e in audited] == [False, False, True, True]
    assert {e.after["client"] for e in audited} == {"203.0.113.9"}


@time_machine.travel(MORNING, tick=False)
def test_unknown_and_known_usernames_get_the_same_answers(officer, settings) -> None:
    settings.LOGIN_MAX_FAILURES = 3
    answers = {}
    for username, ip in (("officer01", "203.0.113.1"), ("ghost", "203.0.113.2")):
        answers[username] = [
            (r.status_code, r.content.decode().count("登录尝试次数过多"))
            for r in (_login(Client(), username, "wrong", ip=ip) for _ in range(5))
        ]
    assert answers["officer01"] == answers["ghost"]


def test_the_client_waits_out_the_cool_off(officer, settings) -> None:
    settings.LOGIN_MAX_FAILURES = 3
    with time_machine.travel(MORNING, tick=False):
        for _ in range(3):
            _login(Client(), "officer01", "wrong", ip="203.0.113.9")
        assert _login(Client(), "officer01", ip="203.0.113.9").status_code == 429
    with time_machine.travel("2026-11-30 09:16 +0800", tick=False):
        assert _login(Client(), "officer01", ip="203.0.113.9").status_code == 302


@time_machine.travel(MORNING, tick=False)
def test_one_client_spraying_many_accounts_is_stopped(make_staff, settings) -> None:
    settings.LOGIN_MAX_FAILURES_PER_CLIENT = 6
    for i in range(6):
        _login(Client(), f"user{i}", "wrong", ip="203.0.113.50")
    make_staff(Role.OFFICER, username="fresh")
    assert _login(Client(), "fresh", ip="203.0.113.50").status_code == 429
    assert _login(Client(), "fresh", ip="203.0.113.51").status_code == 302


@time_machine.travel(MORNING, tick=False)
def test_a_spoofed_forwarded_header_does_not_reset_the_limit(officer, settings) -> None:
    settings.LOGIN_MAX_FAILURES = 3
    for i in range(3):
        _login(Client(), "officer01", "wrong", ip="127.0.0.1", HTTP_X_FORWARDED_FOR=f"9.9.9.{i}")
    locked = _login(Client(), "officer01", ip="127.0.0.1", HTTP_X_FORWARDED_FOR="8.8.8.8")
    assert locked.status_code == 429


@time_machine.travel(MORNING, tick=False)
def test_a_paused_account_cannot_sign_in(officer) -> None:
    from datetime import timedelta

    from bianmin.core import clock

    officer.locked_until = clock.now() + timedelta(hours=1)
    officer.save()
    response = _login(Client(), "officer01")
    assert response.status_code == 200
    assert "暂停使用" in response.content.decode()


@pytest.mark.parametrize("role", [Role.DIRECTOR, Role.INSPECTOR, Role.ADMINISTRATOR])
@time_machine.travel(MORNING, tick=False)
def test_two_factor_roles_must_pass_totp(make_staff, role) -> None:
    staff = make_staff(role, username="needs2fa")
    client = Client()
    assert _login(client, "needs2fa").url == reverse("accounts:totp")
    # Any staff page redirects to the TOTP step until it is passed.
    assert client.get(reverse("accounts:home")).url == reverse("accounts:totp")
    page = client.get(reverse("accounts:totp")).content.decode()
    assert "绑定动态口令" in page
    device = TOTPDevice.objects.get(user=staff)
    assert not device.confirmed
    bad = client.post(reverse("accounts:totp"), {"code": "000000"})
    assert "动态口令不正确" in bad.content.decode()

    with time_machine.travel("2026-11-30 09:00:05 +0800", tick=False):
        response = client.post(reverse("accounts:totp"), {"code": code_now(device)})
        assert response.status_code == 302
        assert client.get(reverse("accounts:home")).status_code == 200
    device.refresh_from_db()
    assert device.confirmed
    assert AuditEntry.objects.filter(action=AuditAction.TOTP_BOUND).count() == 1


def test_officer_does_not_need_totp(officer) -> None:
    client = Client()
    _login(client, "officer01")
    assert client.get(reverse("accounts:home")).status_code == 200
