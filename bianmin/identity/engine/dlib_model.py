"""dlib implementation of :class:`FaceModel` (HOG detector, 5-point alignment, ResNet v1).

Detection, landmarks and the aligned chip use dlib. The ResNet v1 descriptor runs on
onnxruntime: its weights are read exactly from dlib's .dat file and the same network is
built as an ONNX graph in memory (:mod:`.resnet_onnx`), about 20x faster here than dlib's
own CPU code (built without BLAS), with the same vectors to 1e-4. dlib's ResNet is kept for
the jittered enrollment (dlib's random ``jitter_image`` inside ``compute_face_descriptor``),
which runs once per person, off the hot path.

Model files come from the ``face_recognition_models`` PyPI package; nothing is downloaded
at run time. Licences (see docs/adr/0005-face-models-and-licences.md):

* ``shape_predictor_5_face_landmarks.dat`` and ``dlib_face_recognition_resnet_model_v1.dat``:
  public domain / CC0 per the dlib-models README - used for enrollment and verification.
* ``shape_predictor_68_face_landmarks.dat``: trained on iBUG 300-W, whose terms exclude
  commercial use - only loaded by :class:`Dlib68EyeLandmarker` (blink challenge) and by the
  ``landmarks=68`` research pipeline of the benchmarks, both off by default.
"""

from __future__ import annotations

import functools
import importlib.util
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import dlib
import numpy as np

from .base import Face, Image, raw_similarity
from .imaging import resize_to_max_side
from .resnet_onnx import FaceResnetSession

MODEL_NAME = "dlib-resnet-v1"
RESNET_FILE = "dlib_face_recognition_resnet_model_v1.dat"
# onnxruntime threads for one descriptor run. Measured on the 2-core server: 1 thread 3.0 ms,
# 2 threads 2.5-3.4 ms per chip (bench/face_speed.py); one thread leaves the other core to the
# web server.
RESNET_THREADS = 1


def model_dir() -> Path:
    """Folder of the .dat files, located without importing ``face_recognition_models``
    (its ``__init__`` needs pkg_resources, which we do not need)."""
    spec = importlib.util.find_spec("face_recognition_models")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the face_recognition_models package is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "models"


@functools.cache
def _detector() -> dlib.fhog_object_detector:
    return dlib.get_frontal_face_detector()


@functools.cache
def _predictor(points: int) -> dlib.shape_predictor:
    name = {5: "shape_predictor_5_face_landmarks.dat", 68: "shape_predictor_68_face_landmarks.dat"}
    return dlib.shape_predictor(str(model_dir() / name[points]))


@functools.cache
def _resnet() -> dlib.face_recognition_model_v1:
    """dlib's own ResNet: the jittered enrollment path and the reference for the ONNX one."""
    return dlib.face_recognition_model_v1(str(model_dir() / RESNET_FILE))


@functools.cache
def _resnet_session() -> FaceResnetSession:
    """The same ResNet on onnxruntime (weights converted from the .dat file at first use)."""
    return FaceResnetSession(model_dir() / RESNET_FILE, threads=RESNET_THREADS)


# dlib documents its detectors, shape predictors and DNNs as unsafe for concurrent use of
# one instance; the Python binding also keeps the GIL, so threads would gain nothing.
# Serialise every call into dlib (Django may serve requests from several threads).
_DLIB_LOCK = threading.RLock()


@dataclass(frozen=True)
class DlibPipeline:
    """Knobs of the dlib pipeline. Everything that changes a vector is in ``version``.

    Defaults are the measured choice (docs/face-calibration.md): the probe side stays
    cheap (one ResNet pass per frame, ~110 ms here without BLAS) while the enrollment
    side, which runs once, averages the chip, its mirror image and dlib's jitters.
    """

    landmarks: int = 5  # 5 (CC0) or 68 (iBUG 300-W, non-commercial; research only)
    padding: float = 0.25  # chip padding; the ResNet was trained with 0.25
    jitters: int = 0  # probe side: dlib's random jitter averaging (0 = off)
    flip: bool = False  # probe side: mean of the chip and its mirror image
    enroll_jitters: int = 10  # enrollment side
    enroll_flip: bool = True  # enrollment side
    # Detection: HOG on a copy whose long side is at most detect_max_side (0 = full size),
    # boxes mapped back; landmarks and chips are taken on the full-resolution image.
    detect_max_side: int = 320
    detect_upsample: int = 0
    # If nothing is found, retry on the full image (upsampled once if it is small).
    fallback: bool = True
    # Where the ResNet runs without jitters: "onnxruntime" (the converted weights) or "dlib".
    # Not part of ``version``: both give the same vectors to 1e-4 (test_resnet_onnx.py, and
    # bench/face_speed.py: 4.2e-7 on 372 chips of 93 faces), so templates enrolled before the switch stay valid
    # and nobody has to re-enrol. Jittered embeddings (jitters > 1) always use dlib.
    embedding_runtime: Literal["onnxruntime", "dlib"] = "onnxruntime"

    @property
    def version(self) -> str:
        parts = [f"lm{self.landmarks}", f"pad{self.padding:g}"]
        if self.flip:
            parts.append("flip")
        if self.jitters:
            parts.append(f"j{self.jitters}")
        if self.enroll_flip:
            parts.append("eflip")
        if self.enroll_jitters:
            parts.append(f"ej{self.enroll_jitters}")
        return "1+" + ".".join(parts)


class DlibFaceModel:
    """:class:`FaceModel` backed by dlib."""

    name = MODEL_NAME
    dim = 128

    def __init__(self, pipeline: DlibPipeline | None = None) -> None:
        self.pipeline = pipeline or DlibPipeline()
        self.version = self.pipeline.version
        self._detector = _detector()
        self._predictor = _predictor(self.pipeline.landmarks)
        # Load the ResNet(s) this pipeline uses now rather than at the first check.
        p = self.pipeline
        if p.embedding_runtime == "onnxruntime":
            _resnet_session()
        if p.embedding_runtime == "dlib" or max(p.jitters, p.enroll_jitters) > 1:
            _resnet()

    # -- detection -------------------------------------------------------------------
    def detect(self, image: Image) -> list[Face]:
        p = self.pipeline
        faces: list[Face] = []
        if p.detect_max_side:
            small, scale = resize_to_max_side(image, p.detect_max_side)
            faces = self._run_detector(small, p.detect_upsample, scale)
        else:
            faces = self._run_detector(image, p.detect_upsample, 1.0)
        if not faces and p.fallback and (p.detect_max_side or p.detect_upsample == 0):
            h, w = image.shape[:2]
            if max(h, w) <= 800:
                faces = self._run_detector(image, 1, 1.0)
            else:
                medium, scale = resize_to_max_side(image, 1600)
                faces = self._run_detector(medium, 0, scale)
        return sorted(faces, key=lambda f: f.width * f.height, reverse=True)

    def detect_full(self, image: Image, upsample: int = 1) -> list[Face]:
        """Straightforward detection on the full frame (the speed-benchmark baseline)."""
        faces = self._run_detector(image, upsample, 1.0)
        return sorted(faces, key=lambda f: f.width * f.height, reverse=True)

    def _run_detector(self, image: Image, upsample: int, scale: float) -> list[Face]:
        with _DLIB_LOCK:
            rects, scores, _ = self._detector.run(image, upsample, 0.0)
        inv = 1.0 / scale
        return [
            Face(
                left=round(r.left() * inv),
                top=round(r.top() * inv),
                right=round(r.right() * inv),
                bottom=round(r.bottom() * inv),
                confidence=float(s),
            )
            for r, s in zip(rects, scores, strict=True)
        ]

    # -- landmarks and embedding -----------------------------------------------------------
    def _shape(self, image: Image, face: Face) -> dlib.full_object_detection:
        rect = dlib.rectangle(face.left, face.top, face.right, face.bottom)
        with _DLIB_LOCK:
            return self._predictor(image, rect)

    def landmarks(self, image: Image, face: Face) -> Face:
        shape = self._shape(image, face)
        pts = np.array([(p.x, p.y) for p in shape.parts()], dtype=np.float32)
        if pts.shape[0] == 68:
            # Reduce to the 5-point layout so that pose/quality code sees one format.
            pts = np.array([pts[45], pts[42], pts[36], pts[39], pts[33]], dtype=np.float32)
        return Face(face.left, face.top, face.right, face.bottom, face.confidence, pts)

    def chip(self, image: Image, face: Face) -> np.ndarray:
        """Aligned 150x150 RGB chip as the ResNet expects it."""
        shape = self._shape(image, face)
        with _DLIB_LOCK:
            return dlib.get_face_chip(image, shape, size=150, padding=self.pipeline.padding)

    def embed(self, image: Image, face: Face, *, enrollment: bool = False) -> np.ndarray:
        return self.embed_chips([self.chip(image, face)], enrollment=enrollment)

    def embed_many(
        self, items: Sequence[tuple[Image, Face]], *, enrollment: bool = False
    ) -> np.ndarray:
        """One embedding per (image, face), as ``embed`` gives it, all chips run in one batch."""
        chips = [self.chip(image, face) for image, face in items]
        groups = self._descriptors(chips, enrollment=enrollment)
        return np.mean(groups, axis=0).astype(np.float32)

    def embed_chips(self, chips: list[np.ndarray], *, enrollment: bool = False) -> np.ndarray:
        """Mean embedding of the chips (plus their mirror images if flipping)."""
        groups = self._descriptors(chips, enrollment=enrollment)
        return np.mean(groups.reshape(-1, self.dim), axis=0).astype(np.float32)

    def _descriptors(self, chips: list[np.ndarray], *, enrollment: bool) -> np.ndarray:
        """float64 array (views, chips, 128): the chips' descriptors, and their mirror images'
        as a second view if flipping. With jitters each is dlib's mean over the jittered copies
        (dlib treats 0 and 1 jitter as none)."""
        p = self.pipeline
        flip, jitters = (p.enroll_flip, p.enroll_jitters) if enrollment else (p.flip, p.jitters)
        batch = [np.ascontiguousarray(c) for c in chips]
        if flip:
            batch += [np.ascontiguousarray(c[:, ::-1]) for c in chips]
        if jitters > 1 or p.embedding_runtime == "dlib":
            with _DLIB_LOCK:
                vecs = _resnet().compute_face_descriptor(batch, jitters)
            rows = np.array([np.array(v) for v in vecs], dtype=np.float64)
        else:
            # onnxruntime's run is thread-safe and releases the GIL: no dlib lock needed.
            rows = _resnet_session().descriptors(batch).astype(np.float64)
        return rows.reshape(2 if flip else 1, len(chips), self.dim)

    def similarity(self, a: np.ndarray, b: np.ndarray) -> float:
        return raw_similarity(a, b)


class Dlib68EyeLandmarker:
    """Eye landmarks from dlib's 68-point predictor (iBUG 300-W: NON-COMMERCIAL terms).

    Only used by the blink challenge when the deployment has explicitly enabled it
    (``allow_noncommercial_eye_model``); see the ADR for the licence risk.
    """

    name = "dlib-shape-predictor-68"
    licence = "iBUG 300-W terms: non-commercial use only"

    def __init__(self) -> None:
        self._predictor = _predictor(68)

    def eyes(self, image: Image, face: Face) -> tuple[np.ndarray, np.ndarray]:
        rect = dlib.rectangle(face.left, face.top, face.right, face.bottom)
        with _DLIB_LOCK:
            shape = self._predictor(image, rect)
        pts = np.array([(p.x, p.y) for p in shape.parts()], dtype=np.float32)
        return pts[36:42], pts[42:48]


@functools.cache
def default_model() -> DlibFaceModel:
    """The production pipeline (loaded once per process)."""
    return DlibFaceModel()


@functools.cache
def default_eye_landmarker() -> Dlib68EyeLandmarker:
    return Dlib68EyeLandmarker()
