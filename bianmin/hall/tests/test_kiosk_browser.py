"""The self-service kiosk in chromium, each function once, with the simulated ID-card reader
and the simulated traffic platform: tiles and voice, high contrast and large font, a ticket,
case progress by card, the guide, found items and a lost report, the traffic query by keypad
and by card, call a guide (seen on the guide desk), and the idle reset that leaves no personal
data in the DOM or in storage."""

import pytest

from bianmin.core.permissions import Role
from tests.support.browser import session_cookie
from tests.support.id_reader_fake import FakeIdReader
from tests.support.traffic_fake import FAKE_APP_KEY, FAKE_APP_SECRET, FakeTrafficProvider

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

FAKE_ZH_VOICE = """
window.__spoken = [];
const fakeVoice = {lang: "zh-CN", name: "测试普通话", voiceURI: "fake-zh", default: true, localService: true};
speechSynthesis.getVoices = () => [fakeVoice];
speechSynthesis.speak = (u) => { window.__spoken.push(u.text); };
"""


@pytest.fixture
def devices(settings):
    with FakeIdReader(port=0) as reader, FakeTrafficProvider(port=0) as traffic:
        settings.ID_READER = f"zkidr={reader.url}"
        settings.TRAFFIC_PROVIDER_URL = traffic.url
        settings.TRAFFIC_PROVIDER_APP_KEY = FAKE_APP_KEY
        settings.TRAFFIC_PROVIDER_APP_SECRET = FAKE_APP_SECRET
        yield reader, traffic


def _scripts_ready(page):
    """The page's deferred kiosk and card-reader scripts have run (their listeners and the idle
    timers are set): an element can be clickable before that, and a tap then does nothing."""
    page.wait_for_function(
        "() => window.BianminKiosk !== undefined && document.readyState !== 'loading'"
    )


def _read_card(page, form):
    _scripts_ready(page)
    page.click(f"{form} [data-id-read]")


def _tap_keys(page, selector, text):
    _scripts_ready(page)  # the keypad opens from the kiosk script's focus listener
    page.click(selector)
    for ch in text:
        page.click(f"#kiosk-keypad [data-key='{ch}']")
    page.click("#kiosk-keypad [data-key='done']")


def test_the_kiosk_walk(
    live_server, browser, hall, ticking_clock, new_case, make_staff, devices
) -> None:
    case = new_case()
    context = browser.new_context(locale="zh-CN", viewport={"width": 1080, "height": 1920})
    context.add_init_script(FAKE_ZH_VOICE)
    page = context.new_page()
    start = f"{live_server.url}/hall/kiosk/TG/"
    page.goto(start + "?k=7")

    # the start screen: tiles, voice, modes
    keys = page.eval_on_selector_all("[data-tile]", "els => els.map(e => e.dataset.tile)")
    assert {"ticket", "case_progress", "guide", "found_items", "lost_report", "traffic"} <= set(
        keys
    )
    assert any("欢迎使用自助服务" in t for t in page.evaluate("window.__spoken"))
    page.click("[data-kiosk-mode=contrast]")
    page.click("[data-kiosk-mode=large]")
    assert page.evaluate("document.body.className").count("kiosk-") >= 2

    # 1. a ticket
    page.click("[data-tile=ticket]")
    page.click("label[for^=cat-]:first-of-type")
    page.locator(".hall-tab-panel input[value=HZ02]").check(force=True)
    page.click("#kiosk-go")
    page.wait_for_selector(".hall-ticket-number")
    page.goto(start)

    # 2. case progress by the card
    page.click("[data-tile=case_progress]")
    _read_card(page, "#kiosk-card-form")
    page.wait_for_selector("[data-testid=kiosk-progress-cases]")
    assert case.number in page.inner_text("[data-testid=kiosk-progress-cases]")
    page.goto(start)

    # 3. the guide
    page.click("[data-tile=guide]")
    page.click("a[href$='/items/HZ02/']")
    page.wait_for_selector("text=需要带的材料")
    page.goto(start)

    # 4. found items and a lost report (phone on the keypad)
    page.click("[data-tile=found_items]")
    page.click("[data-testid=found-categories] a[href='?category=wallet']")
    page.wait_for_selector("[data-testid=found-results]")
    page.goto(start)
    page.click("[data-tile=lost_report]")
    page.select_option("select[name=category]", "wallet")
    _tap_keys(page, "input[name=phone]", "13912345678")
    page.click("text=提交登记")
    page.wait_for_selector("[data-testid=lost-report-done]")
    page.goto(start)

    # 5. traffic by plate + VIN on the keypad, then by the card
    page.click("[data-tile=traffic]")
    _tap_keys(page, "input[name=plate]", "E12345")
    _tap_keys(page, "input[name=vin_last6]", "123456")
    page.click("text=② 查询")
    page.wait_for_selector("[data-testid=traffic-result]")
    assert "共 2 条记录" in page.inner_text("[data-testid=traffic-result]")
    page.goto(start)
    page.click("[data-tile=traffic]")
    _read_card(page, "#traffic-card-form")
    page.wait_for_selector("[data-testid=traffic-result]")
    assert "共 1 条记录" in page.inner_text("[data-testid=traffic-result]")

    # 6. call a guide: the guide desk shows kiosk 7
    page.click(".kiosk-call-button")
    page.wait_for_selector("#kiosk-call-result.ok")
    guide = make_staff(Role.GUIDE)
    desk_context = browser.new_context(locale="zh-CN")
    desk_context.add_cookies([session_cookie(guide, live_server.url)])
    desk = desk_context.new_page()
    desk.goto(f"{live_server.url}/hall/guide/")
    desk.wait_for_selector("tr[data-kiosk='7']")
    desk_context.close()
    context.close()


def test_idle_reset_leaves_no_personal_data(live_server, browser, hall, ticking_clock, devices):
    context = browser.new_context(locale="zh-CN")
    context.add_init_script(FAKE_ZH_VOICE)
    page = context.new_page()
    page.clock.install()
    page.goto(f"{live_server.url}/hall/kiosk/TG/?k=3")
    page.click("[data-kiosk-mode=contrast]")
    page.click("[data-tile=traffic]")
    _read_card(page, "#traffic-card-form")
    page.wait_for_selector("[data-testid=traffic-result]")
    _scripts_ready(page)  # time moved before the idle timers are armed would not count
    result_url = page.url
    # what a page might have kept about the citizen
    page.evaluate(
        "sessionStorage.setItem('bianmin.kiosk.card', '610522199005011233');"
        "localStorage.setItem('draft.plate', '陕E12345');"
    )
    assert "机动车不按交通信号灯规定通行" in page.content()

    page.clock.run_for(36_000)
    assert page.is_visible("#kiosk-idle-warning")
    page.clock.run_for(10_000)
    page.wait_for_url(f"{live_server.url}/hall/kiosk/TG/")
    assert page.url != result_url
    html = page.content()
    for personal in ("机动车不按交通信号灯规定通行", "610522199005011233", "陕E1***5", "王建国"):
        assert personal not in html
    # htmx notes the page's path (not personal); nothing else is left
    session = page.evaluate("Object.assign({}, sessionStorage)")
    assert set(session) <= {"htmx-current-path-for-history"}
    assert set(session.values()) <= {"/hall/kiosk/TG/"}
    kept = page.evaluate("Object.keys(localStorage)")
    assert set(kept) <= {"bianmin.kiosk.number", "bianmin.idReader"}
    assert page.evaluate("localStorage.getItem('bianmin.kiosk.number')") == "3"
    assert "kiosk-contrast" not in page.evaluate("document.body.className")
    context.close()


NO_ZH_VOICE = """
window.__played = [];
speechSynthesis.getVoices = () => [];
window.Audio = function (src) { window.__played.push(src); return {play: () => Promise.resolve()}; };
"""


def test_without_a_mandarin_voice_the_server_prompt_plays(live_server, browser, hall, devices):
    context = browser.new_context(locale="zh-CN")
    context.add_init_script(NO_ZH_VOICE)
    page = context.new_page()
    page.goto(f"{live_server.url}/hall/kiosk/TG/")
    page.wait_for_function("() => window.__played.length > 0")
    assert page.evaluate("window.__played") == ["/hall/kiosk-voice/start.wav"]
    page.click("[data-tile=traffic]")
    page.wait_for_function("() => window.__played.length > 0")
    assert page.evaluate("window.__played") == ["/hall/kiosk-voice/traffic.wav"]
    context.close()
