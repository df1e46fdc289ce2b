"""Active liveness challenges over a short burst of camera frames.

* ``blink``: open -> closed -> open pattern of the eye aspect ratio (EAR, Soukupova &
  Cech 2016) from 6 landmarks per eye. Needs an :class:`EyeLandmarker`; the only one
  available offline is dlib's 68-point predictor (iBUG 300-W, non-commercial terms), so
  this challenge must be enabled explicitly (``allow_noncommercial_eye_model=True``).
* ``turn``: the head yaw (from the CC0 5-point landmarks) must go from frontal to turned
  within the burst. Licence-clean; used by default.

A still photo held in front of the camera (identical or near-identical frames, with
noise or small shifts) produces neither pattern and fails. These challenges deter casual
photo attacks at a staffed counter; they are not a certified presentation-attack
detector (a replayed video can pass them).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from .base import EyeLandmarker, Face, FaceModel, Image
from .errors import LivenessConfigError
from .messages import message
from .quality import yaw_ratio

Challenge = Literal["blink", "turn"]


@dataclass(frozen=True)
class LivenessConfig:
    challenge: Challenge = "turn"
    # The blink challenge needs the iBUG-300W-trained 68-point model (non-commercial).
    allow_noncommercial_eye_model: bool = False
    min_frames: int = 5
    min_face_presence: float = 0.8  # share of frames where exactly one face is found
    # blink
    min_open_ear: float = 0.15  # the open level (90th percentile EAR) must reach this
    closed_ratio: float = 0.65  # closed: EAR <= closed_ratio * open level
    reopen_ratio: float = 0.85  # open again: EAR >= reopen_ratio * open level
    min_ear_drop: float = 0.06
    # turn
    frontal_yaw: float = 0.10
    turned_yaw: float = 0.22
    # static burst: spreads below these are reported as a still photo
    static_ear_spread: float = 0.20  # EAR range relative to the open level
    static_yaw_spread: float = 0.04


@dataclass(frozen=True)
class LivenessResult:
    passed: bool
    challenge: str
    code: str  # "ok" or a liveness_* code from messages.py
    message: str
    frames: int
    faces_found: int
    series: list[float | None] = field(default_factory=list)  # EAR or yaw per frame

    def as_dict(self) -> dict[str, object]:
        return {
            "passed": self.passed,
            "challenge": self.challenge,
            "code": self.code,
            "frames": self.frames,
            "faces_found": self.faces_found,
            "series": [None if v is None else round(v, 4) for v in self.series],
        }


def eye_aspect_ratio(eye: np.ndarray) -> float:
    """EAR of 6 eye points in iBUG order (corner, 2 upper, corner, 2 lower)."""
    e = np.asarray(eye, dtype=np.float64)
    horizontal = float(np.linalg.norm(e[0] - e[3]))
    if horizontal < 1e-6:
        return 0.0
    vertical = float(np.linalg.norm(e[1] - e[5]) + np.linalg.norm(e[2] - e[4]))
    return vertical / (2.0 * horizontal)


def _result(
    passed: bool, challenge: str, code: str, series: Sequence[float | None]
) -> LivenessResult:
    found = sum(v is not None for v in series)
    return LivenessResult(
        passed, challenge, code, "" if passed else message(code), len(series), found, list(series)
    )


def evaluate_blink(ears: Sequence[float | None], config: LivenessConfig) -> LivenessResult:
    """Pass iff the EAR series shows open -> closed -> open, in time order."""
    c = config
    if len(ears) < c.min_frames:
        return _result(False, "blink", "liveness_too_few_frames", ears)
    valid = [(i, v) for i, v in enumerate(ears) if v is not None]
    if len(valid) < c.min_face_presence * len(ears):
        return _result(False, "blink", "liveness_face_lost", ears)
    values = np.array([v for _, v in valid])
    open_level = float(np.percentile(values, 90))
    # Landmark jitter on a still photo moves the EAR by ~10%; a blink by 40% or more.
    if float(values.max() - values.min()) < c.static_ear_spread * max(open_level, 1e-6):
        return _result(False, "blink", "liveness_static", ears)
    if open_level < c.min_open_ear:
        return _result(False, "blink", "liveness_no_blink", ears)
    closed_level = min(c.closed_ratio * open_level, open_level - c.min_ear_drop)
    state = 0  # 0: waiting for open, 1: open seen, 2: closed seen after open
    for _, v in valid:
        if state == 0 and v >= c.reopen_ratio * open_level:
            state = 1
        elif state == 1 and v <= closed_level:
            state = 2
        elif state == 2 and v >= c.reopen_ratio * open_level:
            return _result(True, "blink", "ok", ears)
    return _result(False, "blink", "liveness_no_blink", ears)


def evaluate_turn(yaws: Sequence[float | None], config: LivenessConfig) -> LivenessResult:
    """Pass iff the head is frontal at some frame and clearly turned at a later one."""
    c = config
    if len(yaws) < c.min_frames:
        return _result(False, "turn", "liveness_too_few_frames", yaws)
    valid = [v for v in yaws if v is not None]
    if len(valid) < c.min_face_presence * len(yaws):
        return _result(False, "turn", "liveness_face_lost", yaws)
    if float(max(valid) - min(valid)) < c.static_yaw_spread:
        return _result(False, "turn", "liveness_static", yaws)
    frontal_seen = False
    for v in valid:
        if abs(v) <= c.frontal_yaw:
            frontal_seen = True
        elif frontal_seen and abs(v) >= c.turned_yaw:
            return _result(True, "turn", "ok", yaws)
    return _result(False, "turn", "liveness_no_turn", yaws)


def single_faces(model: FaceModel, frames: Sequence[Image]) -> list[Face | None]:
    """Per frame: the face with 5-point landmarks if exactly one face is found."""
    out: list[Face | None] = []
    for frame in frames:
        faces = model.detect(frame)
        out.append(model.landmarks(frame, faces[0]) if len(faces) == 1 else None)
    return out


def check_liveness(
    frames: Sequence[Image],
    *,
    model: FaceModel,
    config: LivenessConfig | None = None,
    eye_landmarker: EyeLandmarker | None = None,
    faces: Sequence[Face | None] | None = None,
) -> LivenessResult:
    """Run the configured challenge over ``frames`` (RGB arrays, in capture order).

    ``faces`` may pass detections already made by the caller (one entry per frame,
    ``None`` where not exactly one face was found) to avoid detecting twice.
    """
    config = config or LivenessConfig()
    found = list(faces) if faces is not None else single_faces(model, frames)
    if config.challenge == "blink":
        if not config.allow_noncommercial_eye_model:
            raise LivenessConfigError("liveness_blink_disabled")
        if eye_landmarker is None:
            from .dlib_model import default_eye_landmarker

            eye_landmarker = default_eye_landmarker()
        ears: list[float | None] = []
        for frame, face in zip(frames, found, strict=True):
            if face is None:
                ears.append(None)
                continue
            left, right = eye_landmarker.eyes(frame, face)
            ears.append((eye_aspect_ratio(left) + eye_aspect_ratio(right)) / 2.0)
        return evaluate_blink(ears, config)
    if config.challenge == "turn":
        yaws = [
            None if f is None or f.landmarks5 is None else yaw_ratio(f.landmarks5) for f in found
        ]
        return evaluate_turn(yaws, config)
    raise LivenessConfigError("liveness_blink_disabled", f"unknown challenge {config.challenge}")
