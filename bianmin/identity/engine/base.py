"""Model-independent interface of the face engine.

The embedding model sits behind :class:`FaceModel`. Templates carry the model name and
the *pipeline* version that produced them; comparing templates of different versions is
refused, so replacing dlib by a stronger model means re-enrolling, never silently mixing
vector spaces.
"""

from __future__ import annotations

import json
import struct
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

import numpy as np

from .errors import TemplateError

Image = np.ndarray  # HxWx3 uint8 RGB


@dataclass(frozen=True)
class Face:
    """A detected face in image coordinates (pixels of the image given to ``detect``)."""

    left: int
    top: int
    right: int
    bottom: int
    confidence: float = 0.0
    # 5 alignment landmarks (x, y), filled by FaceModel.landmarks().
    # Order (dlib 5-point): 0-1 one eye's corners, 2-3 the other eye's corners, 4 nose base.
    landmarks5: np.ndarray | None = field(default=None, compare=False, repr=False)

    @property
    def width(self) -> int:
        return self.right - self.left

    @property
    def height(self) -> int:
        return self.bottom - self.top

    @property
    def center(self) -> tuple[float, float]:
        return ((self.left + self.right) / 2.0, (self.top + self.bottom) / 2.0)


@runtime_checkable
class FaceModel(Protocol):
    """What the engine needs from a face model. ``version`` names the whole pipeline."""

    name: str
    version: str
    dim: int

    def detect(self, image: Image) -> list[Face]:
        """Faces in ``image`` (boxes in its pixel coordinates), largest first."""
        ...

    def landmarks(self, image: Image, face: Face) -> Face:
        """Return ``face`` with its alignment landmarks filled in."""
        ...

    def embed(self, image: Image, face: Face, *, enrollment: bool = False) -> np.ndarray:
        """L2-comparable embedding of ``face``. ``enrollment=True`` may spend more time
        (augmentation) since it runs once per person; the vector space is the same."""
        ...

    def embed_many(
        self, items: Sequence[tuple[Image, Face]], *, enrollment: bool = False
    ) -> np.ndarray:
        """``embed`` of several (image, face) pairs at once (rows in the same order); a
        model may run them as one batch."""
        ...

    def similarity(self, a: np.ndarray, b: np.ndarray) -> float:
        """Higher means more likely the same person."""
        ...


@runtime_checkable
class EyeLandmarker(Protocol):
    """Landmarks of both eyes (6 points each, iBUG order) for the blink challenge."""

    name: str
    licence: str

    def eyes(self, image: Image, face: Face) -> tuple[np.ndarray, np.ndarray]: ...


_MAGIC = b"BMFT"
_FORMAT = 1


@dataclass(frozen=True, eq=False)
class Template:
    """A face template: an embedding plus the model/pipeline that produced it.

    ``to_bytes`` gives a compact self-describing blob that the Django side encrypts
    (SM4) before storing; ``from_bytes`` validates it.
    """

    model_name: str
    model_version: str
    vector: np.ndarray

    def __post_init__(self) -> None:
        vec = np.asarray(self.vector, dtype=np.float32).reshape(-1)
        if vec.size == 0 or not np.all(np.isfinite(vec)):
            raise TemplateError("template_invalid", "empty or non-finite vector")
        object.__setattr__(self, "vector", vec)

    def to_bytes(self) -> bytes:
        header = json.dumps(
            {"model": self.model_name, "version": self.model_version, "dim": int(self.vector.size)},
            separators=(",", ":"),
            ensure_ascii=True,
        ).encode("ascii")
        return (
            _MAGIC
            + struct.pack("<BH", _FORMAT, len(header))
            + header
            + self.vector.astype("<f4").tobytes()
        )

    @classmethod
    def from_bytes(cls, data: bytes) -> Template:
        try:
            if data[:4] != _MAGIC:
                raise ValueError("bad magic")
            fmt, hlen = struct.unpack_from("<BH", data, 4)
            if fmt != _FORMAT:
                raise ValueError(f"unknown format {fmt}")
            header = json.loads(data[7 : 7 + hlen].decode("ascii"))
            body = data[7 + hlen :]
            dim = int(header["dim"])
            if len(body) != 4 * dim:
                raise ValueError("vector length does not match header")
            vec = np.frombuffer(body, dtype="<f4").astype(np.float32)
            return cls(str(header["model"]), str(header["version"]), vec)
        except TemplateError:
            raise
        except (ValueError, KeyError, TypeError, struct.error, UnicodeDecodeError) as exc:
            raise TemplateError("template_invalid", str(exc)) from exc

    def ensure_compatible(self, model_name: str, model_version: str) -> None:
        """Raise ``TemplateError('template_version_mismatch')`` unless made by that model."""
        if (self.model_name, self.model_version) != (model_name, model_version):
            raise TemplateError(
                "template_version_mismatch",
                f"template {self.model_name}/{self.model_version} "
                f"vs model {model_name}/{model_version}",
            )

    def compare_to(self, other: Template) -> float:
        """Raw similarity ``1 - L2 distance``; refuses templates of another version."""
        other.ensure_compatible(self.model_name, self.model_version)
        return raw_similarity(self.vector, other.vector)


def raw_similarity(a: np.ndarray, b: np.ndarray) -> float:
    """``1 - ||a - b||``: dlib's classic 0.6 distance threshold is similarity 0.4."""
    return float(1.0 - np.linalg.norm(np.asarray(a, np.float64) - np.asarray(b, np.float64)))
