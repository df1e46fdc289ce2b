import pytest

from bianmin.catalogue.models import ServiceItem
from tests.support.browser import client_cookie

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_director_adds_a_material_in_the_browser(
    live_server, page, catalogue, province_director, login_client_for
) -> None:
    client = login_client_for(province_director)
    page.context.add_cookies([client_cookie(client, live_server.url)])
    page.goto(f"{live_server.url}/catalogue/HZ02/")
    page.get_by_label("新材料编码").fill("residence_booklet")
    page.get_by_label("新材料名称").fill("居住证明")
    page.get_by_label("新材料何时需要").select_option("non_local")
    page.get_by_label("新增原因").first.fill("外地户籍需补充")
    page.get_by_role("button", name="新增").first.click()
    page.wait_for_load_state()
    assert "已保存 HZ02 的修改" in page.content()
    material = ServiceItem.objects.get(code="HZ02").materials.get(code="residence_booklet")
    assert (material.name, material.required_when) == ("居住证明", "non_local")
