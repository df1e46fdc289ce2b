"""Speed of one 1:1 verification of a 640x480 frame, engine vs straightforward baseline.

    python bench/face_speed.py [DIR] [--repeat 7] [--out bench/results]

DIR (default: the repository's test fixtures) is searched recursively for photos; each is
letterboxed into a 640x480 frame. For each frame both pipelines run detection, landmarks,
embedding and the comparison with an enrolled template:

* baseline: dlib HOG detector on the full 640x480 frame, upsampled once (the usual
  ``face_recognition``-style call), then the same landmarks/embedding/comparison;
* engine:   ``engine.verify`` on one frame (detection on a 320-px copy, box mapped back,
  landmarks and chip on the full frame, plus the quality checks).

It prints median/mean/p90 per stage and pipeline, checks that both pipelines give the
same decisions (no accuracy loss), and writes face_speed.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bianmin.identity import engine  # noqa: E402
from bianmin.identity.engine.base import raw_similarity  # noqa: E402

FRAME = (640, 480)


def letterbox(path: Path) -> np.ndarray:
    img = Image.open(path).convert("RGB")
    scale = min(FRAME[0] / img.width, FRAME[1] / img.height)
    img = img.resize(
        (round(img.width * scale), round(img.height * scale)), Image.Resampling.BILINEAR
    )
    canvas = Image.new("RGB", FRAME, (110, 110, 110))
    canvas.paste(img, ((FRAME[0] - img.width) // 2, (FRAME[1] - img.height) // 2))
    return np.asarray(canvas)


def baseline_verify(
    model: engine.DlibFaceModel,
    template: engine.Template,
    frame: np.ndarray,
    cfg: engine.ThresholdConfig,
    timings: dict[str, list[float]],
) -> tuple[str, float] | None:
    t0 = time.perf_counter()
    faces = model.detect_full(frame, upsample=1)
    t1 = time.perf_counter()
    if not faces:
        timings["detect"].append(t1 - t0)
        return None
    face = model.landmarks(frame, faces[0])
    t2 = time.perf_counter()
    vec = model.embed(frame, face)
    t3 = time.perf_counter()
    score = raw_similarity(template.vector, vec)
    decision = cfg.decide(score)
    t4 = time.perf_counter()
    for k, v in (
        ("detect", t1 - t0),
        ("landmarks", t2 - t1),
        ("embed", t3 - t2),
        ("compare", t4 - t3),
    ):
        timings[k].append(v)
    timings["total"].append(t4 - t0)
    return decision, score


def stats(xs: list[float]) -> dict[str, float]:
    if not xs:
        return {}
    ms = sorted(x * 1000 for x in xs)
    return {
        "median_ms": round(statistics.median(ms), 1),
        "mean_ms": round(statistics.fmean(ms), 1),
        "p90_ms": round(ms[min(len(ms) - 1, int(0.9 * len(ms)))], 1),
        "n": len(ms),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("dir", type=Path, nargs="?", default=ROOT / "bianmin/identity/tests/data")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    args = ap.parse_args(argv)

    paths = sorted(p for p in args.dir.rglob("*") if p.suffix.lower() in {".jpg", ".jpeg", ".png"})
    frames = [(p, letterbox(p)) for p in paths]
    model = engine.default_model()
    cfg = engine.ThresholdConfig.load()
    # Enrol each identity from its first photo. Identity = parent folder, or for a flat folder
    # (the test fixtures) the file-name prefix before "_" (obama_a.jpg, obama_b.jpg -> obama).
    ident = {
        p: (p.parent.name if p.parent != args.dir else p.stem.split("_")[0]) for p, _ in frames
    }
    templates: dict[str, engine.Template] = {}
    enroll_photo: dict[str, Path] = {}
    for p, _ in frames:
        if ident[p] in templates:
            continue
        try:
            templates[ident[p]] = engine.enroll(p.read_bytes())
            enroll_photo[ident[p]] = p
        except engine.FaceEngineError:
            continue
    probes = [
        (p, f) for p, f in frames if ident[p] in templates and p not in enroll_photo.values()
    ] or [(p, f) for p, f in frames if ident[p] in templates]
    print(
        f"{len(frames)} frames 640x480 from {args.dir}; {len(templates)} templates; "
        f"{len(probes)} probe frames x {args.repeat} repeats; {os.cpu_count()} CPUs"
    )

    load_before = [round(x, 2) for x in os.getloadavg()]
    # Warm-up (model load, caches).
    any_t = next(iter(templates.values()))
    engine.verify(any_t, [probes[0][1]], threshold_config=cfg, require_liveness=False)
    baseline_verify(
        model,
        any_t,
        probes[0][1],
        cfg,
        {k: [] for k in ("detect", "landmarks", "embed", "compare", "total")},
    )

    base_t: dict[str, list[float]] = {
        k: [] for k in ("detect", "landmarks", "embed", "compare", "total")
    }
    fast_t: list[float] = []
    fast_cpu: list[float] = []
    base_cpu: list[float] = []
    outcomes: dict[str, dict[str, int]] = {
        f"{pipe}_{kind}": {"match": 0, "uncertain": 0, "no_match": 0, "no_face": 0}
        for pipe in ("baseline", "engine")
        for kind in ("genuine", "impostor")
    }
    agree = disagree = base_miss = fast_miss = 0
    max_score_diff = 0.0
    for rep in range(args.repeat):
        for p, frame in probes:
            for name, tpl in templates.items():
                genuine_pair = name == ident[p]
                if not genuine_pair and rep > 0:
                    continue  # time genuine pairs each repeat; decisions of all pairs once
                c0 = time.process_time()
                b = baseline_verify(model, tpl, frame, cfg, base_t)
                base_cpu.append(time.process_time() - c0)
                c0 = time.process_time()
                t0 = time.perf_counter()
                try:
                    r = engine.verify(
                        tpl,
                        [frame],
                        threshold_config=cfg,
                        require_liveness=False,
                        max_embed_frames=1,
                    )
                    fast = (r.decision, r.score)
                except engine.FaceEngineError:
                    fast = None
                fast_t.append(time.perf_counter() - t0)
                fast_cpu.append(time.process_time() - c0)
                if rep == 0:
                    kind = "genuine" if genuine_pair else "impostor"
                    outcomes[f"baseline_{kind}"][b[0] if b else "no_face"] += 1
                    outcomes[f"engine_{kind}"][fast[0] if fast else "no_face"] += 1
                    base_miss += b is None
                    fast_miss += fast is None
                    if b and fast:
                        agree += b[0] == fast[0]
                        disagree += b[0] != fast[0]
                        max_score_diff = max(max_score_diff, abs(b[1] - fast[1]))
    base = {k: stats(v) for k, v in base_t.items()}
    fast_s = stats(fast_t)
    base_cpu_s = stats(base_cpu)
    fast_cpu_s = stats(fast_cpu)
    speedup = base["total"]["median_ms"] / fast_s["median_ms"]
    load_after = [round(x, 2) for x in os.getloadavg()]
    print(f"\n{'stage':12s} {'baseline median ms':>20s}")
    for k in ("detect", "landmarks", "embed", "compare"):
        print(f"{k:12s} {base[k].get('median_ms', float('nan')):20.1f}")
    print(f"\n{'pipeline':34s} {'median':>8s} {'mean':>8s} {'p90':>8s}")
    print(
        f"{'baseline (full frame, upsample 1)':34s} {base['total']['median_ms']:8.1f} {base['total']['mean_ms']:8.1f} {base['total']['p90_ms']:8.1f}"
    )
    print(
        f"{'engine.verify (320-px detection)':34s} {fast_s['median_ms']:8.1f} {fast_s['mean_ms']:8.1f} {fast_s['p90_ms']:8.1f}"
    )
    print(
        f"speed-up x{speedup:.2f}; decisions agree on {agree}/{agree + disagree} template-frame "
        f"pairs; max |score diff| {max_score_diff:.4f}; no face: baseline {base_miss}, engine {fast_miss}"
    )
    print(
        f"CPU time per verification (less sensitive to other load): baseline median "
        f"{base_cpu_s['median_ms']} ms, engine median {fast_cpu_s['median_ms']} ms "
        f"(x{base_cpu_s['median_ms'] / fast_cpu_s['median_ms']:.2f}); "
        f"load average during run {load_after}"
    )
    for name, counts in outcomes.items():
        print(f"  {name:18s} {counts}")
    payload = {
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "processor": platform.processor() or platform.machine(),
        },
        "frames": len(frames),
        "probe_frames": len(probes),
        "repeat": args.repeat,
        "source_dir_name": args.dir.name,
        "model_version": model.version,
        "baseline": base,
        "engine_verify": fast_s,
        "speedup_median": round(speedup, 2),
        "cpu_time": {
            "baseline": base_cpu_s,
            "engine_verify": fast_cpu_s,
            "speedup_median": round(base_cpu_s["median_ms"] / fast_cpu_s["median_ms"], 2),
        },
        "load_average_before": load_before,
        "load_average_after": load_after,
        "outcomes": outcomes,
        "accuracy_check": {
            "decisions_agree": agree,
            "decisions_differ": disagree,
            "max_abs_score_diff": round(max_score_diff, 4),
            "no_face_baseline": base_miss,
            "no_face_engine": fast_miss,
        },
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "face_speed.json").write_text(json.dumps(payload, indent=1) + "\n")
    print(f"wrote {args.out / 'face_speed.json'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
