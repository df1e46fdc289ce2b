"""The second factor holds everywhere: brute force is slowed, codes work once, failures are
audited, and a password-only session gets nothing from the API."""

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from bianmin.accounts.tests.factories import code_now
from bianmin.audit.enums import AuditAction
from bianmin.audit.models import AuditEntry
from conftest import PASSWORD

pytestmark = pytest.mark.django_db

MORNING = "2026-11-30 09:00 +0800"


def _password_only(staff) -> Client:
    client = Client()
    client.post(reverse("accounts:login"), {"username": staff.username, "password": PASSWORD})
    return client


@pytest.fixture
def bound_director(director):
    return director, TOTPDevice.objects.create(user=director, name="认证器", confirmed=True)


@time_machine.travel(MORNING, tick=False)
def test_password_only_session_gets_nothing_from_the_api(bound_director) -> None:
    director, _device = bound_director
    client = _password_only(director)
    csrf = (
        {"HTTP_X_CSRFTOKEN": client.cookies["csrftoken"].value}
        if "csrftoken" in client.cookies
        else {}
    )
    me = client.get("/api/v1/me")
    assert me.status_code == 401
    assert me.json()["code"] == "two_factor_required"
    write = client.post(
        "/api/v1/people",
        {"name": "王伟", "id_number": "110101199003070017", "gender": "male"},
        **csrf,
    )
    assert write.status_code == 401
    assert client.get("/people/").url == reverse("accounts:totp")


@time_machine.travel(MORNING, tick=False)
def test_the_session_works_on_the_api_after_totp(bound_director) -> None:
    director, device = bound_director
    client = _password_only(director)
    assert client.post(reverse("accounts:totp"), {"code": code_now(device)}).status_code == 302
    assert client.get("/api/v1/me").json()["username"] == director.username


@time_machine.travel(MORNING, tick=False)
def test_the_api_session_check_itself_refuses_a_password_only_session(bound_director) -> None:
    """Defence in depth: the API's session auth refuses even without the middleware."""
    from django.test import RequestFactory

    from bianmin.accounts.api import StaffSession
    from bianmin.core.errors import DomainError

    director, _device = bound_director
    request = RequestFactory().get("/api/v1/me")
    request.user = director
    director.is_verified = lambda: False
    with pytest.raises(DomainError) as caught:
        StaffSession().authenticate(request, None)
    assert caught.value.code == "two_factor_required"


def test_brute_force_is_slowed_and_audited(bound_director) -> None:
    director, device = bound_director
    with time_machine.travel(MORNING, tick=False):
        client = _password_only(director)
        answers = [
            client.post(reverse("accounts:totp"), {"code": f"{n:06d}"}).status_code
            for n in range(1, 6)
        ]
        # the first wrong code is answered, then the client must wait: 429 until it does
        assert answers[0] == 200
        assert set(answers[1:]) == {429}
        # even the right code is refused while waiting
        right = client.post(reverse("accounts:totp"), {"code": code_now(device)})
        assert right.status_code == 429
        assert "错误次数过多" in right.content.decode()
    failures = AuditEntry.objects.filter(action=AuditAction.TOTP_FAILED)
    assert failures.count() == 6
    with time_machine.travel("2026-11-30 09:00:03 +0800", tick=False):
        device.refresh_from_db()
        response = client.post(reverse("accounts:totp"), {"code": code_now(device)})
        assert response.status_code == 302


@time_machine.travel(MORNING, tick=False)
def test_a_code_works_only_once(bound_director) -> None:
    director, device = bound_director
    code = code_now(device)
    first = _password_only(director)
    assert first.post(reverse("accounts:totp"), {"code": code}).status_code == 302
    second = _password_only(director)
    replay = second.post(reverse("accounts:totp"), {"code": code})
    assert replay.status_code == 200
    assert "动态口令不正确" in replay.content.decode()


@time_machine.travel(MORNING, tick=False)
def test_totp_code_command_prints_a_working_code(bound_director, capsys) -> None:
    from django.core.management import call_command

    director, _device = bound_director
    call_command("totp_code", director.username)
    code = capsys.readouterr().out.strip()
    client = _password_only(director)
    assert client.post(reverse("accounts:totp"), {"code": code}).status_code == 302


@pytest.mark.django_db(transaction=True)
def test_confirmed_secrets_move_into_devices() -> None:
    """The data migration: a bound pyotp secret becomes a confirmed django-otp device that
    accepts the same codes."""
    import pyotp
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    executor.migrate([("accounts", "0002_initial")])
    try:
        old = executor.loader.project_state([("accounts", "0002_initial")]).apps
        Staff = old.get_model("accounts", "Staff")
        secret = pyotp.random_base32()
        bound = Staff.objects.create(
            username="bound", full_name="甲", role="director", totp_secret=secret,
            totp_confirmed_at="2026-01-01T00:00:00Z",
        )  # fmt: skip
        Staff.objects.create(username="unbound", full_name="乙", role="director", totp_secret=pyotp.random_base32())  # fmt: skip
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
        device = TOTPDevice.objects.get()
        assert device.user_id == bound.pk
        assert device.confirmed
        with time_machine.travel(MORNING, tick=False):
            assert code_now(device) == pyotp.TOTP(secret).now()
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())


@time_machine.travel(MORNING, tick=False)
def test_no_page_without_arguments_opens_to_a_password_only_session(bound_director) -> None:
    """Every named page of every context that needs no argument: the TOTP step instead."""
    from django.urls import NoReverseMatch, get_resolver

    director, _device = bound_director
    client = _password_only(director)
    checked = []
    for namespace, (_prefix, resolver) in get_resolver().namespace_dict.items():
        if namespace == "api-1":
            continue
        for name in [n for n in resolver.reverse_dict if isinstance(n, str)]:
            try:
                url = reverse(f"{namespace}:{name}")
            except NoReverseMatch:  # needs arguments
                continue
            if url.startswith("/accounts/"):
                continue
            response = client.get(url)
            assert response.status_code == 302, url
            assert response.url == reverse("accounts:totp"), url
            checked.append(url)
    assert {"/", "/people/", "/audit/", "/staff/", "/staff/hours/"} <= set(checked)


def test_a_request_without_a_session_cookie_is_not_looked_up() -> None:
    """Only a session cookie can make a request signed in: without one (an API token, the
    public) the middleware lets it through without loading a session or a user, in both modes;
    with one, the user is looked up."""
    import asyncio

    from django.conf import settings
    from django.http import HttpResponse
    from django.test import RequestFactory

    from bianmin.accounts.middleware import TwoFactorRequiredMiddleware

    def loaded(*_args):
        raise AssertionError("the user was loaded")

    def probe(**cookies):
        made = RequestFactory().get("/api/v1/tickets/1")
        made.__class__ = type("Probe", (type(made),), {"user": property(loaded), "auser": loaded})
        made.COOKIES.update(cookies)
        return made

    async def answer(_request):
        return HttpResponse("ok")

    sync = TwoFactorRequiredMiddleware(lambda _request: HttpResponse("ok"))
    assert sync(probe()).content == b"ok"
    assert asyncio.run(TwoFactorRequiredMiddleware(answer)(probe())).content == b"ok"
    with pytest.raises(AssertionError, match="the user was loaded"):
        sync(probe(**{settings.SESSION_COOKIE_NAME: "abc"}))
    with pytest.raises(AssertionError, match="the user was loaded"):
        asyncio.run(
            TwoFactorRequiredMiddleware(answer)(probe(**{settings.SESSION_COOKIE_NAME: "abc"}))
        )
