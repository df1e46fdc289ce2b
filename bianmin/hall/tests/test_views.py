"""Screens: who may open them, the kiosk/phone/guide issuing flow, the workspace actions, the
live position page, the printable ticket (PDF renders Chinese), the display state."""

import re
import secrets
import shutil
import subprocess

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bianmin.core.permissions import Role
from bianmin.hall.models import Ticket, WindowSession

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("/hall/workspace/", {Role.OFFICER, Role.SHIFT_LEADER}),
        ("/hall/guide/", {Role.GUIDE, Role.OFFICER, Role.SHIFT_LEADER}),
        ("/hall/board/", {Role.SHIFT_LEADER, Role.DIRECTOR}),
        ("/hall/settings/", {Role.DIRECTOR}),
    ],
)
def test_staff_screens_authorization_matrix(
    url, allowed, staff_by_role, login_client_for, hall, clock
) -> None:
    for role, staff in staff_by_role.items():
        response = login_client_for(staff).get(url)
        assert response.status_code == (200 if role in allowed else 403), (role, url)
    assert Client().get(url).status_code == 302  # to the login page


def test_public_pages_open_without_login(hall, clock) -> None:
    client = Client()
    for url in (
        "/hall/kiosk/TG/",
        "/hall/take/TG/",
        "/hall/door/TG/",
        "/hall/display/TG/",
        "/hall/display/TG/state.json",
    ):
        assert client.get(url).status_code == 200, url
    assert client.get("/hall/kiosk/NOPE/").status_code == 404


def test_kiosk_page_is_large_touch_type_and_issues_then_prints(hall, clock) -> None:
    client = Client()
    page = client.get("/hall/kiosk/TG/ticket/")
    assert 'class="public kiosk hall-kiosk-page"' in page.content.decode()
    assert "bm_device" in page.cookies

    response = client.post(
        "/hall/kiosk/TG/", {"items": ["HZ02"], "priority": "elderly", "request_key": "k1"}
    )

    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/t/{ticket.pk}/print/?kiosk=1"
    # self-declared at the kiosk: queued as normal until the guide desk confirms it
    assert (ticket.channel, ticket.priority, ticket.number) == ("kiosk", "normal", "A001")
    assert ticket.priority_claim == "elderly"
    printed = client.get(response["Location"]).content.decode()
    assert "A001" in printed
    assert "请到导办台确认" in printed
    assert 'data-autoprint="1"' in printed
    assert "<svg" in printed  # the QR code to the live position page


def test_kiosk_double_tap_gives_one_ticket_and_bad_input_a_message(hall, clock) -> None:
    client = Client()
    client.post("/hall/kiosk/TG/", {"items": ["HZ02"], "request_key": "tap"})
    client.post("/hall/kiosk/TG/", {"items": ["HZ02"], "request_key": "tap"})
    assert Ticket.objects.count() == 1

    response = client.post("/hall/kiosk/TG/", {"items": ["NOPE"]})
    assert response.status_code == 200
    assert "事项不存在" in response.content.decode()
    assert Ticket.objects.count() == 1


def test_phone_page_issues_and_goes_to_the_live_position_page(hall, clock) -> None:
    client = Client()
    response = client.post("/hall/take/TG/", {"items": ["JG01", "HZ02"], "phone": "13912345678"})

    ticket = Ticket.objects.get()
    assert response["Location"] == f"/t/{ticket.pk}/"
    assert (ticket.number, ticket.has_phone, ticket.phone) == ("B001", True, "13912345678")
    page = client.get(response["Location"]).content.decode()
    assert "前面还有" in page
    assert "驾驶证期满换证" in page


def test_phone_page_is_throttled_per_device(hall, clock) -> None:
    client = Client()
    client.get("/hall/take/TG/")  # the server hands out a signed device cookie
    for _ in range(3):
        client.post("/hall/take/TG/", {"items": ["HZ02"]})
    response = client.post("/hall/take/TG/", {"items": ["HZ02"]})
    assert "取号过于频繁" in response.content.decode()
    assert Ticket.objects.count() == 3


def test_a_fresh_made_up_device_cookie_per_request_does_not_lift_the_limit(hall, clock) -> None:
    # the M3 attack: a new random bm_device on every request
    for i in range(10):
        client = Client()
        client.cookies["bm_device"] = f"{i:02d}" + secrets.token_hex(12)
        client.post("/hall/take/TG/", {"items": ["HZ02"]})
    assert Ticket.objects.count() == 3  # made-up cookies are no device: the address counts


def test_fresh_server_cookies_per_request_stop_at_the_address_limit(hall, clock) -> None:
    for _ in range(60):
        client = Client()
        client.get("/hall/take/TG/")
        client.post("/hall/take/TG/", {"items": ["HZ02"]})
    # ten new devices per address and hour, three tickets each, plus the address's own three
    assert Ticket.objects.count() <= 33
    assert Ticket.objects.count() < 60


def test_a_spoofed_forwarded_for_header_is_ignored(hall, clock, settings) -> None:
    settings.TRUSTED_PROXIES = ()
    for i in range(10):
        Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=f"10.0.0.{i}").post(
            "/hall/take/TG/", {"items": ["HZ02"]}
        )
    assert Ticket.objects.count() == 3


def test_position_page_registers_a_phone_and_shows_your_turn(
    hall, issue, officer, clock, login_client_for
) -> None:
    ticket = issue("HZ02")
    client = Client()
    bad = client.post(f"/t/{ticket.pk}/", {"phone": "123"})
    assert "手机号码应为 11 位数字" in bad.content.decode()
    client.post(f"/t/{ticket.pk}/", {"phone": "13912345678"})
    ticket.refresh_from_db()
    assert ticket.has_phone is True

    staff = login_client_for(officer)
    staff.post("/hall/workspace/action/", {"action": "sign_in", "window": "W03"})
    staff.post("/hall/workspace/action/", {"action": "call_next"})
    fragment = client.get(f"/t/{ticket.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert "到您了" in fragment
    assert "3号窗口" in fragment
    assert Client().get("/t/unknown/").status_code == 404


def _ahead(fragment: str) -> int:
    match = re.search(r"前面还有 <strong[^>]*>(\d+)</strong> 人", fragment)
    assert match is not None, fragment
    return int(match.group(1))


def _near_badge_hidden(fragment: str) -> bool:
    tag = re.search(r"<p data-live-near[^>]*>", fragment)
    assert tag is not None, fragment
    return "hidden" in tag.group(0)


def test_a_waiting_tickets_live_fragment_comes_from_the_line_and_its_kept_face(
    hall, issue, officer, clock, login_client_for, django_assert_num_queries
) -> None:
    tickets = [issue("HZ02") for _ in range(5)]
    last = tickets[-1]
    phone = Client()
    assert phone.get(f"/t/{last.pk}/").status_code == 200  # the page, then its polls
    made = phone.get(f"/t/{last.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert _ahead(made) == 4
    assert _near_badge_hidden(made)  # 4 ahead; the reminder badge shows from 3
    assert "bm-" not in made  # every placeholder filled
    assert made.count(last.number) == 1
    with django_assert_num_queries(0):
        kept = phone.get(f"/t/{last.pk}/", HTTP_HX_REQUEST="true")
    assert kept.content.decode() == made
    assert kept.templates == []

    # a call changes the line, and a minute passes: the next poll shows the new place from the
    # line computed again and the face kept for the ticket (its row and items are not read,
    # nothing is rendered)
    staff = login_client_for(officer)
    staff.post("/hall/workspace/action/", {"action": "sign_in", "window": "W03"})
    staff.post("/hall/workspace/action/", {"action": "call_next"})
    clock.shift(60)
    with CaptureQueriesContext(connection) as queries:
        moved = phone.get(f"/t/{last.pk}/", HTTP_HX_REQUEST="true")
    assert moved.templates == []
    assert not [q for q in queries.captured_queries if "hall_ticketitem" in q["sql"]]
    assert _ahead(moved.content.decode()) == 3
    assert not _near_badge_hidden(moved.content.decode())
    called = phone.get(f"/t/{tickets[0].pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert "到您了" in called
    assert "3号窗口" in called


def test_a_waiting_tickets_face_follows_a_transfer_and_the_reminder_setting(
    hall, issue, officer, make_staff, clock
) -> None:
    from bianmin.catalogue.models import ServiceItem
    from bianmin.hall.services import (
        hall_settings_update,
        ticket_call_next,
        ticket_transfer,
        window_sign_in,
    )

    first, _second, third = issue("HZ02"), issue("HZ02"), issue("HZ02")
    phone = Client()

    def poll(ticket: Ticket) -> str:
        return phone.get(f"/t/{ticket.pk}/", HTTP_HX_REQUEST="true").content.decode()

    other_item = ServiceItem.objects.get(code="JG01").name
    assert other_item not in poll(first)
    assert 'data-near="3"' in poll(third)
    assert not _near_badge_hidden(poll(third))  # 2 ahead, reminded from 3

    # the first ticket is called and sent back to the line for another item: its face shows
    # both items, and it keeps its place (its arrival time)
    window_sign_in(actor=officer, window_code="W01")
    assert ticket_call_next(actor=officer, window_code="W01").pk == first.pk
    ticket_transfer(actor=officer, ticket_id=first.pk, item_code="JG01")
    shown = poll(first)
    assert other_item in shown
    assert _ahead(shown) == 0

    # the director moves the reminder to 1: the faces carry the new setting
    hall_settings_update(
        actor=make_staff(Role.DIRECTOR), center_id=hall.pk, changes={"near_position": 1}
    )
    assert 'data-near="1"' in poll(third)
    assert _near_badge_hidden(poll(third))


def test_guide_desk_issues_with_id_number_and_links_the_print(
    hall, make_staff, login_client_for, clock
) -> None:
    client = login_client_for(make_staff(Role.GUIDE))
    response = client.post(
        "/hall/guide/",
        {"items": ["HZ02"], "priority": "normal", "phone": "", "id_number": ""},
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    ticket = Ticket.objects.get()
    assert ticket.channel == "guide"
    assert f"/t/{ticket.pk}/print/" in body
    assert "<html" not in body  # only the fragment for htmx


def test_guide_desk_clears_the_form_and_lists_the_ticket_after_issuing(
    hall, make_staff, login_client_for, clock
) -> None:
    # the walk: "本台今日取号 stays empty until reload, the form keeps the last citizen's data"
    client = login_client_for(make_staff(Role.GUIDE))
    body = client.post(
        "/hall/guide/",
        {"items": ["HZ02"], "id_number": "", "phone": "13912345678", "request_key": "g-1"},
        HTTP_HX_REQUEST="true",
    ).content.decode()

    form = body[body.index('id="guide-form"') : body.index("</form>")]
    assert 'hx-swap-oob="true"' in form
    assert "checked" not in form
    assert "13912345678" not in form
    assert 'value="g-1"' not in form
    recent = body[body.index('id="guide-recent"') :]
    assert 'hx-swap-oob="true"' in recent[:80]
    assert "A001" in recent


def test_workspace_flow_and_case_panel_slot(officer, login_client_for, issue, clock) -> None:
    ticket = issue("HZ02")
    client = login_client_for(officer)
    page = client.get("/hall/workspace/").content.decode()
    assert "请选择窗口签到" in page

    client.post("/hall/workspace/action/", {"action": "sign_in", "window": "W02"})
    panel = client.post(
        "/hall/workspace/action/", {"action": "call_next"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "A001" in panel
    assert 'id="case-panel"' in panel
    assert 'hx-swap-oob="true"' in panel
    again = client.post(
        "/hall/workspace/action/", {"action": "call_next"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "请先办结当前号 A001" in again
    client.post("/hall/workspace/action/", {"action": "finish", "ticket": ticket.pk})
    ticket.refresh_from_db()
    assert ticket.status == "finished"
    assert WindowSession.objects.get().window.code == "W02"


def test_ticket_pdf_renders_chinese(issue, clock, tmp_path) -> None:
    if not shutil.which("pdftotext") or not shutil.which("pdftoppm"):
        pytest.skip("poppler-utils not installed")
    ticket = issue(codes=["HZ02", "JG01"])

    response = Client().get(f"/t/{ticket.pk}/ticket.pdf")

    assert response["Content-Type"] == "application/pdf"
    pdf = tmp_path / "ticket.pdf"
    pdf.write_bytes(response.content)
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "A001" in text
    assert "潼关县公安便民服务中心" in text
    assert "居民身份证到期换领" in text
    assert re.search(r"您前面还有\s*0\s*人", text)
    subprocess.run(
        ["pdftoppm", "-r", "100", "-png", str(pdf), str(tmp_path / "page")],
        check=True,
        capture_output=True,
    )
    from PIL import Image

    image = Image.open(next(tmp_path.glob("page*.png"))).convert("L")
    width_mm = image.width / 100 * 25.4
    assert 78 <= width_mm <= 82  # 80 mm paper roll
    dark = sum(image.histogram()[:128])
    assert dark > 2000  # glyphs and the QR code are really drawn


def test_display_state_shows_current_and_recent_calls(officer, issue, hall, clock) -> None:
    from bianmin.hall.services import ticket_call_next, window_sign_in

    issue("HZ02")
    window_sign_in(actor=officer, window_code="W03")
    ticket_call_next(actor=officer, window_code="W03")

    state = Client().get("/hall/display/TG/state.json").json()

    w03 = next(w for w in state["windows"] if w["code"] == "W03")
    assert (w03["ticket"], w03["state"]) == ("A001", "open")
    assert state["recent"][0] == {
        "number": "A001",
        "window_code": "W03",
        "window_number": 3,
        "at": "10:00",
    }
    assert state["waiting"] == 0
    issue("HZ02")
    assert Client().get("/hall/display/TG/state.json").json()["waiting"] == 1
    page = Client().get("/hall/display/TG/").content.decode()
    assert 'id="waiting-count">1<' in page


def test_voice_speaks_only_todays_real_calls_from_a_bounded_clip_set(
    hall, officer, issue, clock, settings, tmp_path
) -> None:
    if not shutil.which("espeak-ng"):
        pytest.skip("espeak-ng not installed")
    from bianmin.hall import voice
    from bianmin.hall.services import ticket_call_next, window_sign_in

    settings.VAR_DIR = tmp_path
    issue("HZ02")
    window_sign_in(actor=officer, window_code="W03")
    ticket_call_next(actor=officer, window_code="W03")
    client = Client()

    response = client.get("/hall/voice/A001/3.wav")
    assert response.status_code == 200
    assert response.content[:4] == b"RIFF"
    assert len(response.content) > 20_000

    # not called, called elsewhere, non-ASCII digits, a trailing newline, injection
    for bad in ("A002/3", "A001/4", "A%D9%A1%D9%A2%D9%A3/3", "A001%0A/3", "DROP;TABLE/3"):
        assert client.get(f"/hall/voice/{bad}.wav").status_code == 404, bad
    # the H4 attack: a thousand distinct anonymous requests leave the disk as it was
    files = set((tmp_path / "voice").rglob("*"))
    for n in range(10000, 11000):
        assert client.get(f"/hall/voice/Z{n}/{n % 99 + 1}.wav").status_code == 404
    assert set((tmp_path / "voice").rglob("*")) == files
    assert len(list((tmp_path / "voice").rglob("*.wav"))) <= len(voice.CLIP_TEXTS)


def test_voice_clips_are_a_fixed_set_whatever_is_called() -> None:
    from bianmin.hall import voice

    assert voice.clip_texts("A012", 12) == ["请", "A", "0", "1", "2", "号 到", "12", "号窗口办理"]
    assert len(voice.CLIP_TEXTS) == 3 + 26 + 10 + 90  # 1–9 are digits and windows
    assert not voice.is_valid("A١٢٣", 3)
    assert not voice.is_valid("A001\n", 3)
    assert not voice.is_valid("A001", 100)
    assert not voice.is_valid("A001", 0)


def test_board_fragment_and_overdue_slot(staff_by_role, login_client_for, hall, issue, clock):
    issue("HZ02")
    client = login_client_for(staff_by_role[Role.SHIFT_LEADER])
    page = client.get("/hall/board/").content.decode()
    assert 'data-testid="total-waiting">1<' in page
    fragment = client.get("/hall/board/", HTTP_HX_REQUEST="true").content.decode()
    assert "board-chart-data" in fragment
    assert "<html" not in fragment


def test_settings_screen_saves_and_audits(director, login_client_for, hall, clock) -> None:
    from bianmin.audit.selectors import audit_verify_chains
    from bianmin.hall.models import HallSettings

    client = login_client_for(director)
    form = {
        "weight_appointment": 30,
        "weight_elderly": 25,
        "weight_disabled": 20,
        "weight_military": 20,
        "elderly_age": 70,
        "wait_limit_minutes": 45,
        "recall_limit": 3,
        "requeue_places": 4,
        "requeue_limit": 1,
        "near_position": 3,
        "alert_wait_minutes": 25,
        "closed_notice": "",
    }
    response = client.post("/hall/settings/", form)
    assert response.status_code == 302
    saved = HallSettings.objects.get(center=hall)
    assert (saved.weight_elderly, saved.recall_limit, saved.wait_limit_minutes) == (25, 3, 45)
    assert audit_verify_chains() == []

    # a weight past the cap would outrank the waiting limit: refused in Chinese, nothing saved
    response = client.post("/hall/settings/", {**form, "weight_elderly": 20000})
    assert response.status_code == 200
    assert "1000" in response.content.decode()
    assert "确保" in response.content.decode()
    assert HallSettings.objects.get(center=hall).weight_elderly == 25


def test_the_ticket_table_refuses_a_weight_at_the_overdue_rank(issue, clock) -> None:
    """The calling rule's segments rest on it (`hall.selectors.pool`)."""
    from django.db import IntegrityError, transaction

    from bianmin.hall.models import OVERDUE_RANK, Ticket

    ticket = issue("HZ02")
    with pytest.raises(IntegrityError), transaction.atomic():
        Ticket.objects.filter(pk=ticket.pk).update(priority_weight=OVERDUE_RANK)
    Ticket.objects.filter(pk=ticket.pk).update(priority_weight=OVERDUE_RANK - 1)


def test_hall_pages_show_a_running_campaigns_extended_hours(hall, clock, director) -> None:
    from datetime import time, timedelta

    from bianmin.core import clock as core_clock
    from bianmin.fees.services import CampaignInput, campaign_save, fees_load_reference

    client = Client()
    for url in ("/hall/kiosk/TG/", "/hall/take/TG/", "/hall/display/TG/"):
        assert "/fees/campaign-hours/?center=TG" in client.get(url).content.decode(), url
    banner = "/fees/campaign-hours/?center=TG&fragment=1"
    assert "延长服务时间" not in client.get(banner).content.decode()

    fees_load_reference()
    today = core_clock.today()
    campaign_save(
        actor=director,
        data=CampaignInput(
            name="寒假中小学生免费办证",
            starts_on=today,
            ends_on=today + timedelta(days=30),
            opens_at=time(8, 0),
            closes_at=time(19, 0),
            extra_windows=["W11", "W12"],
        ),
    )

    shown = client.get(banner).content.decode()
    assert "寒假中小学生免费办证" in shown
    assert "延长服务时间 08:00–19:00" in shown
    assert "增开11号窗口、12号窗口" in shown
