"""The inspector's audit log is written for people (review defect 8): search by case number,
person or ticket; Chinese action names and object labels; changes as a field table."""

import re
from datetime import date

import pytest
from django.urls import reverse

from bianmin.audit import targets
from bianmin.audit.enums import AuditAction
from bianmin.audit.selectors import audit_entries_described, audit_entry_search
from bianmin.audit.services import audit_record
from bianmin.core.permissions import Role
from bianmin.people.idnumber import make_id_number
from bianmin.people.services import PersonInput, person_upsert

pytestmark = pytest.mark.django_db

ID = make_id_number("610522", date(1990, 1, 1), 123)  # male


@pytest.fixture
def person(officer):
    first, _ = person_upsert(
        actor=officer, data=PersonInput("张小三", ID, "male", phone="13912345678")
    )
    person_upsert(actor=officer, data=PersonInput("张小三", ID, "male", phone="13800001111"))
    return first


@pytest.fixture
def inspector(make_staff):
    return make_staff(Role.INSPECTOR)


def test_search_by_id_number_or_name_finds_the_persons_entries(person, inspector) -> None:
    by_id = audit_entry_search(user=inspector, text=ID)
    by_name = audit_entry_search(user=inspector, text="张小三")

    assert {e.action for e in by_id} == {AuditAction.PERSON_CREATED, AuditAction.PERSON_UPDATED}
    assert list(by_name) == list(by_id)


def test_entries_read_as_chinese_labels_and_a_masked_field_table(person, inspector) -> None:
    entries = list(audit_entry_search(user=inspector, action=AuditAction.PERSON_UPDATED))

    (row,) = audit_entries_described(entries)

    assert row.entry.action_label == "修改人口信息"
    assert row.target_label == "人员 张*三"
    phone = next(c for c in row.changes if c.label == "手机号码")
    assert (phone.before, phone.after, phone.changed) == ("139****5678", "138****1111", True)
    name = next(c for c in row.changes if c.label == "姓名")
    assert name.after == "张*三"
    assert not name.changed


def test_the_log_page_shows_words_not_codes(person, inspector, login_client_for) -> None:
    page = login_client_for(inspector).get(reverse("audit:search"), {"q": ID})

    text = re.sub(r"<[^>]+>", " ", page.content.decode())  # what a reader sees
    assert "人员 张*三" in text
    assert "修改人口信息" in text
    assert "手机号码" in text
    assert "people.person" not in text
    assert "person_updated" not in text
    assert ID not in text
    assert "13800001111" not in text


def test_stray_full_numbers_in_stored_values_are_masked(officer) -> None:
    entry = audit_record(
        actor=officer,
        action=AuditAction.CASE_CORRECTED,
        target_type="cases.case",
        target_id="999999",
        before={"note": f"申请人 {ID}，电话 13912345678"},
        after={"note": "已更正"},
    )

    (row,) = audit_entries_described([entry])

    assert row.changes[0].label == "备注"
    assert row.changes[0].before == f"申请人 {ID[:6]}********{ID[-4:]}，电话 139****5678"
    assert row.target_label == "办件 999999"


def test_registered_targets_name_objects_by_their_number(
    officer, inspector, center, monkeypatch
) -> None:
    assert targets._TARGETS["cases.case"].search_field == "number"
    assert targets._TARGETS["hall.ticket"].noun == "取号"
    monkeypatch.setitem(
        targets._TARGETS,
        "accounts.center",
        targets.AuditTarget(
            "accounts.center", "中心", label_field="code", search_field=("code", "name")
        ),
    )
    audit_record(actor=officer, action=AuditAction.HALL_SETTINGS_UPDATED, target=center)

    (entry,) = audit_entry_search(user=inspector, text="TG")
    (same,) = audit_entry_search(user=inspector, text=center.name)

    assert same == entry
    assert audit_entries_described([entry])[0].target_label == "中心 TG"
    assert targets._TARGETS["fees.payment"].search_field == ("receipt_number", "case_number")
