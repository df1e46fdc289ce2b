"""dlib implementation of :class:`FaceModel` (HOG detector, 5-point alignment, ResNet v1).

Detection, landmarks and the aligned chip use dlib. The ResNet v1 descriptor runs on
onnxruntime: its weights are read exactly from dlib's .dat file and the same network is
built as an ONNX graph in memory (:mod:`.resnet_onnx`), about 20x faster here than dlib's
own CPU code (built without BLAS), with the same vectors to 1e-4. dlib's ResNet is kept as
the reference (``embedding_runtime="dlib"``, the benchmarks and tests).

Both sides average jittered copies of the chip (:func:`jittered`): the small shifts, zooms,
turns and mirror images of dlib's ``jitter_image``, drawn once from a fixed seed so that the
same frames always give the same vector (dlib's own jitter draws new ones on every call).

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
# The jitter of dlib's ``jitter_image`` (dlib/image_transforms/interpolation.h): the chip's
# box shrunk by 3 px, moved by up to 2 % of its size, zoomed out to a box of 97-100 % and
# turned by up to 3 degrees; every second copy mirrored. A fixed seed, so a view is a
# constant of the pipeline: changing the seed or a range changes every vector, and so needs a
# new ``DlibPipeline.version`` (its "2+" prefix), a calibration and a re-enrollment.
JITTER_SEED = 20261203
JITTER_SHIFT = 0.02
JITTER_ZOOM = (0.97, 0.99999)
JITTER_TURN_DEGREES = 3.0


@dataclass(frozen=True)
class Jitter:
    shift_x: float  # share of the box's size
    shift_y: float
    zoom: float  # the box is divided by this
    turn: float  # radians
    mirror: bool


@functools.cache
def jitter_table(count: int) -> tuple[Jitter, ...]:
    """The first ``count`` jitters of the fixed sequence (a longer table extends a shorter)."""
    rng = np.random.default_rng(JITTER_SEED)
    table = []
    for k in range(count):
        sx, sy = rng.uniform(-JITTER_SHIFT, JITTER_SHIFT, 2)
        zoom = rng.uniform(*JITTER_ZOOM)
        turn = np.deg2rad(rng.uniform(-JITTER_TURN_DEGREES, JITTER_TURN_DEGREES))
        table.append(Jitter(float(sx), float(sy), float(zoom), float(turn), k % 2 == 1))
    return tuple(table)


def jittered(chip: np.ndarray, jitters: Sequence[Jitter]) -> list[np.ndarray]:
    """Copies of a square chip, each cut as dlib's ``jitter_image`` cuts it."""
    size = chip.shape[0]
    side = size - 6  # shrink_rect(get_rect(chip), 3)
    centre = size // 2
    out = []
    for j in jitters:
        x = centre + round(j.shift_x * side)
        y = centre + round(j.shift_y * side)
        box = int(side / j.zoom)
        left, top = x - box // 2, y - box // 2
        rect = dlib.rectangle(left, top, left + box - 1, top + box - 1)
        with _DLIB_LOCK:
            view = dlib.extract_image_chip(
                chip, dlib.chip_details(rect, dlib.chip_dims(size, size), j.turn)
            )
        out.append(np.ascontiguousarray(view[:, ::-1] if j.mirror else view))
    return out


# onnxruntime threads for one descriptor run. A check runs its 10 views in one batch: on the
# 2-core server 2 threads take 55-60 ms for one frame where 1 thread took 78-90 ms
# (bench/face_speed.py, 2026-12-03). Checks are rare beside the web requests, so the officer's
# wait counts more than the other core for those milliseconds.
RESNET_THREADS = 2


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
    """dlib's own ResNet: the reference for the ONNX one (``embedding_runtime="dlib"``)."""
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

    Defaults are the measured choice (docs/face-calibration.md): the probe averages 10
    jittered copies of the chosen frames' chips, shared among them (10 ResNet runs in one
    batch, one frame or three); the enrollment side, which runs once per photo, averages 40
    jittered copies and the mirror image.
    """

    landmarks: int = 5  # 5 (CC0) or 68 (iBUG 300-W, non-commercial; research only)
    padding: float = 0.25  # chip padding; the ResNet was trained with 0.25
    jitters: int = 10  # probe side: jittered copies (jitter_table), shared among the chips
    flip: bool = False  # probe side: add each chip's mirror image
    enroll_jitters: int = 40  # enrollment side
    enroll_flip: bool = True  # enrollment side
    # Detection: HOG on a copy whose long side is at most detect_max_side (0 = full size),
    # boxes mapped back; landmarks and chips are taken on the full-resolution image.
    detect_max_side: int = 320
    detect_upsample: int = 0
    # If nothing is found, retry on the full image (upsampled once if it is small).
    fallback: bool = True
    # Where the ResNet runs: "onnxruntime" (the converted weights) or "dlib". Not part of
    # ``version``: both give the same vectors to 1e-4 for the same views (test_resnet_onnx.py,
    # and bench/face_speed.py: 4.2e-7 on 372 chips of 93 faces).
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
        # "2": jitters from the fixed table (until 2026-12-03 "1": dlib's random jitter).
        return "2+" + ".".join(parts)


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
        if self.pipeline.embedding_runtime == "onnxruntime":
            _resnet_session()
        else:
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
        """One embedding per (image, face), all views run in one batch; the side's jitters are
        shared among the faces (a burst of frames costs the jitters once, not per frame)."""
        chips = [self.chip(image, face) for image, face in items]
        return self._descriptors(chips, enrollment=enrollment).astype(np.float32)

    def embed_chips(self, chips: list[np.ndarray], *, enrollment: bool = False) -> np.ndarray:
        """Mean embedding of the chips' views."""
        return np.mean(self._descriptors(chips, enrollment=enrollment), axis=0).astype(np.float32)

    def _descriptors(self, chips: list[np.ndarray], *, enrollment: bool) -> np.ndarray:
        """float64 (chips, 128): each chip's mean descriptor over its views - its share of the
        side's jitters (jitter k goes to chip k mod n), or the chip itself without jitters (as
        dlib's ``num_jitters`` averages the jittered copies only), and its mirror image if
        flipping."""
        p = self.pipeline
        flip, jitters = (p.enroll_flip, p.enroll_jitters) if enrollment else (p.flip, p.jitters)
        table = jitter_table(jitters)
        views: list[np.ndarray] = []
        owners: list[int] = []
        for i, chip in enumerate(chips):
            chip = np.ascontiguousarray(chip)
            own = jittered(chip, table[i :: len(chips)]) or [chip]
            if flip:
                own.append(np.ascontiguousarray(chip[:, ::-1]))
            views += own
            owners += [i] * len(own)
        if p.embedding_runtime == "dlib":
            with _DLIB_LOCK:
                vecs = _resnet().compute_face_descriptor(views, 0)
            rows = np.array([np.array(v) for v in vecs], dtype=np.float64)
        else:
            # onnxruntime's run is thread-safe and releases the GIL: no dlib lock needed.
            rows = _resnet_session().descriptors(views).astype(np.float64)
        owner = np.array(owners)
        return np.stack([rows[owner == i].mean(axis=0) for i in range(len(chips))])

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
