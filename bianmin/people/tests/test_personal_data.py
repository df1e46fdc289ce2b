"""Masked ID numbers cannot be rebuilt (security review C1): not from the raw database without
the key, not from any page or API answer an officer without the reveal right can open."""

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
from bianmin.people.idnumber import make_id_number
from bianmin.people.models import Person
from bianmin.people.services import PersonInput, person_upsert
from tests.support.id_rebuild import MASK, raw_rows, rebuilt, valid_ids

pytestmark = pytest.mark.django_db

BIRTHS = [date(1936, 1, 30), date(1990, 7, 14), date(2012, 12, 1)]
IDS = [make_id_number("610523", birth, 54 + i) for i, birth in enumerate(BIRTHS)]


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


def test_no_full_id_number_can_be_rebuilt_from_the_raw_database(officer) -> None:
    _register(officer)

    rows = raw_rows()

    assert any(MASK.search(row) for row in rows)  # the masks are there ...
    assert not any(valid_ids(row) & set(IDS) for row in rows)  # ... no clear number ...
    assert not any(rebuilt(row) & set(IDS) for row in rows)  # ... nothing completes a mask


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
        assert not valid_ids(text) & set(IDS)
        assert not rebuilt(text) & set(IDS), answer.request["PATH_INFO"]
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
    settings_dict = {
        **connection.settings_dict,
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(path),
        "OPTIONS": {},  # the suite may run on PostgreSQL (pool options); this file is SQLite
    }
    wrapper = DatabaseWrapper(settings_dict, alias="private")
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
