"""Enrollment and 1:1 verification: the entry points the Django layer calls."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np

from .base import EyeLandmarker, Face, FaceModel, Image, Template, raw_similarity
from .cohort import Cohort, s_norm
from .errors import EnrollmentError, FaceEngineError, TemplateError
from .imaging import as_rgb_array, decode_image
from .liveness import LivenessConfig, LivenessResult, check_liveness
from .quality import QualityReport, assess

CALIBRATION_PATH = Path(__file__).with_name("calibration.json")

# Face box width in the enrollment photo. A second-generation ID card's chip photo is 102x126 px
# with a face about 70 px wide (the detector's box: 52-72 px) and must be a usable reference.
# Measured on the East Asian set cut to that format (2026-12-03): 71.5 % of genuine checks
# match at the accept threshold, as from the full photos, 0 of 2,112 impostors; faces of
# ~45 px (boxes of 36-43 px) still 62.5 %, 0 impostors. Below 40 px a person cannot compare
# the face either.
MIN_ENROLL_FACE_PX = 40
SECONDARY_FACE_RATIO = 0.35  # faces narrower than this share of the largest are ignored

Decision = Literal["match", "no_match", "uncertain"]


@dataclass(frozen=True)
class ThresholdConfig:
    """Decision thresholds on the ``method`` score scale (higher = more similar).

    ``score >= accept`` -> match; ``score < reject`` -> no_match; in between -> uncertain
    (a member of staff decides, e.g. by comparing with the ID card photo).
    """

    model_name: str
    model_version: str
    method: Literal["raw", "snorm"]
    accept: float
    reject: float
    far_target: float = 0.001

    def __post_init__(self) -> None:
        if self.reject > self.accept:
            raise ValueError("reject threshold must not exceed accept threshold")

    def decide(self, score: float) -> Decision:
        if score >= self.accept:
            return "match"
        if score < self.reject:
            return "no_match"
        return "uncertain"

    @classmethod
    def load(cls, path: Path = CALIBRATION_PATH, method: str | None = None) -> ThresholdConfig:
        """Read calibration.json (``method`` defaults to the file's ``default_method``)."""
        data = json.loads(path.read_text(encoding="utf-8"))
        key = method or data["default_method"]
        entry = data["methods"][key]
        return cls(
            model_name=data["model_name"],
            model_version=data["model_version"],
            method=entry["score"],
            accept=float(entry["accept"]),
            reject=float(entry["reject"]),
            far_target=float(data["far_target"]),
        )


@dataclass(frozen=True)
class Verification:
    score: float
    threshold: float  # the accept threshold used
    decision: Decision
    liveness: LivenessResult | None
    model_version: str
    frames_sha256: list[str]
    reject_threshold: float = 0.0
    method: str = "raw"
    frames_used: list[int] = field(default_factory=list)  # indexes of frames embedded
    quality: list[QualityReport | None] = field(default_factory=list)  # per frame
    reasons: list[str] = field(default_factory=list)

    @property
    def burst_sha256(self) -> str:
        """One digest for the whole burst: SHA-256 of the per-frame hex digests joined by
        newlines, in capture order (fits a single 64-character column)."""
        return hashlib.sha256("\n".join(self.frames_sha256).encode("ascii")).hexdigest()

    def as_dict(self) -> dict[str, object]:
        return {
            "score": round(self.score, 4),
            "threshold": self.threshold,
            "reject_threshold": self.reject_threshold,
            "decision": self.decision,
            "method": self.method,
            "liveness": None if self.liveness is None else self.liveness.as_dict(),
            "model_version": self.model_version,
            "frames_sha256": self.frames_sha256,
            "burst_sha256": self.burst_sha256,
            "frames_used": self.frames_used,
            "reasons": self.reasons,
        }


def _model(model: FaceModel | None) -> FaceModel:
    if model is not None:
        return model
    from .dlib_model import default_model

    return default_model()


def _main_faces(faces: list[Face]) -> list[Face]:
    """Drop tiny background faces (e.g. a poster) far smaller than the main one."""
    if not faces:
        return faces
    largest = max(f.width for f in faces)
    return [f for f in faces if f.width >= SECONDARY_FACE_RATIO * largest]


def enroll(
    image_bytes: bytes, *, model: FaceModel | None = None, min_face_px: int = MIN_ENROLL_FACE_PX
) -> Template:
    """Make a template from one photo (counter camera or uploaded photo).

    Raises :class:`~.errors.ImageError` (bad/huge/truncated file) or
    :class:`~.errors.EnrollmentError` with code ``no_face``, ``multiple_faces`` or
    ``face_too_small``; ``err.code`` is the machine code, ``err.message`` Chinese.
    """
    m = _model(model)
    image = decode_image(image_bytes)
    faces = _main_faces(m.detect(image))
    if not faces:
        raise EnrollmentError("no_face")
    if len(faces) > 1:
        raise EnrollmentError("multiple_faces", f"{len(faces)} faces")
    face = faces[0]
    if face.width < min_face_px:
        raise EnrollmentError("face_too_small", f"{face.width}px < {min_face_px}px")
    vector = m.embed(image, m.landmarks(image, face), enrollment=True)
    return Template(m.name, m.version, vector)


def frame_sha256(frame: bytes | np.ndarray) -> str:
    if isinstance(frame, bytes | bytearray | memoryview):
        return hashlib.sha256(bytes(frame)).hexdigest()
    arr = np.ascontiguousarray(frame)
    return hashlib.sha256(f"{arr.shape}{arr.dtype}".encode() + arr.tobytes()).hexdigest()


def verify(
    template: Template,
    frames: Sequence[bytes | np.ndarray],
    *,
    threshold_config: ThresholdConfig,
    model: FaceModel | None = None,
    liveness_config: LivenessConfig | None = None,
    require_liveness: bool = True,
    eye_landmarker: EyeLandmarker | None = None,
    cohort: Cohort | None = None,
    max_embed_frames: int = 3,
) -> Verification:
    """1:1 verification of a burst of camera frames against an enrolled template.

    ``frames`` are encoded images (bytes) or RGB arrays in capture order. The best
    ``max_embed_frames`` single-face frames (fewest quality problems, then sharpest)
    are embedded and their embeddings averaged. If liveness is required and fails,
    the decision is never "match".

    Raises :class:`TemplateError` on a template/model version mismatch and
    :class:`FaceEngineError` ``no_usable_frame`` if no frame holds exactly one face.
    """
    m = _model(model)
    template.ensure_compatible(m.name, m.version)
    if (threshold_config.model_name, threshold_config.model_version) != (m.name, m.version):
        raise TemplateError(
            "template_version_mismatch",
            f"thresholds calibrated for {threshold_config.model_version}, model is {m.version}",
        )
    if threshold_config.method == "snorm":
        if cohort is None:
            raise ValueError("the snorm thresholds need a cohort")
        if (cohort.model_name, cohort.model_version) != (m.name, m.version):
            raise TemplateError("template_version_mismatch", "cohort built with another model")
    if not frames:
        raise FaceEngineError("no_usable_frame")
    shas = [frame_sha256(f) for f in frames]
    images: list[Image] = [as_rgb_array(f) for f in frames]

    faces: list[Face | None] = []
    reports: list[QualityReport | None] = []
    for image in images:
        found = _main_faces(m.detect(image))
        if len(found) == 1:
            face = m.landmarks(image, found[0])
            faces.append(face)
            reports.append(assess(image, [face]))
        else:
            faces.append(None)
            reports.append(assess(image, found))

    liveness: LivenessResult | None = None
    if require_liveness:
        liveness = check_liveness(
            images,
            model=m,
            config=liveness_config,
            eye_landmarker=eye_landmarker,
            faces=faces,
        )

    candidates = [i for i, f in enumerate(faces) if f is not None]
    if not candidates:
        raise FaceEngineError("no_usable_frame")

    def rank(i: int) -> tuple[int, float]:
        rep = reports[i]
        if rep is None:
            return (99, 0.0)
        return (len(rep.problems), -rep.metrics.get("sharpness", 0.0))

    chosen = sorted(sorted(candidates, key=rank)[: max(1, max_embed_frames)])
    pairs = [(images[i], f) for i in chosen if (f := faces[i]) is not None]
    probe = np.mean(m.embed_many(pairs), axis=0)  # the chosen frames' chips in one batch

    raw = raw_similarity(template.vector, probe)
    if threshold_config.method == "snorm" and cohort is not None:
        score = s_norm(raw, template.vector, probe, cohort)
    else:
        score = raw
    decision = threshold_config.decide(score)
    reasons: list[str] = []
    if liveness is not None and not liveness.passed:
        reasons.append(f"liveness_failed:{liveness.code}")
        if decision == "match":
            decision = "no_match"
    return Verification(
        score=float(score),
        threshold=threshold_config.accept,
        decision=decision,
        liveness=liveness,
        model_version=m.version,
        frames_sha256=shas,
        reject_threshold=threshold_config.reject,
        method=threshold_config.method,
        frames_used=chosen,
        quality=reports,
        reasons=reasons,
    )


def warm_up(model: FaceModel | None = None) -> None:
    """Load the model files and run detection, landmarks and one embedding once, on a
    synthetic grey frame, so that the first real check of a process does not pay for them
    (about 1.2 s of file loading here). Decisions are not affected: nothing is cached but the
    loaded models."""
    m = _model(model)
    frame = np.full((240, 320, 3), 128, np.uint8)
    m.detect(frame)
    m.embed(frame, m.landmarks(frame, Face(110, 70, 210, 170)))


def check_frame(frame: bytes | np.ndarray, *, model: FaceModel | None = None) -> QualityReport:
    """Quality guidance for one live frame (for the capture page to show hints)."""
    m = _model(model)
    image = as_rgb_array(frame)
    found = _main_faces(m.detect(image))
    if len(found) == 1:
        found = [m.landmarks(image, found[0])]
    return assess(image, found)
