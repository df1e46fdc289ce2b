"""Pages: the authorization matrix (denied → nothing changed), the staff screens render with
the deadline on every item, and the public pages leak nothing."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from bianmin.core import clock
from bianmin.core.permissions import Role
from bianmin.lost_found import services
from bianmin.lost_found.enums import FoundItemStatus
from bianmin.lost_found.models import LostReport
from bianmin.lost_found.tests.conftest import OWNER_ID, OWNER_NAME, OWNER_PHONE
from bianmin.lost_found.tests.factories import FoundItemFactory

pytestmark = pytest.mark.usefixtures("pinned", "templates")

ID_NUMBER = re.compile(r"\d{17}[\dXx]")
PHONE = re.compile(r"1[3-9]\d{9}")


STAFF_PAGES = {
    "lost_found:intake": {Role.SANITATION, Role.OFFICER, Role.SHIFT_LEADER},
    "lost_found:items": {Role.OFFICER, Role.SHIFT_LEADER},
    "lost_found:matches": {Role.OFFICER, Role.SHIFT_LEADER},
    "lost_found:expiry": {Role.OFFICER, Role.SHIFT_LEADER},
    "lost_found:disposals": {Role.OFFICER, Role.SHIFT_LEADER},
    "lost_found:stats": {Role.SHIFT_LEADER, Role.DIRECTOR, Role.INSPECTOR},
    "lost_found:settings": {Role.DIRECTOR},
}


@pytest.mark.parametrize("name", sorted(STAFF_PAGES))
@pytest.mark.parametrize("role", list(Role))
def test_staff_pages_authorization_matrix(staff_by_role, login_client_for, name, role):
    response = login_client_for(staff_by_role[role]).get(reverse(name))
    assert response.status_code == (200 if role in STAFF_PAGES[name] else 403)


@pytest.mark.parametrize("role", [Role.GUIDE, Role.SANITATION, Role.INSPECTOR, Role.DIRECTOR])
def test_roles_without_the_desk_cannot_publish_and_nothing_changes(
    staff_by_role, login_client_for, center, role
):
    item = FoundItemFactory.create(center=center, registered_by=staff_by_role[Role.OFFICER])
    response = login_client_for(staff_by_role[role]).post(
        reverse("lost_found:item_action", kwargs={"number": item.number, "action": "publish"})
    )
    assert response.status_code == 403
    item.refresh_from_db()
    assert (item.status, item.published_on) == (FoundItemStatus.STORED, None)


def test_anonymous_staff_pages_redirect_to_login():
    response = Client().get(reverse("lost_found:items"))
    assert response.status_code == 302


def test_item_page_shows_the_deadline_and_the_steps(officer, login_client_for, center, point):
    item = FoundItemFactory.create(center=center, registered_by=officer)
    client = login_client_for(officer)
    page = client.get(reverse("lost_found:item_detail", kwargs={"number": item.number}))
    assert "发布招领公告后起算一年" in page.content.decode()
    client.post(
        reverse("lost_found:item_action", kwargs={"number": item.number, "action": "publish"})
    )
    page = client.get(reverse("lost_found:items")).content.decode()
    assert "认领期限至 2027年11月30日" in page


def test_item_page_claim_with_missing_answers_shows_a_chinese_error(
    officer, login_client_for, center
):
    item = FoundItemFactory.create(center=center, registered_by=officer)
    response = login_client_for(officer).post(
        reverse("lost_found:item_action", kwargs={"number": item.number, "action": "claim"}),
        {"id_number": OWNER_ID, "control_answers": ""},
    )
    assert response.status_code == 400
    assert "核对问题" in response.content.decode()


def test_claim_then_handover_pdf_and_label_pdf(officer, login_client_for, center, point):
    item = FoundItemFactory.create(center=center, registered_by=officer, collection_point=point)
    client = login_client_for(officer)
    client.post(
        reverse("lost_found:item_action", kwargs={"number": item.number, "action": "claim"}),
        {"id_number": OWNER_ID, "control_answers": "两张银行卡"},
    )
    pdf = client.get(reverse("lost_found:item_handover", kwargs={"number": item.number}))
    label = client.get(reverse("lost_found:item_label", kwargs={"number": item.number}))
    assert pdf.status_code == label.status_code == 200
    assert pdf.content.startswith(b"%PDF")
    assert label.content.startswith(b"%PDF")


def test_expiry_and_stats_pages(officer, make_staff, login_client_for, center, pinned):
    leader = make_staff(Role.SHIFT_LEADER, username="leader_s")
    FoundItemFactory.create(
        center=center,
        registered_by=officer,
        status=FoundItemStatus.PUBLISHED,
        published_on=clock.today() - timedelta(days=400),
        claim_deadline=clock.today() - timedelta(days=30),
    )
    expiry = login_client_for(officer).get(reverse("lost_found:expiry")).content.decode()
    assert "已届满" in expiry
    stats = login_client_for(leader).get(reverse("lost_found:stats")).content.decode()
    assert 'id="lf-chart-data"' in stats
    assert "echarts.min.js" in stats


# --- public pages ------------------------------------------------------------------------------


def test_public_pages_leak_no_id_number_name_or_phone(sanitation, officer, owner, point, center):
    document = services.found_item_register(
        actor=sanitation,
        data=services.FoundItemInput(
            category="document",
            description=f"{OWNER_NAME}的身份证",
            found_at=clock.now() - timedelta(hours=1),
            place="人民路",
            document_type="id_card",
            document_number=OWNER_ID,
        ),
    )
    wallet = services.found_item_register(
        actor=sanitation,
        data=services.FoundItemInput(
            category="wallet",
            description=f"钱包 失主{OWNER_NAME} 电话{OWNER_PHONE} 现金500元",
            found_at=clock.now() - timedelta(hours=1),
            place="东风街",
        ),
    )
    for item in (document, wallet):
        services.found_item_receive(actor=officer, number=item.number, collection_point_id=point.pk)
        services.found_item_publish(actor=officer, number=item.number)
    client = Client()
    pages = [
        client.get(reverse("lost_found:public_search")),
        client.get(reverse("lost_found:public_search"), {"q": "身份证"}),
        client.get(reverse("lost_found:public_search"), {"q": OWNER_NAME}),
        client.get(reverse("lost_found:public_item", kwargs={"number": document.number})),
        client.get(reverse("lost_found:public_item", kwargs={"number": wallet.number})),
        client.post(
            reverse("lost_found:public_report"),
            {
                "category": "document",
                "description": "身份证",
                "lost_on": "2026-11-29",
                "place": "人民路",
                "phone": OWNER_PHONE,
            },
        ),
    ]
    for page in pages:
        # What the citizen typed is echoed in the form; everything else must be clean.
        text = re.sub(r'value="[^"]*"', "", page.content.decode())
        assert not ID_NUMBER.search(text)
        assert not PHONE.search(text)
        assert OWNER_NAME not in text
        assert "500" not in text
    assert "证件一件（已通知失主）" in pages[0].content.decode()


def test_the_public_report_answer_does_not_depend_on_what_is_stored(sanitation, center):
    client = Client()
    report = {
        "category": "bag",
        "description": "红色双肩包",
        "lost_on": "2026-11-29",
        "place": "人民路",
        "phone": "13800001111",
    }
    before = client.post(reverse("lost_found:public_report"), report).content.decode()
    FoundItemFactory.create(
        center=center, registered_by=sanitation, category="bag", description="红色双肩包"
    )
    after = client.post(reverse("lost_found:public_report"), report).content.decode()
    strip = re.compile(r'XW-\d{8}-\d{4}|value="[^"]+"|nonce="[^"]+"|"X-CSRFToken": "[^"]+"')
    assert strip.sub("", before) == strip.sub("", after)
    assert LostReport.objects.count() == 2


def test_public_follow_needs_the_phone_digits(center):
    report = services.lost_report_create(
        center_id=center.pk,
        category="keys",
        description="钥匙",
        lost_on=clock.today(),
        place="东风街",
        phone="13800001111",
    )
    client = Client()
    wrong = client.post(
        reverse("lost_found:public_follow"), {"number": report.number, "phone_last4": "0000"}
    )
    unknown = client.post(
        reverse("lost_found:public_follow"), {"number": "XW-20000101-0001", "phone_last4": "1111"}
    )
    right = client.post(
        reverse("lost_found:public_follow"), {"number": report.number, "phone_last4": "1111"}
    )
    assert wrong.status_code == unknown.status_code == 404
    assert right.status_code == 200
    assert "寻找中" in right.content.decode()


def test_public_report_page_is_throttled(center):
    client = Client()
    data = {
        "category": "bag",
        "description": "包",
        "lost_on": "2026-11-29",
        "place": "路口",
        "phone": "13800001111",
    }
    codes = [client.post(reverse("lost_found:public_report"), data).status_code for _ in range(6)]
    assert codes == [200] * 5 + [429]


def test_public_photo_only_for_allowed_published_categories(officer, center, sanitation):
    from bianmin.lost_found.models import FoundItemPhoto
    from bianmin.lost_found.tests.factories import jpeg_bytes

    bag = FoundItemFactory.create(
        center=center, registered_by=officer, category="bag", status=FoundItemStatus.PUBLISHED
    )
    wallet = FoundItemFactory.create(
        center=center, registered_by=officer, category="wallet", status=FoundItemStatus.PUBLISHED
    )
    stored_bag = FoundItemFactory.create(center=center, registered_by=officer, category="bag")
    photos = [
        FoundItemPhoto.objects.create(
            item=i, content_type="image/jpeg", content=jpeg_bytes(), size=1
        )
        for i in (bag, wallet, stored_bag)
    ]
    client = Client()
    codes = [
        client.get(reverse("lost_found:public_photo", kwargs={"photo_id": p.pk})).status_code
        for p in photos
    ]
    assert codes == [200, 404, 404]


def test_poster_has_a_qr_code_to_the_search_page():
    page = Client().get(reverse("lost_found:public_poster")).content.decode()
    assert "<svg" in page
    assert "/lost/" in page


def test_the_sanitation_worker_home_offers_the_intake(sanitation, login_client_for):
    home = login_client_for(sanitation).get(reverse("accounts:home"), follow=True)
    assert reverse("lost_found:intake") in home.content.decode()
