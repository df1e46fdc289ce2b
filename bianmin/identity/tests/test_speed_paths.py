"""What keeps the face check's wait short at the API without changing a decision: the models
warmed once per process ahead of the first check, no preview JPEG encoded for a response that
does not show it, and the registry photo never loaded (nor decrypted) by a verification."""

from __future__ import annotations

import threading
from typing import Any

import numpy as np
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bianmin.identity import engine
from bianmin.identity.models import FaceCheck
from bianmin.identity.services import common
from bianmin.identity.services import verification as verification_module
from bianmin.identity.tests import faces


class _RecordingModel:
    """A FaceModel that records what the warm-up asks of it."""

    name = "fake"
    version = "1"
    dim = 2

    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple[int, ...]]] = []

    def detect(self, image: np.ndarray) -> list[engine.Face]:
        self.calls.append(("detect", image.shape))
        return []

    def landmarks(self, image: np.ndarray, face: engine.Face) -> engine.Face:
        self.calls.append(("landmarks", image.shape))
        return face

    def embed(self, image: np.ndarray, face: engine.Face, *, enrollment: bool = False) -> Any:
        self.calls.append(("embed", image.shape))
        return np.zeros(2, np.float32)

    def embed_many(
        self, items: list[tuple[np.ndarray, engine.Face]], *, enrollment: bool = False
    ) -> Any:
        self.calls.extend(("embed", image.shape) for image, _face in items)
        return np.zeros((len(items), 2), np.float32)

    def similarity(self, a: np.ndarray, b: np.ndarray) -> float:
        return 0.0


def test_engine_warm_up_runs_every_stage_once_on_a_synthetic_frame() -> None:
    model = _RecordingModel()

    engine.warm_up(model)

    assert [name for name, _shape in model.calls] == ["detect", "landmarks", "embed"]
    assert {shape for _name, shape in model.calls} == {(240, 320, 3)}


@pytest.fixture
def fresh_warm_up(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """A process that has not warmed up yet, with a counting engine warm-up."""
    runs: list[int] = []
    monkeypatch.setattr(common, "_warm_up_threads", [])
    monkeypatch.setattr(common.engine, "warm_up", lambda: runs.append(threading.get_ident()))
    return runs


def test_warm_up_runs_once_per_process_in_a_background_thread(
    fresh_warm_up: list[int], settings: Any
) -> None:
    settings.FACE_ENGINE_WARM_UP = True

    first = common.face_engine_warm_up(background=False)
    second = common.face_engine_warm_up()

    assert first is not None
    assert second is first
    assert not first.is_alive()
    assert len(fresh_warm_up) == 1
    assert fresh_warm_up[0] != threading.get_ident()  # never in the caller's thread


def test_warm_up_is_off_when_the_setting_says_so(fresh_warm_up: list[int], settings: Any) -> None:
    settings.FACE_ENGINE_WARM_UP = False

    assert common.face_engine_warm_up(background=False) is None
    assert fresh_warm_up == []


def test_a_failing_warm_up_is_logged_not_raised(
    monkeypatch: pytest.MonkeyPatch, settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    settings.FACE_ENGINE_WARM_UP = True
    monkeypatch.setattr(common, "_warm_up_threads", [])

    def broken() -> None:
        raise RuntimeError("model file missing")

    monkeypatch.setattr(common.engine, "warm_up", broken)

    thread = common.face_engine_warm_up(background=False)

    assert thread is not None
    assert "face engine warm-up failed" in caplog.text


@pytest.mark.django_db
def test_api_verify_neither_encodes_a_preview_nor_reads_the_registry_photo(
    officer: Any,
    api_client_for: Any,
    make_person: Any,
    consent_for: Any,
    pinned: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    make_person(photo="obama_b.jpg")
    consent = consent_for()

    def no_preview(*args: Any, **kwargs: Any) -> bytes:
        raise AssertionError("the API response has no preview")

    monkeypatch.setattr(verification_module, "preview_jpeg", no_preview)
    frame = SimpleUploadedFile("f.jpg", faces.photo("obama_a.jpg"), content_type="image/jpeg")
    with CaptureQueriesContext(connection) as queries:
        response = api_client_for(officer).post(
            "/api/v1/face/verify",
            {"id_number": faces.ADULT_ID, "consent_id": str(consent.pk), "frames": [frame]},
        )

    assert response.status_code == 200
    assert response.json()["check_id"] == str(FaceCheck.objects.get().pk)
    person_reads = [
        q["sql"] for q in queries.captured_queries if '"people_person"' in q["sql"].split("FROM")[0]
    ]
    assert person_reads  # the person is read (with the consent) ...
    assert not any('"people_person"."photo"' in sql for sql in person_reads)  # ... not the photo
