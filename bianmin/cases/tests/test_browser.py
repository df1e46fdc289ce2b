"""The whole officer flow in chromium: register, confirm, pre-review, one-time notice (PDF),
accept (receipt PDF), back-office queue, backlog board, public progress with the phone digits;
and the one-click arrival list with its progress (the root conftest's shared browser)."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from bianmin.cases.models import Case
from bianmin.cases.tests.conftest import pdf_text
from tests.support.browser import session_cookie
from tests.support.case_builders import ADULT_ID, ADULT_NAME, PHONE
from tests.support.sms_outbox import outbox_lines

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_officer_flow_from_registration_to_progress(
    live_server, setup, officer, back_office, browser, tmp_path
):
    context = browser.new_context(locale="zh-CN")
    context.add_cookies([session_cookie(officer, live_server.url)])
    page = context.new_page()
    page.goto(f"{live_server.url}/cases/window/")

    # 1. the applicant's data, with the live ID-number check
    page.select_option("select[name=item_code]", "HZ02")
    page.fill("input[name=name]", ADULT_NAME)
    page.check("input[name=gender][value=male]")
    page.fill("input[name=id_number]", ADULT_ID)
    page.wait_for_selector("#id-check .badge.ok")
    page.fill("input[name=phone]", PHONE)
    page.click("text=登记并开始预审")
    page.wait_for_selector("text=申请人窗口核对确认")
    number = page.inner_text("[data-testid=case-number]").strip()
    assert re.fullmatch(r"TG-\d{8}-0001", number)

    # 2. window confirmation (零差错)
    page.fill("#case-panel input[name=name]", ADULT_NAME)
    page.select_option("#case-panel select[name=gender]", "male")
    page.fill("#case-panel input[name=id_number]", ADULT_ID)
    page.click("text=申请人确认无误")
    page.wait_for_selector("text=已核对")

    # 3. pre-review: the photo is missing → the one-time notice
    page.check("tr[data-material=old_id_card] input[value=provided]")
    page.check("tr[data-material=household_register] input[value=provided]")
    page.check("tr[data-material=photo] input[value=missing]")
    page.click("text=保存预审结果")
    page.wait_for_selector("text=出具一次性告知单")
    page.click("button:has-text('出具一次性告知单')")
    link = page.wait_for_selector("[data-testid=notice-link]")
    notice = page.request.get(f"{live_server.url}{link.get_attribute('href')}")
    assert notice.status == 200
    (tmp_path / "n").mkdir()
    text = "".join(pdf_text(notice.body(), tmp_path / "n").split())
    assert "一次性告知单" in text
    assert "近期免冠照片" in text
    assert number in text

    # 4. the applicant returns with the photo: accept → receipt
    page.check("tr[data-material=photo] input[value=provided]")
    page.click("text=保存预审结果")
    page.wait_for_selector("text=材料齐全，受理")
    page.click("text=材料齐全，受理")
    receipt_link = page.wait_for_selector("[data-testid=receipt-link]")
    assert page.inner_text("[data-testid=case-status]") == "已受理"
    receipt = page.request.get(f"{live_server.url}{receipt_link.get_attribute('href')}")
    assert receipt.status == 200
    (tmp_path / "r").mkdir()
    text = "".join(pdf_text(receipt.body(), tmp_path / "r").split())
    assert "受理回执" in text
    assert number in text
    assert "居民身份证到期换领/变更换领" in text

    # 5. the back office sees it in its queue and on the backlog board
    back = browser.new_context(locale="zh-CN")
    back.add_cookies([session_cookie(back_office, live_server.url)])
    bpage = back.new_page()
    bpage.goto(f"{live_server.url}/cases/queue/?stage=review")
    row = bpage.wait_for_selector(f"tr[data-case='{number}']")
    row.query_selector("button:has-text('认领')").click()
    bpage.wait_for_selector("text=已认领")
    bpage.click(f"tr[data-case='{number}'] button:has-text('完成审核')")
    bpage.wait_for_selector("text=已完成“审核”")
    bpage.goto(f"{live_server.url}/cases/backlog/")
    assert bpage.inner_text("[data-testid=backlog-total]") == "1"
    bpage.wait_for_selector("#backlog-trend canvas")

    # 6. the citizen on the public progress page, with the phone digits
    citizen = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 800})
    cpage = citizen.new_page()
    cpage.goto(f"{live_server.url}/progress/?number={number}")
    cpage.fill("input[name=phone_last4]", PHONE[-4:])
    cpage.click("button:has-text('查询')")
    result = cpage.wait_for_selector("[data-testid=progress-result]")
    assert "审批中" in result.inner_text()
    assert "王*国" in result.inner_text()
    assert Case.objects.get(number=number).stage == "review"


# A weekday mid-morning: outside the 21:00–08:00 quiet hours, whatever the hour the suite runs.
DAYTIME = datetime(2026, 12, 1, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def daytime():
    """Server-side clock pinned to a daytime hour and ticking, so the live server and the task
    worker thread see the same moment the browser's requests arrive in."""
    with time_machine.travel(DAYTIME, tick=True) as traveller:
        yield traveller


@pytest.mark.usefixtures("templates")
def test_one_click_batch_shows_progress_and_report(
    daytime, live_server, browser, waiting_cases, back_office, outbox
):
    from bianmin.notifications.models import Message

    cases = waiting_cases(12)
    context = browser.new_context(locale="zh-CN")
    context.add_cookies([session_cookie(back_office, live_server.url)])
    page = context.new_page()
    page.goto(f"{live_server.url}/sms/batches/")
    page.fill("textarea[name=lines]", "\n".join([c.number for c in cases] + ["TG-00000000-0000"]))
    page.click("text=导入并预览")
    page.wait_for_selector("#send-batch")
    assert page.inner_text("#send-batch") == "一键发送 12 条领取通知"
    assert "未找到待到证的办件" in page.content()
    page.click("#send-batch")
    page.wait_for_selector("#batch-progress .badge.ok")
    assert "12 / 12（100%）" in page.inner_text("[data-testid=batch-counts]")
    # the cases' acceptance also invited each applicant to rate it (rating_invite)
    assert Message.objects.filter(template_code="pickup_ready", status="delivered").count() == 12
    sent = [line for line in outbox_lines(outbox) if line["template_code"] == "pickup_ready"]
    assert len(sent) == 12
    context.close()
