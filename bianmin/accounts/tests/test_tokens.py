"""API bearer tokens: who may get one, expiry, and the account changes that end it at once."""

from datetime import timedelta

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from bianmin.accounts.models import Staff
from bianmin.accounts.services import api_token_create
from bianmin.accounts.tests.factories import code_now
from bianmin.core import clock
from bianmin.core.errors import PermissionDenied
from bianmin.core.permissions import Role

pytestmark = pytest.mark.django_db

MORNING = "2026-11-30 09:00 +0800"


def _bearer(token: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def test_create_api_token_prints_one_working_token(officer, capsys) -> None:
    call_command("create_api_token", "officer01")
    token = capsys.readouterr().out.strip()
    assert len(token.splitlines()) == 1
    response = _bearer(token).get("/api/v1/me")
    assert response.json()["username"] == "officer01"
    assert _bearer("forged").get("/api/v1/me").status_code == 401


@pytest.mark.parametrize("role", [Role.DIRECTOR, Role.INSPECTOR, Role.ADMINISTRATOR])
def test_two_factor_roles_get_no_token_on_the_password_alone(make_staff, role) -> None:
    staff = make_staff(role, username="boss")
    with pytest.raises(PermissionDenied) as caught:
        api_token_create(staff=staff, label="x")
    assert caught.value.code == "token_not_allowed"
    with pytest.raises(CommandError):
        call_command("create_api_token", "boss")


@time_machine.travel(MORNING, tick=False)
def test_two_factor_role_gets_a_token_with_its_current_code(director, capsys) -> None:
    device = TOTPDevice.objects.create(user=director, name="认证器", confirmed=True)
    call_command("create_api_token", director.username, "--totp", code_now(device))
    token = capsys.readouterr().out.strip()
    assert _bearer(token).get("/api/v1/me").status_code == 200


@pytest.mark.parametrize("role", [Role.OFFICER, Role.GUIDE, Role.SHIFT_LEADER])
def test_window_and_hall_roles_get_tokens(make_staff, role) -> None:
    staff = make_staff(role, username="desk")
    assert _bearer(api_token_create(staff=staff)).get("/api/v1/me").status_code == 200


def test_a_token_expires(officer) -> None:
    with time_machine.travel(MORNING, tick=False):
        client = _bearer(api_token_create(staff=officer, days=30))
        assert client.get("/api/v1/me").status_code == 200
    with time_machine.travel("2026-12-30 09:00:01 +0800", tick=False):
        assert client.get("/api/v1/me").status_code == 401


@pytest.mark.parametrize(
    "change",
    [
        {"is_active": False},
        {"role": Role.GUIDE},
        {"locked_until": "later"},
        {"center": "other"},
    ],
)
@time_machine.travel(MORNING, tick=False)
def test_a_token_stops_at_once_when_the_account_changes(
    officer, other_center, api_client_for, change
) -> None:
    client = api_client_for(officer)
    assert client.get("/api/v1/me").status_code == 200
    values = dict(change)
    if values.get("locked_until") == "later":
        values["locked_until"] = clock.now() + timedelta(minutes=30)
    if values.get("center") == "other":
        values["center"] = other_center
    # As every code path changes an account (the admin's form, the services): a save. The
    # cached token look-up is forgotten on it (a queryset .update() would have to call
    # api_token_cache_forget()).
    account = Staff.objects.get(pk=officer.pk)
    for field, value in values.items():
        setattr(account, field, value)
    account.save()
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized"


@time_machine.travel(MORNING, tick=False)
def test_lock_staff_command_stops_sign_in_and_tokens_and_unlocks(officer, api_client_for) -> None:
    from bianmin.audit.enums import AuditAction
    from bianmin.audit.models import AuditEntry

    client = api_client_for(officer)
    call_command("lock_staff", "officer01", "--hours", "2")
    assert client.get("/api/v1/me").status_code == 401
    login = Client().post(
        "/accounts/login/", {"username": "officer01", "password": "Test@2026pass"}
    )
    assert "暂停使用" in login.content.decode()
    call_command("lock_staff", "officer01", "--unlock")
    assert client.get("/api/v1/me").status_code == 200
    assert AuditEntry.objects.filter(action=AuditAction.ACCOUNT_LOCKED).count() == 2
    call_command("lock_staff", "officer01", "--hours", "0", "--revoke-tokens")
    assert client.get("/api/v1/me").status_code == 401


@time_machine.travel(MORNING, tick=False)
def test_a_token_look_up_is_cached_until_an_account_changes(officer, other_center) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bianmin.accounts.services import api_token_authenticate, api_token_cache_forget

    token = api_token_create(staff=officer)

    def token_queries() -> tuple[object, int]:
        with CaptureQueriesContext(connection) as captured:
            staff = api_token_authenticate(token)
        return staff, sum("accounts_apitoken" in q["sql"] for q in captured.captured_queries)

    first, first_queries = token_queries()
    second, second_queries = token_queries()
    assert first == second == officer
    assert first_queries >= 1
    assert second_queries == 0

    # A rename of the account's center is seen at once too (the cached row holds the center).
    other_center.name = "改名的中心"
    other_center.save()
    officer.center.name = "潼关新名"
    officer.center.save()
    staff, queries = token_queries()
    assert (staff.center.name, queries >= 1) == ("潼关新名", True)

    # A change made with a queryset .update() (no signal) is seen once it calls the forget.
    Staff.objects.filter(pk=officer.pk).update(is_active=False)
    api_token_cache_forget()
    assert api_token_authenticate(token) is None


@time_machine.travel(MORNING, tick=False)
def test_a_process_keeps_its_token_look_ups_and_gives_each_request_its_own_account(
    officer, monkeypatch
) -> None:
    from django.core.cache import caches

    from bianmin.accounts.services import api_token_authenticate

    token = api_token_create(staff=officer)
    first = api_token_authenticate(token)
    backend = caches["default"]
    read: list[str] = []
    original = backend.get

    def get(key: str, *args: object, **kwargs: object) -> object:
        read.append(key)
        return original(key, *args, **kwargs)

    monkeypatch.setattr(backend, "get", get)
    assert first is not None
    first.full_name = "请求里改过的名字"  # a request that changes its own copy
    second = api_token_authenticate(token)

    assert second == officer
    assert second is not first
    assert second.full_name == officer.full_name
    assert [key for key in read if key.startswith("accounts:token:")] == []  # kept here


def test_a_lost_generation_never_revives_an_older_cached_answer(officer) -> None:
    from django.core.cache import cache

    from bianmin.accounts.services import api_token_authenticate
    from bianmin.accounts.services.tokens import _LOOKUP_GENERATION

    with time_machine.travel(MORNING, tick=False):
        token = api_token_create(staff=officer)
        cache.delete(_LOOKUP_GENERATION.key)
        assert api_token_authenticate(token) == officer  # cached under a fresh generation
        officer.is_active = False
        officer.save()  # bumps it
    with time_machine.travel("2026-11-30 09:02 +0800", tick=False):
        cache.delete(_LOOKUP_GENERATION.key)  # the cache culled or evicted the generation key
        assert api_token_authenticate(token) is None
