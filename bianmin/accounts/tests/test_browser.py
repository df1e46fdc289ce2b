import pyotp
import pytest

from bianmin.accounts.models import Staff
from bianmin.core.permissions import Role
from conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HOME_TITLES = {role: f"{role.label}工作台" for role in Role}


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
def test_each_role_logs_in_and_sees_its_home_in_chinese(
    live_server, page, staff_by_role, role
) -> None:
    staff: Staff = staff_by_role[role]
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill(staff.username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    if staff.needs_two_factor:
        page.wait_for_url("**/accounts/totp/")
        assert page.locator("h1").inner_text() == "绑定动态口令"
        staff.refresh_from_db()
        page.get_by_label("6位动态口令").fill(pyotp.TOTP(staff.totp_secret).now())
        page.get_by_role("button", name="确认").click()
    page.wait_for_url(f"{live_server.url}/")
    assert page.locator("h1").inner_text() == HOME_TITLES[role]
    assert page.locator(".who .role").inner_text() == role.label
    assert _glyphs_render(page)


def test_wrong_password_shows_a_chinese_message(live_server, page, officer) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill("officer01")
    page.get_by_label("密码").fill("wrong")
    page.get_by_role("button", name="登录").click()
    assert page.get_by_role("alert").inner_text() == "用户名或密码错误"
