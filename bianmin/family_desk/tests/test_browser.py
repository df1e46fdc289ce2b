"""A family member, on a phone, signs in with an SMS code, finds a procedure and asks the desk."""

import pytest

from bianmin.family_desk.models import DeskRequest
from bianmin.family_desk.tests.factories import FamilyMemberFactory
from tests.support.sms_outbox import sms_received

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_family_member_asks_on_the_phone_page(
    daytime, live_server, browser, templates, officer, procedure
):
    member = FamilyMemberFactory(officer=officer, phone="13900007777", name="李秀兰")
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/m/desk/TG/")
        assert page.locator("h1").inner_text() == "惠民暖警服务台"
        page.get_by_label("手机号码").fill("13900007777")
        page.get_by_role("button", name="获取验证码").click()
        page.get_by_text("验证码已发送").wait_for()
        code = sms_received("desk_sign_in_code")["params"]["code"]
        page.get_by_label("短信验证码").fill(code)
        page.get_by_role("button", name="登录").click()
        page.get_by_text("您好，李秀兰").wait_for()

        page.get_by_role("link", name="查办事指南").click()
        page.get_by_label("搜索办事指南").fill("买房取公积金")
        page.get_by_role("button", name="搜索").click()
        page.get_by_role("link", name="购房提取住房公积金").click()
        assert "需要带的材料" in page.content()
        # Nothing wider than the phone: the page reads without sideways scrolling.
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.get_by_role("link", name="就这件事问服务台").click()

        assert page.get_by_label("要办的事").input_value() == "购房提取住房公积金"
        page.get_by_label("需要什么帮助").select_option(label="帮办")
        page.get_by_label("您的问题").fill("二手房能提取我和爱人两个人的公积金吗？")
        page.get_by_role("button", name="提交").click()
        page.get_by_text("服务台尚未答复").wait_for()
        asked = DeskRequest.objects.get()
        assert asked.requester_family == member
        assert asked.procedure == procedure
        assert asked.type == "assisted"
        assert asked.number in page.locator("h1").inner_text()
        assert "待受理" in page.content()
    finally:
        context.close()
