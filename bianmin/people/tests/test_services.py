import io
import sqlite3
import subprocess
from contextlib import closing
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from openpyxl import Workbook
from PIL import Image

from bianmin.audit.enums import AuditAction
from bianmin.audit.models import AuditEntry
from bianmin.core.errors import PermissionDenied
from bianmin.core.permissions import Role
from bianmin.people.enums import ImportStatus
from bianmin.people.idnumber import make_id_number
from bianmin.people.imports import person_import_start
from bianmin.people.models import Person, PersonImport
from bianmin.people.selectors import person_find_by_id_number, person_list
from bianmin.people.services import PersonError, PersonInput, person_reveal, person_upsert

pytestmark = pytest.mark.django_db

ID = make_id_number("610522", date(1990, 1, 1), 123)  # odd sequence: male


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (60, 80), (200, 180, 160)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_create_then_update_by_id_number(officer) -> None:
    person, created = person_upsert(
        actor=officer,
        data=PersonInput(name="王伟", id_number=ID, gender="male", phone="13912345678"),
    )
    again, created_again = person_upsert(
        actor=officer,
        data=PersonInput(name="王伟", id_number=ID.lower(), gender="male", phone="13800001111"),
    )

    assert (created, created_again) == (True, False)
    assert again.pk == person.pk
    assert again.phone_masked == "138****1111"
    assert again.id_number_masked == ID[:6] + "********" + ID[-4:]
    assert list(AuditEntry.objects.values_list("action", flat=True).order_by("seq")) == [
        AuditAction.PERSON_CREATED,
        AuditAction.PERSON_UPDATED,
    ]
    assert ID not in str(AuditEntry.objects.values_list("after", flat=True))


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (PersonInput("王伟", ID, "female"), "id_gender_mismatch"),
        (PersonInput("王伟", ID[:-1] + ("0" if ID[-1] != "0" else "1"), "male"), "id_check_digit"),
        (PersonInput("王伟", "610522900101123", "male"), "id_needs_conversion"),
        (PersonInput("王伟", ID, "male", phone="12345"), "invalid_phone"),
        (PersonInput("", ID, "male"), "invalid_name"),
        (PersonInput("王伟", ID, "male", photo=b"not an image"), "photo_unreadable"),
    ],
)
def test_bad_input_changes_nothing(officer, data, code) -> None:
    with pytest.raises(PersonError) as exc:
        person_upsert(actor=officer, data=data)
    assert exc.value.code == code
    assert exc.value.message
    assert Person.objects.count() == 0
    assert AuditEntry.objects.count() == 0


def test_photo_is_stored_encrypted_and_hashed(officer) -> None:
    photo = _png()
    person, _ = person_upsert(
        actor=officer,
        data=PersonInput(
            "李娜", make_id_number("610522", date(1985, 5, 5), 2), "female", photo=photo
        ),
    )
    person.refresh_from_db()
    assert person.photo == photo
    assert person.has_photo
    with connection.cursor() as cursor:
        cursor.execute("SELECT photo FROM people_person WHERE id = %s", [person.pk])
        raw = bytes(cursor.fetchone()[0])
    assert photo not in raw
    assert raw != photo


def test_lookup_by_blind_index_is_audited(officer) -> None:
    person, _ = person_upsert(actor=officer, data=PersonInput("王伟", ID, "male"))
    found = person_find_by_id_number(actor=officer, id_number=ID)
    missing = person_find_by_id_number(
        actor=officer, id_number=make_id_number("610522", date(1991, 1, 1), 5)
    )

    assert found == person
    assert missing is None
    assert AuditEntry.objects.filter(action=AuditAction.PERSON_SEARCHED).count() == 2


def test_list_is_scoped_to_the_users_center(officer, make_staff, other_center) -> None:
    person_upsert(actor=officer, data=PersonInput("王伟", ID, "male", phone="13912345678"))
    elsewhere = make_staff(Role.OFFICER, center_=other_center)

    assert [p.name for p in person_list(user=officer, text="13912345678")] == ["王伟"]
    assert [p.name for p in person_list(user=officer, text=ID)] == ["王伟"]
    assert list(person_list(user=elsewhere)) == []


def test_reveal_needs_permission_and_is_audited(officer, make_staff) -> None:
    person, _ = person_upsert(
        actor=officer, data=PersonInput("王伟", ID, "male", phone="13912345678")
    )
    leader = make_staff(Role.SHIFT_LEADER)

    with pytest.raises(PermissionDenied):
        person_reveal(actor=officer, person=person, field="phone")
    assert person_reveal(actor=leader, person=person, field="id_number") == ID
    entry = AuditEntry.objects.get(action=AuditAction.PERSON_REVEALED)
    assert (entry.actor_id, entry.target_id, entry.after) == (
        leader.pk,
        str(person.pk),
        {"field": "id_number"},
    )


def _xlsx(rows: list[list[str]]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["姓名", "公民身份号码", "性别", "手机号码", "住址"])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_import_is_all_or_nothing_with_row_errors(
    make_staff, django_capture_on_commit_callbacks
) -> None:
    leader = make_staff(Role.SHIFT_LEADER)
    good = make_id_number("610522", date(1970, 3, 3), 11)
    content = _xlsx(
        [
            ["张三", good, "男", "13912345678", "城关街道"],
            ["李四", "610522197003030000", "女", "", ""],
            ["王五", good, "男", "", ""],
            ["赵六", make_id_number("610522", date(1980, 3, 3), 13), "男", "123", ""],
        ]
    )

    with django_capture_on_commit_callbacks(execute=True):
        job = person_import_start(actor=leader, filename="户籍.xlsx", content=content)
    job.refresh_from_db()

    assert job.status == ImportStatus.REJECTED
    assert [e["row"] for e in job.errors] == [3, 4, 5]
    assert "重复" in job.errors[1]["message"]
    assert "手机号码" in job.errors[2]["message"]
    assert Person.objects.count() == 0


def test_import_writes_every_row_when_all_are_valid(
    make_staff, django_capture_on_commit_callbacks
) -> None:
    leader = make_staff(Role.SHIFT_LEADER)
    rows = [
        [
            f"居民{'甲乙丙丁戊'[i]}",
            make_id_number("610522", date(1960 + i, 1, 1), 2 * i + 1),
            "男",
            "",
            "",
        ]
        for i in range(5)
    ]
    with django_capture_on_commit_callbacks(execute=True):
        job = person_import_start(actor=leader, filename="a.xlsx", content=_xlsx(rows))
    job.refresh_from_db()

    assert (job.status, job.created_count, job.rows_done, job.percent) == (
        ImportStatus.DONE,
        5,
        5,
        100,
    )
    assert job.content is None
    assert Person.objects.count() == 5


def test_import_refuses_a_file_that_is_not_xlsx(make_staff) -> None:
    from bianmin.core.errors import DomainError

    with pytest.raises(DomainError) as exc:
        person_import_start(actor=make_staff(Role.SHIFT_LEADER), filename="a.csv", content=b"x")
    assert exc.value.code == "not_xlsx"
    assert PersonImport.objects.count() == 0


def test_import_reports_an_unreadable_workbook(
    make_staff, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        job = person_import_start(
            actor=make_staff(Role.SHIFT_LEADER), filename="a.xlsx", content=b"not a zip"
        )
    job.refresh_from_db()
    assert job.status == ImportStatus.REJECTED
    assert "无法读取" in job.errors[0]["message"]
    assert Person.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_database_file_holds_no_readable_id_number_or_phone(officer) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("checks the embedded SQLite file")
    numbers = [make_id_number("610522", date(1950 + i, 2, 2), 100 + i) for i in range(20)]
    phones = [f"1391234{i:04d}" for i in range(20)]
    for i, (number, phone) in enumerate(zip(numbers, phones, strict=True)):
        person_upsert(
            actor=officer,
            data=PersonInput(
                "居民" + "甲乙丙丁戊己庚辛壬癸"[i % 10],
                number,
                "male" if (100 + i) % 2 else "female",
                phone=phone,
            ),
        )
    path = Path(settings.DATABASES["default"]["NAME"])
    connection.close()
    with closing(sqlite3.connect(path)) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    # Read the bytes in a child process: closing any descriptor of a file drops every POSIX
    # lock this process holds on it, including the shared lock of each SQLite connection other
    # threads keep open. A server a later test starts then took itself for the database's last
    # user, deleted the -wal/-shm under them, and every later connection of this test worker
    # failed with "disk I/O error".
    companions = [str(path)] + [
        str(extra) for extra in [path.with_name(path.name + "-wal")] if extra.exists()
    ]
    raw = subprocess.run(["cat", *companions], check=True, capture_output=True).stdout
    for number, phone in zip(numbers, phones, strict=True):
        assert number.encode() not in raw
        assert phone.encode() not in raw
