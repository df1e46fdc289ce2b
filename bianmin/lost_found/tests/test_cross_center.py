"""Every write endpoint and form, called by center B's staff on center A's items: refused
(404, as if the item did not exist) and nothing changed.

Covered URL names / API operations:
  API  api-1:found_item_publish       POST /api/v1/found-items/{number}/publish
  API  api-1:found_item_claim         POST /api/v1/found-items/{number}/claims
  API  api-1:found_item_handover      GET  /api/v1/found-items/{number}/handover.pdf
  API  api-1:found_item_create        POST /api/v1/found-items (an item lands in B's own center)
  HTML lost_found:item_detail         GET  /lost/items/<number>/
  HTML lost_found:item_action         POST /lost/items/<number>/{receive,publish,claim,dispose,
                                            match_confirm,match_reject}/
  HTML lost_found:item_label          GET  /lost/items/<number>/label.pdf
  HTML lost_found:item_handover       GET  /lost/items/<number>/handover.pdf
  HTML lost_found:item_photo          GET  /lost/photos/<id>/
  HTML lost_found:match_action        POST /lost/matches/decide/
  HTML lost_found:disposals           POST /lost/disposals/ (decision)
  HTML lost_found:settings            POST /lost/settings/ (B's rules only)
  HTML lost_found:intake_done         GET  /lost/intake/<number>/
"""

from datetime import timedelta

import pytest
from django.urls import reverse

from bianmin.core import clock
from bianmin.core.permissions import Role
from bianmin.lost_found.enums import DisposalMethod, FoundItemStatus
from bianmin.lost_found.models import (
    CategoryRule,
    Claim,
    Disposal,
    FoundItem,
    FoundItemPhoto,
    LostReport,
    Match,
)
from bianmin.lost_found.tests.conftest import OWNER_ID
from bianmin.lost_found.tests.factories import CollectionPointFactory, FoundItemFactory, jpeg_bytes

pytestmark = pytest.mark.usefixtures("pinned", "templates")


@pytest.fixture
def a_world(center, make_staff):
    officer_a = make_staff(Role.OFFICER, username="officer_a")
    item = FoundItemFactory.create(
        center=center, registered_by=officer_a, status=FoundItemStatus.STORED
    )
    published = FoundItemFactory.create(
        center=center,
        registered_by=officer_a,
        status=FoundItemStatus.PUBLISHED,
        published_on=clock.today() - timedelta(days=400),
        claim_deadline=clock.today() - timedelta(days=35),
    )
    photo = FoundItemPhoto.objects.create(
        item=item, content_type="image/jpeg", content=jpeg_bytes(), size=10
    )
    report = LostReport.objects.create(
        center=center,
        number="XW-20261130-0001",
        category="wallet",
        description="黑色钱包",
        lost_on=clock.today(),
        place="人民路",
        phone="13800001111",
        phone_masked="138****1111",
    )
    match = Match.objects.create(center=center, found_item=item, lost_report=report, score=0.9)
    disposal = Disposal.objects.create(
        center=center,
        item=published,
        method=DisposalMethod.TREASURY,
        note="期满",
        requested_by=officer_a,
    )
    FoundItem.objects.filter(pk=published.pk).update(status=FoundItemStatus.DISPOSAL_REQUESTED)
    return {
        "item": item,
        "published": published,
        "photo": photo,
        "match": match,
        "disposal": disposal,
    }


@pytest.fixture
def b_staff(other_center, make_staff):
    return {
        "officer": make_staff(Role.OFFICER, username="officer_b", center_=other_center),
        "leader": make_staff(Role.SHIFT_LEADER, username="leader_b", center_=other_center),
        "director": make_staff(Role.DIRECTOR, username="director_b", center_=other_center),
        "sanitation": make_staff(Role.SANITATION, username="sanitation_b", center_=other_center),
    }


def snapshot():
    return (
        list(
            FoundItem.objects.order_by("pk").values_list(
                "pk", "status", "collection_point_id", "published_on"
            )
        ),
        Claim.objects.count(),
        list(Match.objects.values_list("pk", "status")),
        list(Disposal.objects.values_list("pk", "status")),
        CategoryRule.objects.filter(center__code="TG").count(),
    )


@pytest.mark.parametrize(
    "call",
    [
        "api_publish",
        "api_claim",
        "api_handover",
    ],
)
def test_center_b_api_calls_on_center_a_items_are_not_found(a_world, b_staff, api_client_for, call):
    client = api_client_for(b_staff["officer"])
    number = a_world["item"].number
    before = snapshot()
    if call == "api_publish":
        response = client.post(reverse("api-1:found_item_publish", kwargs={"number": number}))
    elif call == "api_claim":
        response = client.post(
            reverse("api-1:found_item_claim", kwargs={"number": number}),
            {"id_number": OWNER_ID, "control_answers": "钱包"},
            content_type="application/json",
        )
    else:
        response = client.get(reverse("api-1:found_item_handover", kwargs={"number": number}))
    assert response.status_code == 404
    assert snapshot() == before


def test_center_b_intake_lands_in_center_b(a_world, b_staff, api_client_for, other_center):
    response = api_client_for(b_staff["sanitation"]).post(
        reverse("api-1:found_item_create"),
        {
            "category": "bag",
            "description": "蓝色手提包",
            "found_at": (clock.local(clock.now()) - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "place": "华阴市岳庙街",
        },
    )
    assert response.status_code == 200
    assert FoundItem.objects.get(number=response.json()["number"], center=other_center)


@pytest.mark.parametrize(
    "action", ["receive", "publish", "claim", "dispose", "match_confirm", "match_reject"]
)
def test_center_b_item_forms_on_center_a_items_are_not_found(
    a_world, b_staff, login_client_for, action
):
    client = login_client_for(b_staff["officer"])
    point_b = CollectionPointFactory.create(center=b_staff["officer"].center)
    before = snapshot()
    response = client.post(
        reverse(
            "lost_found:item_action", kwargs={"number": a_world["item"].number, "action": action}
        ),
        {
            "collection_point": point_b.pk,
            "id_number": OWNER_ID,
            "control_answers": "钱包",
            "method": "destroy",
            "note": "x",
            "match_id": a_world["match"].pk,
        },
    )
    assert response.status_code == 404
    assert snapshot() == before


@pytest.mark.parametrize("name", ["item_detail", "item_label", "item_handover", "intake_done"])
def test_center_b_item_pages_on_center_a_items_are_not_found(
    a_world, b_staff, login_client_for, name
):
    client = login_client_for(b_staff["officer"])
    response = client.get(reverse(f"lost_found:{name}", kwargs={"number": a_world["item"].number}))
    assert response.status_code == 404


def test_center_b_cannot_see_center_a_photos(a_world, b_staff, login_client_for):
    client = login_client_for(b_staff["officer"])
    response = client.get(
        reverse("lost_found:item_photo", kwargs={"photo_id": a_world["photo"].pk})
    )
    assert response.status_code == 404


def test_center_b_cannot_decide_center_a_matches(a_world, b_staff, login_client_for):
    before = snapshot()
    login_client_for(b_staff["officer"]).post(
        reverse("lost_found:match_action"), {"match_id": a_world["match"].pk, "decision": "confirm"}
    )
    assert snapshot() == before


def test_center_b_leader_cannot_approve_center_a_disposals(a_world, b_staff, login_client_for):
    before = snapshot()
    response = login_client_for(b_staff["leader"]).post(
        reverse("lost_found:disposals"),
        {"disposal_id": a_world["disposal"].pk, "decision": "approve"},
    )
    assert response.status_code == 404
    assert snapshot() == before


def test_center_b_director_changes_only_center_b_rules(
    a_world, b_staff, login_client_for, other_center
):
    before = snapshot()
    login_client_for(b_staff["director"]).post(
        reverse("lost_found:settings"),
        {"category": "bag", "photo_public": "on", "retention_days": "", "perishable_days": "3"},
    )
    assert snapshot() == before
    assert CategoryRule.objects.filter(center=other_center, category="bag").count() == 1
