"""Masked ID numbers cannot be rebuilt (security review C1): not from the raw database without
the key, not from any page or API answer an officer without the reveal right can open."""

import re
import stat
from datetime import date
from pathlib import Path

import pytest
from django.db import connection
from django.db.backends.sqlite3.base import DatabaseWrapper
from django.urls import reverse

from bianmin.audit.enums import AuditAction
from bianmin.audit.models import AuditEntry
from bianmin.core.permissions import Role
from bianmin.people.idnumber import check_id_number, make_id_number
from bianmin.people.models import Person
from bianmin.people.services import PersonInput, person_upsert

pytestmark = pytest.mark.django_db

BIRTHS = [date(1936, 1, 30), date(1990, 7, 14), date(2012, 12, 1)]
IDS = [make_id_number("610523", birth, 54 + i) for i, birth in enumerate(BIRTHS)]
DIGITS18 = re.compile(r"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9])")
MASK = re.compile(r"([0-9]{6})\*{8}([0-9]{3}[0-9X])")
DATE_FORMS = (
    re.compile(r"(?<![0-9])((?:19|20)[0-9]{2})-?([01][0-9])-?([0-3][0-9])(?![0-9])"),
    re.compile(r"((?:19|20)[0-9]{2})年([0-9]{1,2})月([0-9]{1,2})日"),
)


def _valid_ids(text: str) -> set[str]:
    return {m for m in DIGITS18.findall(text) if check_id_number(m).valid}


def _rebuilt(text: str) -> set[str]:
    """Every checksum-valid number made of a mask plus a date found in the same text."""
    dates = {
        f"{int(y):04d}{int(m):02d}{int(d):02d}"
        for form in DATE_FORMS
        for y, m, d in form.findall(text)
    }
    return {
        candidate
        for head, tail in MASK.findall(text)
        for day in dates
        if check_id_number(candidate := head + day + tail).valid
    }


def _register(actor) -> list[Person]:
    return [
        person_upsert(
            actor=actor,
            data=PersonInput(
                name=f"张{'一二三'[i]}明",
                id_number=number,
                gender="male" if int(number[16]) % 2 else "female",
                phone=f"1391234567{i}",
                address="陕西省渭南市潼关县城关街道",
            ),
        )[0]
        for i, number in enumerate(IDS)
    ]


def _raw_rows() -> list[str]:
    """Every row of every table as text, read straight from the database (no field key)."""
    rows = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - names from introspection
            for row in cursor.fetchall():
                rows.append(
                    " | ".join(
                        bytes(v).decode("latin-1") if isinstance(v, bytes | memoryview) else str(v)
                        for v in row
                    )
                )
    return rows


def test_no_full_id_number_can_be_rebuilt_from_the_raw_database(officer) -> None:
    _register(officer)

    rows = _raw_rows()

    assert any(MASK.search(row) for row in rows)  # the masks are there ...
    assert not any(_valid_ids(row) for row in rows)  # ... no clear number ...
    assert not any(_rebuilt(row) for row in rows)  # ... and nothing beside a mask completes one


def test_no_page_or_api_answer_completes_a_masked_number(
    make_staff, login_client_for, api_client_for
) -> None:
    officer = make_staff(Role.OFFICER)
    people = _register(officer)
    web, api = login_client_for(officer), api_client_for(officer)
    answers = [web.get(reverse("people:list")), web.get(reverse("people:list"), {"q": "张"})]
    answers += [web.get(reverse("people:detail", args=[p.pk])) for p in people]
    answers.append(
        api.post(
            "/api/v1/people",
            {"name": "张一明", "id_number": IDS[0], "gender": "female", "phone": "13912345670"},
        )
    )

    assert all(answer.status_code == 200 for answer in answers)
    for answer in answers:
        text = answer.content.decode()
        assert not _valid_ids(text)
        assert not _rebuilt(text), answer.request["PATH_INFO"]
    detail = web.get(reverse("people:detail", args=[people[0].pk])).content.decode()
    assert "610523********" in detail
    assert "周岁" in detail


def test_the_person_page_shows_the_age_not_the_birth_date(officer, login_client_for) -> None:
    person = _register(officer)[1]

    page = login_client_for(officer).get(reverse("people:detail", args=[person.pk]))

    text = page.content.decode()
    assert "1990年7月14日" not in text
    assert "1990-07-14" not in text
    assert "年龄" in text
    assert "周岁" in text


def test_every_person_page_read_is_audited(officer, login_client_for) -> None:
    person = _register(officer)[0]
    client = login_client_for(officer)

    client.get(reverse("people:detail", args=[person.pk]))
    client.get(reverse("people:detail", args=[person.pk]))

    viewed = AuditEntry.objects.filter(action=AuditAction.PERSON_VIEWED, target_id=str(person.pk))
    assert viewed.count() == 2
    assert {e.actor_id for e in viewed} == {officer.pk}


def test_an_sqlite_database_file_is_created_private(tmp_path: Path) -> None:
    path = tmp_path / "fresh.sqlite3"
    wrapper = DatabaseWrapper({**connection.settings_dict, "NAME": str(path)}, alias="private")
    try:
        with wrapper.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("CREATE TABLE t (x INTEGER)")
            cursor.execute("INSERT INTO t VALUES (1)")
        for name in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            if name.exists():
                assert stat.S_IMODE(name.stat().st_mode) == 0o600, name
        assert path.exists()
    finally:
        wrapper.close()


def test_a_key_file_is_created_and_kept_private(tmp_path: Path) -> None:
    from bianmin.core.keys import load_or_create_secret

    fresh, old = tmp_path / "field_key", tmp_path / "old_key"
    old.write_text("ab" * 16)
    old.chmod(0o644)

    load_or_create_secret(fresh, nbytes=16)
    assert load_or_create_secret(old, nbytes=16) == "ab" * 16

    assert stat.S_IMODE(fresh.stat().st_mode) == 0o600
    assert stat.S_IMODE(old.stat().st_mode) == 0o600


def test_a_list_search_is_audited_without_the_searched_text(officer, login_client_for) -> None:
    _register(officer)
    client = login_client_for(officer)

    client.get(reverse("people:list"))
    client.get(reverse("people:list"), {"q": IDS[0]})

    (entry,) = AuditEntry.objects.filter(action=AuditAction.PERSON_SEARCHED)
    assert entry.after == {"found": 1}
    assert IDS[0] not in str(entry.before) + str(entry.after)
