import pytest
import time_machine
from django_otp.plugins.otp_totp.models import TOTPDevice

from bianmin.accounts.models import Staff
from bianmin.accounts.tests.factories import code_now
from bianmin.core.permissions import Role
from conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Each role's work screen after sign-in (the director's console is the home page).
LANDINGS = {
    Role.OFFICER: "/hall/workspace/",
    Role.BACK_OFFICE: "/cases/queue/",
    Role.GUIDE: "/hall/guide/",
    Role.SHIFT_LEADER: "/hall/board/",
    Role.DIRECTOR: "/",
    Role.INSPECTOR: "/audit/",
    Role.SANITATION: "/lost/intake/",
    Role.ADMINISTRATOR: "/staff/",
    Role.DESK_OFFICER: "/desk/board/",
}


def _glyphs_render(page) -> bool:
    """True when the Chinese heading is drawn with a CJK font (not tofu boxes): a CJK font
    gives 窗 and 口 different widths from the missing-glyph box."""
    return page.evaluate("""() => {
        const c = document.createElement('canvas').getContext('2d');
        const font = getComputedStyle(document.querySelector('h1')).fontFamily;
        c.font = '32px ' + font;
        const cjk = c.measureText('警务服务中心').width;
        c.font = '32px monospace';
        return document.fonts.check('16px "Noto Sans CJK SC"') && cjk > 100;
    }""")


@pytest.mark.parametrize("role", list(Role))
@time_machine.travel("2026-11-30 10:00 +0800", tick=True)
def test_each_role_logs_in_and_lands_on_its_work_screen_in_chinese(
    live_server, page, catalogue, windows, staff_by_role, role
) -> None:
    staff: Staff = staff_by_role[role]
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill(staff.username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    if staff.needs_two_factor:
        page.wait_for_url("**/accounts/totp/")
        assert page.locator("h1").inner_text() == "绑定动态口令"
        device = TOTPDevice.objects.get(user=staff)
        page.get_by_label("6位动态口令").fill(code_now(device))
        page.get_by_role("button", name="确认").click()
    page.wait_for_url(f"{live_server.url}{LANDINGS[role]}")
    if LANDINGS[role] == "/":
        assert page.locator("h1").inner_text() == f"{role.label}工作台"
    assert page.locator(".who .role").inner_text() == role.label
    assert _glyphs_render(page)


def test_wrong_password_shows_a_chinese_message(live_server, page, officer) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill("officer01")
    page.get_by_label("密码").fill("wrong")
    page.get_by_role("button", name="登录").click()
    assert page.get_by_role("alert").inner_text() == "用户名或密码错误"


@time_machine.travel("2026-11-30 10:00 +0800", tick=True)
def test_director_sets_a_lunch_break_on_the_hours_screen(live_server, page, center, director):
    from datetime import date, time

    from bianmin.accounts.selectors import center_hours

    TOTPDevice.objects.create(user=director, name="认证器", confirmed=True)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill(director.username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/accounts/totp/")
    page.get_by_label("6位动态口令").fill(code_now(TOTPDevice.objects.get(user=director)))
    page.get_by_role("button", name="确认").click()
    page.wait_for_url(f"{live_server.url}/")
    page.get_by_role("link", name="服务时间").first.click()
    page.wait_for_url("**/staff/hours/")
    page.locator("[name=d0-lunch_from]").fill("12:00")
    page.locator("[name=d0-lunch_to]").fill("13:30")
    page.get_by_role("button", name="保存每周服务时间").click()
    page.wait_for_url("**/staff/hours/")
    assert "已保存每周服务时间" in page.locator(".flash").inner_text()
    monday = center_hours(center_id=center.pk, day=date(2026, 11, 30))
    assert monday.lunch_from == time(12, 0)
    assert not monday.is_open_at(time(12, 30))
    # a lunch break outside the day is refused in Chinese
    page.locator("[name=d1-lunch_from]").fill("07:00")
    page.locator("[name=d1-lunch_to]").fill("07:30")
    page.get_by_role("button", name="保存每周服务时间").click()
    assert page.get_by_role("alert").inner_text() == "星期二：午休应在上班时间之内"
