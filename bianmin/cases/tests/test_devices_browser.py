"""The window flow in chromium with the simulated ID-card reader (tests/support/id_reader_fake):
one press of 读卡 fills the applicant, the window confirmation is a second read, and the ID
number is never typed; without a reader service the page says so and typing still works."""

import pytest

from bianmin.cases.enums import ConfirmationMethod, ConfirmationStage
from bianmin.cases.models import Case
from tests.support.browser import session_cookie
from tests.support.case_builders import ADULT_ID, ADULT_NAME, PHONE
from tests.support.id_reader_fake import DEMO_CARDS, FakeIdReader

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def reader():
    with FakeIdReader(port=0) as fake:
        yield fake


def _open_window(browser, live_server, officer):
    context = browser.new_context(locale="zh-CN")
    context.add_cookies([session_cookie(officer, live_server.url)])
    page = context.new_page()
    typed: list[str] = []
    page.expose_function("__typed", lambda name: typed.append(name))
    page.add_init_script(
        "document.addEventListener('keydown', e => { if (e.target && e.target.name) "
        "window.__typed(e.target.name); }, true);"
    )
    page.goto(f"{live_server.url}/cases/window/")
    return context, page, typed


@pytest.mark.parametrize("protocol", ["cgi", "zkidr"])
def test_window_flow_with_the_reader_never_types_the_id_number(
    live_server, setup, officer, browser, reader, settings, protocol
):
    settings.ID_READER = f"{protocol}={reader.url}"
    assert DEMO_CARDS[0].id_number == ADULT_ID
    context, page, typed = _open_window(browser, live_server, officer)

    page.select_option("select[name=item_code]", "HZ02")
    page.click("#applicant-form [data-id-read]")
    page.wait_for_selector("#applicant-form [data-id-read-status].ok")
    assert page.input_value("#applicant-form input[name=name]") == ADULT_NAME
    assert page.is_checked("#applicant-form input[name=gender][value=male]")
    page.wait_for_selector("#id-check .badge.ok")  # the live check ran on the read number
    page.fill("input[name=phone]", PHONE)
    page.click("text=登记并开始预审")
    page.wait_for_selector("text=申请人窗口核对确认")

    # the window confirmation: the card read again
    page.click("#confirm-form [data-id-read]")
    page.wait_for_selector("#confirm-form [data-id-read-status].ok")
    page.click("text=申请人确认无误")
    page.wait_for_selector("text=已核对")
    assert "读取身份证" in page.inner_text("[data-testid=confirmations]")
    assert "id_number" not in typed
    assert reader.reads == 2
    context.close()

    case = Case.objects.get()
    methods = dict(case.confirmations.values_list("stage", "method"))
    assert methods == {
        ConfirmationStage.FORM: ConfirmationMethod.CARD,
        ConfirmationStage.WINDOW: ConfirmationMethod.CARD,
    }
    assert case.applicant.id_number == ADULT_ID


def test_without_a_reader_the_officer_types(live_server, setup, officer, browser, settings):
    settings.ID_READER = "cgi=http://127.0.0.1:9"  # nothing listens there
    context, page, _typed = _open_window(browser, live_server, officer)
    page.click("#applicant-form [data-id-read]")
    page.wait_for_selector("#applicant-form [data-id-read-status].alert")
    assert "未检测到身份证阅读器" in page.inner_text("#applicant-form [data-id-read-status]")

    page.select_option("select[name=item_code]", "HZ02")
    page.fill("input[name=name]", ADULT_NAME)
    page.check("input[name=gender][value=male]")
    page.fill("input[name=id_number]", ADULT_ID)
    page.fill("input[name=phone]", PHONE)
    page.click("text=登记并开始预审")
    page.wait_for_selector("text=申请人窗口核对确认")
    page.fill("#case-panel input[name=name]", ADULT_NAME)
    page.select_option("#case-panel select[name=gender]", "male")
    page.fill("#case-panel input[name=id_number]", ADULT_ID)
    page.click("text=申请人确认无误")
    page.wait_for_selector("text=已核对")
    context.close()
    methods = set(Case.objects.get().confirmations.values_list("method", flat=True))
    assert methods == {ConfirmationMethod.TYPED}
