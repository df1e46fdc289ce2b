"""Fixtures of the identity tests: persons in the registry with (or without) a photo, consents,
and a per-session cache of enrollments so each photo goes through the model only once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from bianmin.identity import engine, services
from bianmin.identity.services import enrollment as enrollment_module
from bianmin.identity.tests import faces
from bianmin.people.services import PersonInput, person_upsert

_TEMPLATES: dict[bytes, engine.Template | engine.FaceEngineError] = {}


def _cached_enroll(photo: bytes) -> engine.Template:
    if photo not in _TEMPLATES:
        try:
            _TEMPLATES[photo] = engine.enroll(photo)
        except engine.FaceEngineError as exc:
            _TEMPLATES[photo] = exc
    value = _TEMPLATES[photo]
    if isinstance(value, engine.FaceEngineError):
        raise value
    return value


@pytest.fixture(autouse=True)
def _enroll_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(enrollment_module, "_engine_enroll", _cached_enroll)


@pytest.fixture
def make_person(officer: Any, django_capture_on_commit_callbacks: Any) -> Callable[..., Any]:
    """A registry person; with `photo`, added through the registry so the hook enrolls it."""

    def make(
        id_number: str = faces.ADULT_ID,
        *,
        name: str = "王建国",
        gender: str = "male",
        photo: str | None = "obama_b.jpg",
    ) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            person, _ = person_upsert(
                actor=officer,
                data=PersonInput(
                    name, id_number, gender, photo=faces.photo(photo) if photo else None
                ),
            )
        person.refresh_from_db()
        return person

    return make


@pytest.fixture
def consent_for(officer: Any) -> Callable[..., Any]:
    def make(id_number: str = faces.ADULT_ID, *, actor: Any = None, **kwargs: Any) -> Any:
        return services.face_consent_record(
            actor=actor or officer, id_number=id_number, purpose="领证身份核验", **kwargs
        )

    return make


@pytest.fixture
def pinned() -> Any:
    """The clock pinned at 2026-06-15 10:00 (Asia/Shanghai); shift it with `.shift(seconds)`."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    import time_machine

    start = datetime(2026, 6, 15, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    with time_machine.travel(start, tick=False) as traveller:
        yield traveller
