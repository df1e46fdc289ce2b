"""Capture-quality checks with Chinese guidance for live camera frames."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from PIL import Image as PILImage

from .base import Face, Image
from .imaging import to_gray
from .messages import message


@dataclass(frozen=True)
class QualityThresholds:
    min_face_fraction: float = 0.18  # face box width / frame width
    max_face_fraction: float = 0.75
    min_face_px: int = 80
    max_center_offset: float = 0.30  # of frame width/height
    max_abs_yaw: float = 0.20  # yaw ratio, see yaw_ratio(); ~0.2 is roughly 20 degrees
    # variance of Laplacian on a 128-px-wide face crop normalised to luma std 50
    min_sharpness: float = 40.0
    min_brightness: float = 60.0  # mean luma of the face (0-255)
    max_brightness: float = 210.0
    min_contrast: float = 18.0  # std of luma of the face


DEFAULT_THRESHOLDS = QualityThresholds()


@dataclass(frozen=True)
class Problem:
    code: str
    message: str


@dataclass(frozen=True)
class QualityReport:
    problems: list[Problem]
    metrics: dict[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def messages(self) -> list[str]:
        return [p.message for p in self.problems]


def _problem(code: str) -> Problem:
    return Problem(code, message(code))


def yaw_ratio(landmarks5: np.ndarray) -> float:
    """Signed horizontal offset of the nose base from the mid-point between the eyes,
    in units of the inter-eye distance, measured along the eye axis (roll-invariant).

    About 0 for a frontal face; grows with head yaw (~0.2 at ~20 degrees). The sign
    tells the direction in image coordinates (positive = nose towards image right).
    """
    pts = np.asarray(landmarks5, dtype=np.float64)
    eye_a = pts[0:2].mean(axis=0)
    eye_b = pts[2:4].mean(axis=0)
    if eye_a[0] < eye_b[0]:
        eye_a, eye_b = eye_b, eye_a  # eye_a is the image-right eye
    axis = eye_a - eye_b
    dist = float(np.linalg.norm(axis))
    if dist < 1e-6:
        return 0.0
    mid = (eye_a + eye_b) / 2.0
    return float(np.dot(pts[4] - mid, axis / dist) / dist)


def laplacian_variance(gray: np.ndarray) -> float:
    """Variance of the 4-neighbour Laplacian (pure numpy)."""
    g = gray.astype(np.float32)
    if g.shape[0] < 3 or g.shape[1] < 3:
        return 0.0
    lap = g[:-2, 1:-1] + g[2:, 1:-1] + g[1:-1, :-2] + g[1:-1, 2:] - 4.0 * g[1:-1, 1:-1]
    return float(lap.var())


def face_crop_gray(image: Image, face: Face, width: int = 128) -> np.ndarray:
    """Luma of the face box, resized to a fixed width so measures are scale-free."""
    h, w = image.shape[:2]
    left, top = max(0, face.left), max(0, face.top)
    right, bottom = min(w, face.right), min(h, face.bottom)
    if right - left < 4 or bottom - top < 4:
        return np.zeros((width, width), np.float32)
    crop = image[top:bottom, left:right]
    height = max(4, round(width * (bottom - top) / (right - left)))
    resized = PILImage.fromarray(crop).resize((width, height), PILImage.Resampling.BILINEAR)
    return to_gray(np.asarray(resized))


def assess(
    image: Image, faces: list[Face], thresholds: QualityThresholds = DEFAULT_THRESHOLDS
) -> QualityReport:
    """Check one frame. ``faces`` come from ``FaceModel.detect``; the first face needs
    its landmarks (``FaceModel.landmarks``) for the pose check.

    Problems are ordered by what the person should fix first.
    """
    if not faces:
        return QualityReport([_problem("no_face")], {"faces": 0.0})
    if len(faces) > 1:
        return QualityReport([_problem("multiple_faces")], {"faces": float(len(faces))})
    t = thresholds
    face = faces[0]
    h, w = image.shape[:2]
    problems: list[Problem] = []
    metrics: dict[str, float] = {"faces": 1.0}

    fraction = face.width / float(w)
    metrics["face_fraction"] = fraction
    metrics["face_px"] = float(face.width)
    if face.width < t.min_face_px or fraction < t.min_face_fraction:
        problems.append(_problem("move_closer"))
    elif fraction > t.max_face_fraction:
        problems.append(_problem("move_back"))

    cx, cy = face.center
    offset = max(abs(cx - w / 2) / w, abs(cy - h / 2) / h)
    metrics["center_offset"] = offset
    if offset > t.max_center_offset:
        problems.append(_problem("face_not_centered"))

    if face.landmarks5 is not None:
        yaw = yaw_ratio(face.landmarks5)
        metrics["yaw_ratio"] = yaw
        if abs(yaw) > t.max_abs_yaw:
            problems.append(_problem("turn_to_camera"))

    gray = face_crop_gray(image, face)
    brightness = float(gray.mean())
    contrast = float(gray.std())
    # Normalise contrast first so that a dark (low-contrast) face is not also "blurry".
    sharpness = laplacian_variance(gray * (50.0 / max(contrast, 1.0)))
    metrics.update(brightness=brightness, contrast=contrast, sharpness=sharpness)
    if brightness < t.min_brightness:
        problems.append(_problem("too_dark"))
    elif brightness > t.max_brightness:
        problems.append(_problem("too_bright"))
    elif contrast < t.min_contrast:
        problems.append(_problem("low_contrast"))
    if sharpness < t.min_sharpness:
        problems.append(_problem("blurry"))
    return QualityReport(problems, metrics)
