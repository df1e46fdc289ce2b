"""The ResNet on onnxruntime gives dlib's descriptors: same chips, same vectors to 1e-4.

The chips are those of every face in the repository's fixture photos (tests/data), plus
their mirror images (the enrollment flip); the reference is dlib's own
``compute_face_descriptor``. bench/face_speed.py repeats the check on 100 faces of the
calibration photos.
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
import pytest

from bianmin.identity import engine
from bianmin.identity.engine import dlib_model
from bianmin.identity.engine.dlib_dnn import DlibFormatError, read_face_resnet
from bianmin.identity.engine.resnet_onnx import FaceResnetSession

DATA = Path(__file__).parent / "data"
TOLERANCE = 1e-4
DLIB = engine.DlibPipeline(embedding_runtime="dlib")
ONNX = engine.DlibPipeline(embedding_runtime="onnxruntime")


def resnet_path() -> Path:
    return dlib_model.model_dir() / dlib_model.RESNET_FILE


@functools.cache
def fixture_chips() -> tuple[np.ndarray, ...]:
    model = engine.default_model()
    chips = []
    for path in sorted(DATA.glob("*.jpg")):
        image = engine.decode_image(path.read_bytes())
        for face in model.detect(image):
            chips.append(model.chip(image, model.landmarks(image, face)))
    return tuple(chips)


def dlib_descriptors(chips: list[np.ndarray]) -> np.ndarray:
    vecs = dlib_model._resnet().compute_face_descriptor([np.ascontiguousarray(c) for c in chips], 0)
    return np.array([np.array(v) for v in vecs], dtype=np.float64)


def test_every_fixture_face_gives_dlibs_descriptor_to_1e4() -> None:
    chips = list(fixture_chips())
    chips += [c[:, ::-1] for c in chips]  # mirror images, as the enrollment flip makes them
    assert len(chips) >= 12  # five photos, six faces, and their mirror images

    ours = dlib_model._resnet_session().descriptors(chips)
    reference = dlib_descriptors(chips)

    assert ours.shape == reference.shape == (len(chips), 128)
    assert np.abs(ours - reference).max() <= TOLERANCE
    # Not normalised, like dlib's loss_metric output (the norms are not 1).
    assert np.abs(np.linalg.norm(ours, axis=1) - 1.0).min() > 0.05


def test_one_thread_and_two_threads_give_the_same_descriptors() -> None:
    chips = list(fixture_chips())[:2]
    one = FaceResnetSession(resnet_path(), threads=1).descriptors(chips)
    two = FaceResnetSession(resnet_path(), threads=2).descriptors(chips)
    assert np.abs(one - two).max() <= TOLERANCE


def test_batched_and_single_runs_agree() -> None:
    chips = list(fixture_chips())
    session = dlib_model._resnet_session()
    batch = session.descriptors(chips)
    singles = np.concatenate([session.descriptors([c]) for c in chips])
    assert np.abs(batch - singles).max() <= TOLERANCE


def test_engine_embeddings_and_decisions_do_not_depend_on_the_runtime() -> None:
    dlib_path, onnx_path = engine.DlibFaceModel(DLIB), engine.DlibFaceModel(ONNX)
    assert dlib_path.version == onnx_path.version  # enrolled templates stay valid
    thresholds = engine.ThresholdConfig.load()
    template = engine.enroll((DATA / "obama_a.jpg").read_bytes(), model=dlib_path)
    for name, expected in (("obama_b.jpg", "match"), ("biden.jpg", "no_match")):
        image = engine.decode_image((DATA / name).read_bytes())
        face = dlib_path.landmarks(image, dlib_path.detect(image)[0])
        a, b = dlib_path.embed(image, face), onnx_path.embed(image, face)
        assert np.abs(a - b).max() <= TOLERANCE
        decisions = {
            engine.verify(
                template, [image], threshold_config=thresholds, model=m, require_liveness=False
            ).decision
            for m in (dlib_path, onnx_path)
        }
        assert decisions == {expected}


def _three_faces(model: engine.DlibFaceModel) -> list[tuple[np.ndarray, engine.Face]]:
    items = []
    for name in ("obama_a.jpg", "biden.jpg", "guido.jpg"):
        image = engine.decode_image((DATA / name).read_bytes())
        items.append((image, model.landmarks(image, model.detect(image)[0])))
    return items


def test_embed_many_without_jitters_gives_each_faces_embed() -> None:
    model = engine.DlibFaceModel(engine.DlibPipeline(flip=True, jitters=0))  # two views a face
    items = _three_faces(model)
    many = model.embed_many(items)
    assert many.shape == (3, 128)
    for row, (image, face) in zip(many, items, strict=True):
        assert np.abs(row - model.embed(image, face)).max() <= TOLERANCE


def test_a_burst_shares_the_probes_jitters_among_its_faces() -> None:
    model = engine.default_model()  # the probe: 10 jittered copies
    items = _three_faces(model)
    table = dlib_model.jitter_table(model.pipeline.jitters)
    session = dlib_model._resnet_session()
    many = model.embed_many(items)
    for k, (row, (image, face)) in enumerate(zip(many, items, strict=True)):
        share = table[k::3]  # 4, 3 and 3 of the ten
        assert len(share) == (4 if k == 0 else 3)
        views = dlib_model.jittered(model.chip(image, face), share)
        expected = session.descriptors(views).mean(axis=0)
        assert np.abs(row - expected).max() <= TOLERANCE
    # one face alone gets all ten, and nothing else (dlib's num_jitters averages only copies)
    alone = model.embed(*items[0])
    expected = session.descriptors(dlib_model.jittered(model.chip(*items[0]), table)).mean(axis=0)
    assert np.abs(alone - expected).max() <= TOLERANCE


def test_jitters_are_the_same_on_every_call_and_move_the_vector() -> None:
    model = engine.default_model()
    image, face = _three_faces(model)[0]
    first, again = model.embed(image, face), model.embed(image, face)
    assert np.array_equal(first, again)  # dlib's own jitter would differ here
    plain = engine.DlibFaceModel(engine.DlibPipeline(jitters=0)).embed(image, face)
    assert np.abs(first - plain).max() > 1e-3


def test_the_jitter_table_follows_dlibs_jitter_image() -> None:
    table = dlib_model.jitter_table(40)
    assert dlib_model.jitter_table(10) == table[:10]  # the probe's ten are the enrollment's first
    assert all(abs(j.shift_x) <= 0.02 and abs(j.shift_y) <= 0.02 for j in table)
    assert all(0.97 <= j.zoom <= 0.99999 for j in table)
    assert all(abs(j.turn) <= np.deg2rad(3.0) for j in table)
    assert [j.mirror for j in table[:4]] == [False, True, False, True]
    chip = fixture_chips()[0]
    views = dlib_model.jittered(chip, table[:2])
    assert [v.shape for v in views] == [chip.shape, chip.shape]
    assert not np.array_equal(views[0], chip)
    # the mirrored copy is the mirror image of a cut of the chip, close to the chip mirrored
    mirrored = chip[:, ::-1].astype(float)
    assert (
        np.abs(views[1].astype(float) - mirrored).mean()
        < np.abs(views[1] - chip.astype(float)).mean()
    )


def test_the_reader_refuses_a_truncated_or_padded_file(tmp_path: Path) -> None:
    data = resnet_path().read_bytes()
    (tmp_path / "short.dat").write_bytes(data[: len(data) // 2])
    (tmp_path / "long.dat").write_bytes(data + b"\x01\x00")
    with pytest.raises(DlibFormatError, match="end of file"):
        read_face_resnet(tmp_path / "short.dat")
    with pytest.raises(DlibFormatError, match="bytes left"):
        read_face_resnet(tmp_path / "long.dat")


def test_the_reader_refuses_another_network(tmp_path: Path) -> None:
    # The 5-point shape predictor is a dlib file too, but no ResNet.
    other = dlib_model.model_dir() / "shape_predictor_5_face_landmarks.dat"
    with pytest.raises(DlibFormatError):
        read_face_resnet(other)
