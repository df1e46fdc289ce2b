"""Cross-center authorization for every people write (ADR 0007): an officer of center B acts on
a resident registered by center A.

Write endpoints and forms covered here (the inventory test looks for these names):
- API operation `bianmin_people_api_people_upsert` (POST /api/v1/people)
- URL name `people:import` (the Excel import form) and its task `person_import_run`
- URL name `people:reveal` (POST; a full-value read, audited)
- URL name `people:detail` / `people:import_status` (reads; scoped)
"""

import io
from datetime import date

import pytest
from django.urls import reverse
from openpyxl import Workbook
from PIL import Image

from bianmin.audit.enums import AuditAction
from bianmin.audit.models import AuditEntry
from bianmin.core.errors import PermissionDenied
from bianmin.core.permissions import Role
from bianmin.people.enums import ImportStatus
from bianmin.people.idnumber import make_id_number
from bianmin.people.imports import person_import_run, person_import_start
from bianmin.people.models import Person
from bianmin.people.services import PersonInput, person_upsert

pytestmark = pytest.mark.django_db

ID = make_id_number("610523", date(1936, 1, 30), 54)  # female


def _png(color: tuple[int, int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (60, 80), color).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def resident(make_staff) -> Person:
    """丁一晓, registered by center A with a phone and a registry photo."""
    return person_upsert(
        actor=make_staff(Role.OFFICER),
        data=PersonInput("丁一晓", ID, "female", phone="17380002310", photo=_png((1, 2, 3))),
    )[0]


@pytest.fixture
def b_officer(make_staff, other_center):
    return make_staff(Role.OFFICER, center_=other_center)


def _unchanged(resident: Person) -> None:
    fresh = Person.objects.get(pk=resident.pk)
    assert fresh.name == "丁一晓"
    assert fresh.phone == "17380002310"
    assert fresh.photo_sha256 == resident.photo_sha256
    assert fresh.center_id == resident.center_id


def test_api_people_upsert_from_b_cannot_rename_or_rephone_an_a_resident(
    resident, b_officer, api_client_for
) -> None:
    answer = api_client_for(b_officer).post(
        "/api/v1/people",
        {"name": "跨中心改名", "id_number": ID, "gender": "female", "phone": "13800009999"},
    )

    assert answer.status_code == 403
    assert answer.json()["code"] == "person_other_center"
    assert str(resident.pk) not in answer.content.decode()  # no internal id, no masked phone
    _unchanged(resident)


def test_api_people_upsert_from_b_cannot_replace_the_registry_photo(
    resident, b_officer, api_client_for
) -> None:
    photo = io.BytesIO(_png((250, 0, 0)))
    photo.name = "face.png"

    answer = api_client_for(b_officer).post(
        "/api/v1/people", {"name": "丁一晓", "id_number": ID, "gender": "female", "photo": photo}
    )

    assert answer.status_code == 403
    _unchanged(resident)


def test_api_people_upsert_from_b_cannot_change_contact_fields_without_a_reason(
    resident, b_officer, api_client_for
) -> None:
    answer = api_client_for(b_officer).post(
        "/api/v1/people",
        {"name": "丁一晓", "id_number": ID, "gender": "female", "phone": "13800009999"},
    )

    assert answer.status_code == 403
    assert answer.json()["code"] == "reason_required"
    _unchanged(resident)


def test_b_may_update_contact_fields_with_a_reason_and_it_is_audited(resident, b_officer) -> None:
    person, created = person_upsert(
        actor=b_officer,
        data=PersonInput("丁一晓", ID, "female", phone="13800009999"),
        contact_reason="本人到场申请办件",
    )

    assert not created
    assert person.phone == "13800009999"
    assert person.center_id == resident.center_id  # still A's resident
    entry = AuditEntry.objects.get(action=AuditAction.PERSON_UPDATED)
    assert entry.actor_id == b_officer.pk
    assert entry.center_id == resident.center_id  # in A's chain, where A's inspector sees it
    assert entry.after["by_center"] == b_officer.center_id
    assert entry.after["reason"] == "本人到场申请办件"


def test_b_with_a_reason_still_cannot_rename_or_change_the_photo(resident, b_officer) -> None:
    with pytest.raises(PermissionDenied):
        person_upsert(
            actor=b_officer,
            data=PersonInput("跨中心改名", ID, "female"),
            contact_reason="本人到场",
        )
    with pytest.raises(PermissionDenied):
        person_upsert(
            actor=b_officer,
            data=PersonInput("丁一晓", ID, "female", photo=_png((0, 250, 0))),
            contact_reason="本人到场",
        )
    _unchanged(resident)


def test_the_registering_center_may_change_every_field(resident, make_staff) -> None:
    person, _created = person_upsert(
        actor=make_staff(Role.OFFICER),
        data=PersonInput("丁晓", ID, "female", phone="13800009999", photo=_png((9, 9, 9))),
    )

    assert (person.name, person.phone) == ("丁晓", "13800009999")
    assert person.photo_sha256 != resident.photo_sha256


def test_people_import_from_b_rejects_rows_that_would_change_an_a_resident(
    resident, make_staff, other_center
) -> None:
    book = Workbook()
    book.active.append(["姓名", "公民身份号码", "性别", "手机号码"])
    book.active.append(["跨中心改名", ID, "女", "13800009999"])
    buffer = io.BytesIO()
    book.save(buffer)
    leader = make_staff(Role.SHIFT_LEADER, center_=other_center)

    job = person_import_start(actor=leader, filename="a.xlsx", content=buffer.getvalue())
    job = person_import_run(import_id=job.pk)

    assert job.status == ImportStatus.REJECTED
    assert job.errors[0]["row"] == 2
    assert "其他中心登记" in job.errors[0]["message"]
    _unchanged(resident)


def test_people_import_form_status_is_the_uploaders_only(
    make_staff, other_center, login_client_for
) -> None:
    book = Workbook()
    book.active.append(["姓名", "公民身份号码", "性别"])
    buffer = io.BytesIO()
    book.save(buffer)
    job = person_import_start(
        actor=make_staff(Role.SHIFT_LEADER), filename="a.xlsx", content=buffer.getvalue()
    )
    b_leader = make_staff(Role.SHIFT_LEADER, center_=other_center)

    answer = login_client_for(b_leader).get(reverse("people:import_status", args=[job.pk]))

    assert answer.status_code == 403


def test_reveal_and_detail_of_an_a_resident_are_not_found_for_b(
    resident, make_staff, other_center, login_client_for
) -> None:
    client = login_client_for(make_staff(Role.SHIFT_LEADER, center_=other_center))

    reveal = client.post(reverse("people:reveal", args=[resident.pk, "id_number"]))
    detail = client.get(reverse("people:detail", args=[resident.pk]))

    assert reveal.status_code == 404
    assert detail.status_code == 404
    assert ID not in reveal.content.decode()
    assert not AuditEntry.objects.filter(action=AuditAction.PERSON_REVEALED).exists()


def test_a_province_account_must_name_the_registering_center(db, center) -> None:
    from bianmin.accounts.models import Staff
    from bianmin.core.errors import DomainError

    province = Staff.objects.create(username="prov", role=Role.ADMINISTRATOR, center=None)
    other = make_id_number("610523", date(1990, 7, 14), 55)

    with pytest.raises(DomainError) as refused:
        person_upsert(actor=province, data=PersonInput("王伟", other, "male"))
    person, created = person_upsert(
        actor=province, data=PersonInput("王伟", other, "male"), center=center
    )

    assert refused.value.code == "center_required"
    assert created
    assert person.center_id == center.pk
