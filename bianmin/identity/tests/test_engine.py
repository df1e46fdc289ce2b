"""Tests of the face engine (pure functions: no Django, no database).

Fixtures in tests/data are small downscaled crops of public-figure photos from the
MIT-licensed ageitgey/face_recognition repository (see tests/data/README.md).
"""

from __future__ import annotations

import functools
import hashlib
import io
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageFilter

from bianmin.identity import engine
from bianmin.identity.tests.faces import close_eyes, jitter

DATA = Path(__file__).parent / "data"


@functools.cache
def photo(name: str) -> bytes:
    return (DATA / name).read_bytes()


@functools.cache
def rgb(name: str) -> np.ndarray:
    return engine.decode_image(photo(name))


@functools.cache
def template(name: str) -> engine.Template:
    return engine.enroll(photo(name))


def thresholds() -> engine.ThresholdConfig:
    return engine.ThresholdConfig.load()


def jpeg(image: np.ndarray, quality: int = 90) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(image).save(buf, format="JPEG", quality=quality)
    return buf.getvalue()


def png(image: Image.Image) -> bytes:
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    return buf.getvalue()


def main_face(image: np.ndarray) -> engine.Face:
    model = engine.default_model()
    return model.landmarks(image, model.detect(image)[0])


# -- synthetic bursts ------------------------------------------------------------------------


@functools.cache
def blink_burst() -> tuple[np.ndarray, ...]:
    image = rgb("obama_a.jpg")
    closed = close_eyes(image, main_face(image))
    order = [image, image, image, closed, closed, image, image, image]
    return tuple(jitter(f, seed=k, shift=1) for k, f in enumerate(order))


@functools.cache
def still_burst() -> tuple[np.ndarray, ...]:
    image = rgb("obama_a.jpg")
    return tuple(jitter(image, seed=100 + k) for k in range(8))


BLINK = engine.LivenessConfig(challenge="blink", allow_noncommercial_eye_model=True)


# -- decoding and enrollment errors ------------------------------------------------------


def enroll_error(data: bytes) -> str:
    with pytest.raises(engine.FaceEngineError) as info:
        engine.enroll(data)
    assert info.value.message == engine.message(info.value.code)
    return info.value.code


def test_enroll_returns_versioned_template() -> None:
    t = template("obama_a.jpg")
    assert t.model_name == "dlib-resnet-v1"
    assert t.model_version == engine.default_model().version
    assert t.vector.shape == (128,)
    assert t.vector.dtype == np.float32


def test_enroll_rejects_photo_without_face() -> None:
    rng = np.random.default_rng(0)
    gradient = np.linspace(0, 255, 320, dtype=np.float32)[None, :, None]
    landscape = np.clip(gradient + rng.normal(0, 20, (240, 320, 3)), 0, 255).astype(np.uint8)
    assert enroll_error(jpeg(landscape)) == "no_face"
    assert engine.message("no_face") == "未检测到人脸，请正对摄像头并露出完整面部"


def test_enroll_rejects_group_photo() -> None:
    assert enroll_error(photo("group_two.jpg")) == "multiple_faces"


def test_enroll_rejects_face_too_small() -> None:
    # the face found but about 36 px wide: too small for a person to compare as well
    small = Image.open(io.BytesIO(photo("obama_a.jpg"))).resize((100, 94))
    canvas = Image.new("RGB", (320, 240), (128, 128, 128))
    canvas.paste(small, (110, 73))
    assert enroll_error(jpeg(np.asarray(canvas))) == "face_too_small"


def id_card_photo(name: str) -> bytes:
    """The photo cut as a second-generation ID card's chip holds it: 102x126 px, the face
    about 70 px wide."""
    image = engine.decode_image(photo(name))
    face = engine.default_model().detect(image)[0]
    cx, cy = (face.left + face.right) / 2, (face.top + face.bottom) / 2
    width = face.width * 102 / 70
    height = width * 126 / 102
    box = (
        round(cx - width / 2),
        round(cy - 0.45 * height),
        round(cx + width / 2),
        round(cy + 0.55 * height),
    )
    card = Image.fromarray(image).crop(box).resize((102, 126), Image.Resampling.LANCZOS)
    return jpeg(np.asarray(card))


def test_an_id_card_chip_photo_is_a_usable_reference() -> None:
    card = id_card_photo("obama_a.jpg")
    assert Image.open(io.BytesIO(card)).size == (102, 126)
    template = engine.enroll(card)
    thresholds = engine.ThresholdConfig.load()

    def decide(name: str) -> str:
        return engine.verify(
            template, [photo(name)], threshold_config=thresholds, require_liveness=False
        ).decision

    assert decide("obama_b.jpg") == "match"
    assert decide("biden.jpg") == "no_match"


def test_enroll_rejects_non_image() -> None:
    assert enroll_error(b"%PDF-1.7\n1 0 obj << >> endobj\n") == "not_an_image"
    assert enroll_error(b"") == "empty_image"


def test_enroll_rejects_truncated_jpeg() -> None:
    data = photo("obama_a.jpg")
    assert enroll_error(data[: len(data) // 2]) == "truncated_image"


def test_enroll_rejects_file_over_8_mb_before_decoding() -> None:
    assert enroll_error(photo("obama_a.jpg") + b"\0" * (8 * 1024 * 1024)) == "file_too_large"


def test_enroll_rejects_more_than_12_megapixels() -> None:
    assert enroll_error(png(Image.new("L", (4100, 3000)))) == "image_too_large"


def test_decompression_bomb_header_is_rejected_without_decoding() -> None:
    data = bytearray(png(Image.new("L", (64, 64))))
    # Rewrite the IHDR chunk to claim 40000 x 40000 pixels (1.6 gigapixels).
    ihdr = struct.pack(">II", 40000, 40000) + bytes(data[24:29])
    data[16:29] = ihdr
    data[29:33] = struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))
    assert enroll_error(bytes(data)) == "image_too_large"


# -- templates -----------------------------------------------------------------------------


def test_template_bytes_round_trip() -> None:
    t = template("obama_a.jpg")
    back = engine.Template.from_bytes(t.to_bytes())
    assert (back.model_name, back.model_version) == (t.model_name, t.model_version)
    assert np.array_equal(back.vector, t.vector)
    assert (
        len(t.to_bytes())
        == 4
        + 3
        + len(b'{"model":"dlib-resnet-v1","version":"')
        + len(t.model_version)
        + len(b'","dim":128}')
        + 128 * 4
    )


def test_template_from_garbage_is_refused() -> None:
    with pytest.raises(engine.TemplateError) as info:
        engine.Template.from_bytes(b"BMFT\x01\x05\x00{bad}")
    assert info.value.code == "template_invalid"


def test_template_version_mismatch_is_refused() -> None:
    t = template("obama_a.jpg")
    other = engine.Template(t.model_name, "0+lm68.pad0.25", t.vector)
    with pytest.raises(engine.TemplateError) as info:
        t.compare_to(other)
    assert info.value.code == "template_version_mismatch"
    assert info.value.message == "人脸模板版本与当前算法不一致，请重新采集人脸"
    with pytest.raises(engine.TemplateError) as info:
        engine.verify(
            other, [rgb("obama_b.jpg")], threshold_config=thresholds(), require_liveness=False
        )
    assert info.value.code == "template_version_mismatch"


# -- 1:1 decisions -----------------------------------------------------------------------------


def test_same_person_matches() -> None:
    result = engine.verify(
        template("obama_a.jpg"),
        [photo("obama_b.jpg")],
        threshold_config=thresholds(),
        require_liveness=False,
    )
    assert result.decision == "match"
    assert result.score >= result.threshold
    assert result.model_version == engine.default_model().version
    digest = hashlib.sha256(photo("obama_b.jpg")).hexdigest()
    assert result.frames_sha256 == [digest]
    assert result.burst_sha256 == hashlib.sha256(digest.encode()).hexdigest()


@pytest.mark.parametrize(
    ("enrolled", "probe"),
    [("obama_a.jpg", "biden.jpg"), ("obama_b.jpg", "guido.jpg"), ("biden.jpg", "guido.jpg")],
)
def test_different_people_do_not_match(enrolled: str, probe: str) -> None:
    result = engine.verify(
        template(enrolled), [photo(probe)], threshold_config=thresholds(), require_liveness=False
    )
    assert result.decision == "no_match"
    assert result.score < result.reject_threshold


def test_threshold_config_bands() -> None:
    cfg = engine.ThresholdConfig("m", "v", "raw", accept=0.6, reject=0.5)
    assert [cfg.decide(s) for s in (0.61, 0.6, 0.55, 0.5, 0.49)] == [
        "match",
        "match",
        "uncertain",
        "uncertain",
        "no_match",
    ]


def test_calibration_file_matches_model() -> None:
    cfg = thresholds()
    assert (cfg.model_name, cfg.model_version) == ("dlib-resnet-v1", engine.default_model().version)
    assert cfg.reject < cfg.accept
    assert cfg.far_target == 0.001


# -- liveness ----------------------------------------------------------------------------------


def test_eye_aspect_ratio_of_known_shape() -> None:
    eye = np.array([[0, 0], [2, -1], [4, -1], [6, 0], [4, 1], [2, 1]], dtype=np.float32)
    assert engine.eye_aspect_ratio(eye) == pytest.approx(2 / 6)


def test_blink_burst_passes() -> None:
    result = engine.check_liveness(list(blink_burst()), model=engine.default_model(), config=BLINK)
    assert (result.passed, result.code, result.faces_found) == (True, "ok", 8)


def test_still_photo_burst_fails_blink() -> None:
    result = engine.check_liveness(list(still_burst()), model=engine.default_model(), config=BLINK)
    assert result.passed is False
    assert result.code == "liveness_static"
    assert result.message == "画面静止不动，疑似照片，请本人按提示完成动作"


def test_still_photo_burst_fails_turn() -> None:
    result = engine.check_liveness(list(still_burst()), model=engine.default_model())
    assert (result.passed, result.challenge, result.code) == (False, "turn", "liveness_static")


def test_blink_needs_explicit_licence_flag() -> None:
    with pytest.raises(engine.LivenessConfigError) as info:
        engine.check_liveness(
            list(still_burst()),
            model=engine.default_model(),
            config=engine.LivenessConfig(challenge="blink"),
        )
    assert info.value.code == "liveness_blink_disabled"


def test_blink_pattern_rules() -> None:
    from bianmin.identity.engine.liveness import evaluate_blink

    cfg = engine.LivenessConfig()
    assert evaluate_blink([0.3, 0.3, 0.1, 0.3, 0.3], cfg).code == "ok"
    assert evaluate_blink([0.1, 0.1, 0.3, 0.3, 0.3], cfg).code == "liveness_no_blink"  # no reopen
    assert evaluate_blink([0.3, 0.3, 0.3, 0.1, 0.1], cfg).code == "liveness_no_blink"
    assert evaluate_blink([0.3, None, None, 0.1, 0.3], cfg).code == "liveness_face_lost"
    assert evaluate_blink([0.3, 0.1, 0.3], cfg).code == "liveness_too_few_frames"


def test_turn_pattern_rules() -> None:
    from bianmin.identity.engine.liveness import evaluate_turn

    cfg = engine.LivenessConfig()
    assert evaluate_turn([0.0, 0.02, 0.12, 0.25, 0.3], cfg).code == "ok"
    assert evaluate_turn([0.0, -0.05, -0.15, -0.24, -0.1], cfg).code == "ok"
    assert evaluate_turn([0.3, 0.3, 0.25, 0.26, 0.3], cfg).code == "liveness_no_turn"
    assert evaluate_turn([0.01, 0.02, 0.01, 0.02, 0.01], cfg).code == "liveness_static"


def test_verify_with_blink_liveness_matches() -> None:
    result = engine.verify(
        template("obama_b.jpg"),
        list(blink_burst()),
        threshold_config=thresholds(),
        liveness_config=BLINK,
    )
    assert result.liveness is not None
    assert result.liveness.passed
    assert result.decision == "match"
    assert len(result.frames_sha256) == 8
    assert len(result.frames_used) == 3


def test_verify_never_matches_a_still_photo() -> None:
    result = engine.verify(
        template("obama_b.jpg"),
        list(still_burst()),
        threshold_config=thresholds(),
        liveness_config=BLINK,
    )
    assert result.score >= result.threshold  # it is the right face ...
    assert result.decision == "no_match"  # ... but not a live one
    assert result.reasons == ["liveness_failed:liveness_static"]


# -- quality guidance ------------------------------------------------------------------------


def frame_with(face_photo: str, face_width: int) -> np.ndarray:
    """A 640x480 grey 'camera frame' with the photo pasted at the centre."""
    img = Image.open(io.BytesIO(photo(face_photo))).convert("RGB")
    img = img.resize((face_width, round(img.height * face_width / img.width)))
    canvas = Image.new("RGB", (640, 480), (120, 120, 120))
    canvas.paste(img, ((640 - img.width) // 2, (480 - img.height) // 2))
    return np.asarray(canvas)


def messages_for(frame: np.ndarray) -> list[str]:
    return engine.check_frame(frame).messages


def test_quality_ok_frame_has_no_problems() -> None:
    assert messages_for(frame_with("obama_b.jpg", 400)) == []


def test_quality_far_away() -> None:
    assert messages_for(frame_with("obama_b.jpg", 200)) == ["请靠近一些"]


def test_quality_dark() -> None:
    dark = (frame_with("obama_b.jpg", 400).astype(np.float32) * 0.3).astype(np.uint8)
    assert messages_for(dark) == ["光线太暗"]


def test_quality_blurry() -> None:
    frame = Image.fromarray(frame_with("obama_b.jpg", 400)).filter(ImageFilter.GaussianBlur(3))
    assert messages_for(np.asarray(frame)) == ["画面模糊，请保持不动"]


def test_quality_no_face_and_several_faces() -> None:
    assert messages_for(np.full((480, 640, 3), 128, np.uint8)) == [engine.message("no_face")]
    assert messages_for(rgb("group_two.jpg")) == ["画面中有多张人脸，请确保画面中只有本人"]


def test_quality_pose_from_landmarks() -> None:
    frame = frame_with("obama_b.jpg", 400)
    face = main_face(frame)
    turned = engine.Face(
        face.left,
        face.top,
        face.right,
        face.bottom,
        face.confidence,
        face.landmarks5 + np.array([[0, 0]] * 4 + [[0.3 * face.width, 0]], np.float32),
    )
    assert engine.assess(frame, [turned]).messages == ["请正对摄像头"]
    assert abs(engine.yaw_ratio(face.landmarks5)) < 0.2
