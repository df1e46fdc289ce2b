import pyotp
import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from bianmin.accounts.models import Staff
from bianmin.audit.enums import AuditAction
from bianmin.audit.models import AuditEntry
from bianmin.core.permissions import Role
from conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _login(client: Client, username: str, password: str = PASSWORD):
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def test_officer_logs_in_and_lands_on_home(officer) -> None:
    client = Client()
    response = _login(client, "officer01")
    assert response.status_code == 302
    assert response.url == reverse("accounts:home")
    home = client.get(response.url)
    assert "窗口民警工作台" in home.content.decode()


def test_wrong_password_says_so_in_chinese_without_revealing_the_account(officer) -> None:
    for username in ("officer01", "nobody"):
        response = _login(Client(), username, "wrong-password")
        assert response.status_code == 200
        assert "用户名或密码错误" in response.content.decode()


def test_account_locks_after_repeated_failures_and_unlocks_later(officer, settings) -> None:
    settings.LOGIN_MAX_FAILURES = 3
    with time_machine.travel("2026-11-30 09:00 +0800", tick=False):
        for _ in range(3):
            _login(Client(), "officer01", "wrong")
        locked = _login(Client(), "officer01")  # even the right password is refused now
        assert "账户已锁定" in locked.content.decode()
        assert AuditEntry.objects.filter(action=AuditAction.ACCOUNT_LOCKED).count() == 1
    with time_machine.travel("2026-11-30 09:16 +0800", tick=False):
        assert _login(Client(), "officer01").status_code == 302


@pytest.mark.parametrize("role", [Role.DIRECTOR, Role.INSPECTOR, Role.ADMINISTRATOR])
def test_two_factor_roles_must_pass_totp(make_staff, role) -> None:
    staff = make_staff(role, username="needs2fa")
    client = Client()
    assert _login(client, "needs2fa").url == reverse("accounts:totp")
    # Any staff page redirects to the TOTP step until it is passed.
    assert client.get(reverse("accounts:home")).url == reverse("accounts:totp")
    page = client.get(reverse("accounts:totp")).content.decode()
    assert "绑定动态口令" in page
    staff.refresh_from_db()
    bad = client.post(reverse("accounts:totp"), {"code": "000000"})
    assert "动态口令不正确" in bad.content.decode()

    code = pyotp.TOTP(staff.totp_secret).now()
    assert client.post(reverse("accounts:totp"), {"code": code}).status_code == 302
    assert client.get(reverse("accounts:home")).status_code == 200
    staff.refresh_from_db()
    assert staff.totp_confirmed_at is not None


def test_officer_does_not_need_totp(officer) -> None:
    client = Client()
    _login(client, "officer01")
    assert client.get(reverse("accounts:home")).status_code == 200


def test_create_api_token_prints_one_working_token(officer, capsys) -> None:
    from django.core.management import call_command

    call_command("create_api_token", "officer01")
    token = capsys.readouterr().out.strip()
    assert len(token.splitlines()) == 1
    response = Client(HTTP_AUTHORIZATION=f"Bearer {token}").get("/api/v1/me")
    assert response.json()["username"] == "officer01"
    assert Client(HTTP_AUTHORIZATION="Bearer forged").get("/api/v1/me").status_code == 401


def test_inactive_staff_token_is_refused(officer, api_client_for) -> None:
    client = api_client_for(officer)
    Staff.objects.filter(pk=officer.pk).update(is_active=False)
    assert client.get("/api/v1/me").json()["code"] == "unauthorized"
