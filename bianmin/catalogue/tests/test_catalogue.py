import json

import pytest
from django.test import Client

from bianmin.catalogue.conditions import is_required
from bianmin.catalogue.models import ServiceItem
from bianmin.catalogue.services import REFERENCE_FILE, catalogue_load_reference, item_update
from bianmin.core.errors import DomainError, PermissionDenied

pytestmark = pytest.mark.django_db

REFERENCE = {row["code"]: row for row in json.loads(REFERENCE_FILE.read_text())}


def test_reference_load_creates_the_36_items_once() -> None:
    assert catalogue_load_reference() == 36
    assert catalogue_load_reference() == 0
    assert ServiceItem.objects.count() == 36


def test_items_endpoint_matches_the_contract(catalogue) -> None:
    data = Client().get("/api/v1/items").json()
    by_code = {row["code"]: row for row in data}
    assert len(data) == 36
    assert set(data[0]) == {
        "code",
        "name",
        "category",
        "fee_yuan",
        "promised_workdays",
        "materials",
    }
    assert by_code["HZ02"]["fee_yuan"] == 20
    assert by_code["CR01"]["fee_yuan"] == 120
    assert by_code["HZ01"]["promised_workdays"] == 7
    guardian = [m for m in by_code["HZ01"]["materials"] if m["code"] == "guardian_id"]
    assert guardian == [
        {"code": "guardian_id", "name": "监护人居民身份证", "required_when": "guardian"}
    ]


@pytest.mark.parametrize(
    ("code", "fee_fen", "days"),
    [
        ("HZ01", 0, 7),
        ("HZ02", 2000, 7),
        ("HZ03", 4000, 7),
        ("HZ04", 1000, 0),
        ("HZ10", 800, 0),
        ("JG01", 1000, 1),
        ("JG04", 10000, 1),
        ("JG05", 500, 0),
        ("CR01", 12000, 7),
        ("CR02", 6000, 7),
        ("CR03", 1500, 7),
        ("CR04", 6000, 7),
        ("ZA02", 0, 20),
        ("WA01", 0, 10),
    ],
)
def test_reference_fees_and_limits_follow_the_catalogue(code, fee_fen, days) -> None:
    assert (REFERENCE[code]["fee_fen"], REFERENCE[code]["promised_workdays"]) == (fee_fen, days)


def test_cr03_endorsement_types_are_priced() -> None:
    assert {v["code"]: v["fee_fen"] for v in REFERENCE["CR03"]["fee_variants"]} == {
        "single": 1500,
        "two_trips": 3000,
        "multi_1y": 8000,
        "multi_2y": 12000,
        "multi_3y": 16000,
        "multi_long": 24000,
    }


@pytest.mark.parametrize(
    ("when", "facts", "expected"),
    [
        ("guardian", {"age": 15}, True),
        ("guardian", {"age": 16}, False),
        ("guardian", {"age": 30, "guardian": True}, True),
        ("non_local", {}, False),
        ("non_local", {"non_local": True}, True),
        ("always", {}, True),
        ("aged_16_plus", {"age": 16}, True),
    ],
)
def test_conditional_materials(when, facts, expected) -> None:
    assert is_required(when, facts) is expected


def test_director_edit_keeps_history_and_audit(catalogue, province_director) -> None:
    item = ServiceItem.objects.get(code="HZ12")
    item_update(
        actor=province_director, item=item, changes={"promised_workdays": 10}, reason="提速"
    )
    item.refresh_from_db()
    assert item.promised_workdays == 10
    assert [r.reason for r in item.revisions.all()] == ["提速", "参考数据导入"]


def test_edit_refuses_unknown_fields_and_non_directors(
    catalogue, province_director, officer
) -> None:
    item = ServiceItem.objects.get(code="HZ12")
    with pytest.raises(DomainError):
        item_update(actor=province_director, item=item, changes={"code": "XX"}, reason="x")
    with pytest.raises(PermissionDenied):
        item_update(actor=officer, item=item, changes={"promised_workdays": 1}, reason="x")
    item.refresh_from_db()
    assert (item.code, item.promised_workdays) == ("HZ12", 15)


def test_public_pages_show_materials_and_fee(catalogue) -> None:
    page = Client().get("/items/HZ01/").content.decode()
    assert "居民身份证首次申领" in page
    assert "监护人居民身份证" in page
    assert "免费" in page
    assert Client().get("/items/XX99/").status_code == 404


def test_director_home_warns_about_a_provisional_next_year(director, login_client_for) -> None:
    import time_machine

    from bianmin.core.models import CalendarYear

    client = login_client_for(director)
    with time_machine.travel("2026-11-28 09:00 +0800"):
        assert "2027 年的节假日安排尚未录入" in client.get("/").content.decode()
        CalendarYear.objects.create(year=2027, source="国办发明电")
        assert "尚未录入" not in client.get("/").content.decode()


def test_director_edits_materials_and_variants_with_history(
    catalogue, province_director, login_client_for
) -> None:
    from bianmin.audit.enums import AuditAction
    from bianmin.audit.models import AuditEntry

    client = login_client_for(province_director)
    client.post(
        "/catalogue/HZ02/",
        {
            "section": "material",
            "code": "residence_booklet",
            "name": "居住证明",
            "required_when": "non_local",
            "is_primary": "0",
            "reason": "外地户籍需补充",
        },
    )
    client.post(
        "/catalogue/CR03/",
        {
            "section": "variant",
            "code": "single",
            "name": "一次有效签注",
            "fee_yuan": "16",
            "reason": "调价",
        },
    )
    client.post(
        "/catalogue/HZ02/",
        {"section": "material", "code": "photo", "remove": "1", "reason": "现场采集"},
    )

    hz02 = ServiceItem.objects.get(code="HZ02")
    added = hz02.materials.get(code="residence_booklet")
    assert (added.required_when, added.is_primary) == ("non_local", False)
    assert not hz02.materials.filter(code="photo").exists()
    assert ServiceItem.objects.get(code="CR03").fee_variants.get(code="single").fee_fen == 1600
    assert [r.reason for r in hz02.revisions.all()[:2]] == ["现场采集", "外地户籍需补充"]
    assert AuditEntry.objects.filter(action=AuditAction.ITEM_UPDATED).count() == 3


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"code": "x y", "name": "材料"}, "材料编码须为"),
        ({"code": "ok", "name": "材料", "required_when": "martian"}, "未知的适用条件"),
        ({"code": "ok", "name": "材料", "reason": ""}, "请填写修改原因"),
    ],
)
def test_bad_material_edits_change_nothing(
    catalogue, province_director, login_client_for, data, message
) -> None:
    before = list(ServiceItem.objects.get(code="HZ02").materials.values_list("code", flat=True))
    payload = {"section": "material", "reason": "x", **data}
    page = login_client_for(province_director).post("/catalogue/HZ02/", payload, follow=True)
    assert message in page.content.decode()
    after = list(ServiceItem.objects.get(code="HZ02").materials.values_list("code", flat=True))
    assert after == before


def test_officer_cannot_edit_materials(catalogue, officer, login_client_for) -> None:
    response = login_client_for(officer).post(
        "/catalogue/HZ02/", {"section": "material", "code": "x", "name": "x", "reason": "x"}
    )
    assert response.status_code == 403
    assert not ServiceItem.objects.get(code="HZ02").materials.filter(code="x").exists()


def test_the_cached_public_guide_shows_an_edit_at_once(catalogue, province_director) -> None:
    from bianmin.catalogue.services import fee_variant_save

    def listing() -> str:
        return " ".join(Client().get("/items/").content.decode().split())

    item = ServiceItem.objects.get(code="HZ12")
    first = listing()  # now cached
    assert item.name in first

    item_update(actor=province_director, item=item, changes={"name": "户口迁移改名"}, reason="x")
    assert "户口迁移改名" in listing()

    item_update(actor=province_director, item=item, changes={"is_active": False}, reason="x")
    assert "户口迁移改名" not in listing()

    item_update(
        actor=province_director,
        item=item,
        changes={"is_active": True, "fee_fen": 1500},
        reason="x",
    )
    hz12_row = listing().split("户口迁移改名", 1)[1].split("</tr>", 1)[0]
    assert "15 元" in hz12_row
    assert "起" not in hz12_row
    fee_variant_save(
        actor=province_director, item=item, code="X", name="加急", fee_fen=2500, reason="x"
    )
    hz12_row = listing().split("户口迁移改名", 1)[1].split("</tr>", 1)[0]
    assert "15 元起" in hz12_row


def test_issuing_reads_a_changed_item_at_once(catalogue, province_director) -> None:
    from bianmin.catalogue.selectors import item_get_plain

    item = ServiceItem.objects.get(code="HZ12")
    assert item_get_plain(code="hz12").is_active  # now cached
    item_update(actor=province_director, item=item, changes={"is_active": False}, reason="x")
    assert not item_get_plain(code="HZ12").is_active


def test_a_lost_generation_under_a_frozen_clock_never_revives_an_old_item(catalogue) -> None:
    """The catalogue read again from scratch (new ids: a restore, a test's truncation) while the
    cache lost its generation key and the clock stands still: issuing must not get the old row
    (the kept item's id would name a row that is gone)."""
    import time_machine
    from django.core.cache import cache

    from bianmin.catalogue.selectors import _GUIDE_GENERATION, item_get_plain

    with time_machine.travel("2026-11-30 09:00 +0800", tick=False):
        cache.delete(_GUIDE_GENERATION.key)  # lost: the next read starts a generation
        old_id = item_get_plain(code="HZ12").pk
        ServiceItem.objects.all().delete()
        cache.clear()  # the generation key with it
        catalogue_load_reference()
        cache.delete(_GUIDE_GENERATION.key)  # lost again after the reload's own bumps
        fresh = item_get_plain(code="HZ12")
    assert fresh.pk != old_id
    assert fresh.pk == ServiceItem.objects.get(code="HZ12").pk
