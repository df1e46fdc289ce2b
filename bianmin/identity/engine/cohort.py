"""Score normalisation against a cohort of (East Asian) faces: Z-norm and S-norm.

The cohort is a set of embeddings of people who are *not* the ones being verified.
S-norm turns a raw similarity into the mean of two z-scores: how unusual the score is
for the enrolled template among cohort impostors, and the same for the probe.

No cohort ships with the repository (the only East Asian photos at hand have no licence).
Build one from a folder of photos you may use for this purpose::

    python -m bianmin.identity.engine.cohort build PHOTO_DIR OUT.npz

and point ``cohort_path`` in the engine settings at it; re-run bench/face_eval.py with
``--cohort`` to calibrate the S-norm thresholds for that cohort before enabling it.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .base import FaceModel
from .errors import FaceEngineError

IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".webp", ".bmp"})


@dataclass(frozen=True, eq=False)
class Cohort:
    model_name: str
    model_version: str
    vectors: np.ndarray  # (N, dim) float32

    def scores(self, vector: np.ndarray) -> np.ndarray:
        """Raw similarities (1 - L2 distance) of ``vector`` against every cohort member."""
        diff = self.vectors.astype(np.float64) - np.asarray(vector, np.float64)[None, :]
        return 1.0 - np.linalg.norm(diff, axis=1)

    def stats(self, vector: np.ndarray) -> tuple[float, float]:
        s = self.scores(vector)
        return float(s.mean()), float(max(s.std(), 1e-6))

    def save(self, path: Path) -> None:
        np.savez_compressed(
            path,
            vectors=self.vectors.astype(np.float32),
            model_name=np.array(self.model_name),
            model_version=np.array(self.model_version),
        )

    @classmethod
    def load(cls, path: Path) -> Cohort:
        with np.load(path, allow_pickle=False) as data:
            return cls(str(data["model_name"]), str(data["model_version"]), data["vectors"].copy())


def z_norm(raw: float, enrolled: np.ndarray, cohort: Cohort) -> float:
    mean, std = cohort.stats(enrolled)
    return (raw - mean) / std


def s_norm(raw: float, enrolled: np.ndarray, probe: np.ndarray, cohort: Cohort) -> float:
    """Symmetric normalisation: mean of the z-scores w.r.t. both sides' cohort scores."""
    m1, s1 = cohort.stats(enrolled)
    m2, s2 = cohort.stats(probe)
    return 0.5 * ((raw - m1) / s1 + (raw - m2) / s2)


def build_cohort(photo_dir: Path, model: FaceModel) -> tuple[Cohort, int]:
    """Embed every single-face photo under ``photo_dir``; return (cohort, skipped)."""
    from .imaging import decode_image

    vectors: list[np.ndarray] = []
    skipped = 0
    for path in sorted(p for p in photo_dir.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES):
        try:
            image = decode_image(path.read_bytes())
        except FaceEngineError:
            skipped += 1
            continue
        faces = model.detect(image)
        if len(faces) != 1:
            skipped += 1
            continue
        vectors.append(model.embed(image, model.landmarks(image, faces[0]), enrollment=True))
    if not vectors:
        raise ValueError(f"no usable face photo under {photo_dir}")
    return Cohort(model.name, model.version, np.stack(vectors)), skipped


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bianmin.identity.engine.cohort")
    sub = parser.add_subparsers(dest="command", required=True)
    build = sub.add_parser("build", help="embed a folder of cohort photos into an .npz file")
    build.add_argument("photo_dir", type=Path)
    build.add_argument("out", type=Path)
    args = parser.parse_args(argv)
    from .dlib_model import default_model

    cohort, skipped = build_cohort(args.photo_dir, default_model())
    cohort.save(args.out)
    sys.stdout.write(
        f"{len(cohort.vectors)} embeddings ({cohort.model_name} {cohort.model_version}) "
        f"written to {args.out}; {skipped} files skipped\n"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
