"""Speed of one 1:1 verification of a 640x480 frame, engine vs straightforward baseline.

    python bench/face_speed.py [DIR] [--repeat 7] [--out bench/results] [--equality-dir D ...]

DIR (default: the repository's test fixtures) is searched recursively for photos; each is
letterboxed into a 640x480 frame. For each frame three pipelines run detection, landmarks,
embedding and the comparison with an enrolled template, interleaved (same load for all):

* baseline: dlib HOG detector on the full 640x480 frame, upsampled once, then landmarks and
  dlib's own ``compute_face_descriptor`` of the one chip (the usual ``face_recognition``-style
  call);
* engine:   ``engine.verify`` on one frame (detection on a 320-px copy, box mapped back,
  landmarks and chip on the full frame, the quality checks, and the ResNet on onnxruntime
  over the chip and its 10 jittered copies);
* engine with dlib's ResNet: the same ``engine.verify`` with every descriptor (the same views)
  computed by dlib, for the runtime check in the same run.

It prints median/mean/p90 per stage and pipeline, checks that the pipelines give the same
decisions (no accuracy loss), and writes face_speed.json. It also records:

* resnet_equality: the onnxruntime descriptor against dlib's for the same chip, over every
  face found in the photos of each --equality-dir (default: DIR): the chip of the photo,
  the chip of its 640x480 frame, and their mirror images;
* resnet: one chip's descriptor time with dlib, onnxruntime on 1 and on 2 threads, and a
  batch of 3 chips;
* startup: the cost of reading the .dat file, building the ONNX graph and opening the
  onnxruntime session (paid once per process), against loading dlib's ResNet.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bianmin.identity import engine  # noqa: E402
from bianmin.identity.engine import dlib_model  # noqa: E402
from bianmin.identity.engine.base import raw_similarity  # noqa: E402
from bianmin.identity.engine.dlib_dnn import read_face_resnet  # noqa: E402
from bianmin.identity.engine.resnet_onnx import FaceResnetSession, build_onnx  # noqa: E402

FRAME = (640, 480)
PHOTO_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp"}


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


def median_ms(fn: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return round(statistics.median(times) * 1000, 2)


def startup_costs(runs: int = 3) -> dict[str, float]:
    """Median wall time of each step of the first use of the ResNet in a process."""
    path = dlib_model.model_dir() / dlib_model.RESNET_FILE
    net = read_face_resnet(path)
    return {
        "read_dat_ms": median_ms(lambda: read_face_resnet(path), runs),
        "build_onnx_graph_ms": median_ms(lambda: build_onnx(net), runs),
        "onnx_total_ms": median_ms(lambda: FaceResnetSession(path, threads=1), runs),
        "dlib_resnet_load_ms": median_ms(
            lambda: dlib_model.dlib.face_recognition_model_v1(str(path)), runs
        ),
    }


def resnet_equality(dirs: list[Path], model: engine.DlibFaceModel) -> dict[str, object]:
    """onnxruntime vs dlib descriptors for every face of every photo in ``dirs`` (the chips of
    the photo and of its 640x480 frame, and their mirror images)."""
    faces = 0
    chips: list[np.ndarray] = []
    for d in dirs:
        for p in sorted(p for p in d.rglob("*") if p.suffix.lower() in PHOTO_SUFFIXES):
            for k, image in enumerate((engine.decode_image(p.read_bytes()), letterbox(p))):
                found = model.detect(image)
                faces += len(found) if k == 0 else 0  # faces of the photo, not of its frame
                for face in found:
                    chip = model.chip(image, model.landmarks(image, face))
                    chips += [chip, np.ascontiguousarray(chip[:, ::-1])]
    session = dlib_model._resnet_session()
    ours = np.concatenate(
        [session.descriptors(chips[i : i + 16]) for i in range(0, len(chips), 16)]
    )
    ref = np.array(
        [np.array(v) for v in dlib_model._resnet().compute_face_descriptor(chips, 0)],
        dtype=np.float64,
    )
    diff = np.abs(ours.astype(np.float64) - ref)
    per_chip = diff.max(axis=1)
    return {
        "dirs": [d.name for d in dirs],
        "faces": faces,
        "chips": len(chips),
        "chips_per_face": "photo chip, 640x480-frame chip, and the mirror image of each",
        "max_abs_diff": float(f"{diff.max():.3g}"),
        "mean_abs_diff": float(f"{diff.mean():.3g}"),
        "p99_chip_max_abs_diff": float(f"{np.quantile(per_chip, 0.99):.3g}"),
        "chips_over_1e-4": int((per_chip > 1e-4).sum()),
        "max_abs_l2_distance_diff_to_first": float(
            f"{np.abs(np.linalg.norm(ours - ours[0], axis=1) - np.linalg.norm(ref - ref[0], axis=1)).max():.3g}"
        ),
    }


def resnet_timings(chip: np.ndarray, runs: int = 20) -> dict[str, float]:
    path = dlib_model.model_dir() / dlib_model.RESNET_FILE
    net = dlib_model._resnet()
    one, two = FaceResnetSession(path, threads=1), FaceResnetSession(path, threads=2)
    three = [chip, chip[:, ::-1], chip]
    for s in (one, two):
        s.descriptors([chip])  # first run allocates
    return {
        "dlib_one_chip_ms": median_ms(lambda: net.compute_face_descriptor([chip], 0), runs // 2),
        "onnx_1_thread_one_chip_ms": median_ms(lambda: one.descriptors([chip]), runs),
        "onnx_2_threads_one_chip_ms": median_ms(lambda: two.descriptors([chip]), runs),
        "onnx_1_thread_3_chips_ms": median_ms(lambda: one.descriptors(three), runs),
        "onnx_2_threads_3_chips_ms": median_ms(lambda: two.descriptors(three), runs),
        "engine_threads": dlib_model.RESNET_THREADS,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("dir", type=Path, nargs="?", default=ROOT / "bianmin/identity/tests/data")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    ap.add_argument(
        "--equality-dir",
        type=Path,
        action="append",
        help="photos for the onnxruntime-vs-dlib descriptor check (repeatable; default DIR "
        "and $FACE_EVAL_DIR if set)",
    )
    ap.add_argument("--json-name", default="face_speed.json")
    args = ap.parse_args(argv)

    load_start = [round(x, 2) for x in os.getloadavg()]
    startup = startup_costs()
    paths = sorted(p for p in args.dir.rglob("*") if p.suffix.lower() in PHOTO_SUFFIXES)
    frames = [(p, letterbox(p)) for p in paths]
    model = engine.default_model()
    # The same pipeline (same version, same views) with dlib computing every descriptor: the
    # runtime check. The baseline embeds one chip on dlib, without the engine's jitters.
    dlib_resnet = engine.DlibFaceModel(engine.DlibPipeline(embedding_runtime="dlib"))
    naive = engine.DlibFaceModel(engine.DlibPipeline(embedding_runtime="dlib", jitters=0))
    eval_dir = os.environ.get("FACE_EVAL_DIR")
    equality_dirs = args.equality_dir or [args.dir, *([Path(eval_dir)] if eval_dir else [])]
    equality = resnet_equality(equality_dirs, model)
    print(
        f"ResNet onnxruntime vs dlib: {equality['faces']} faces, {equality['chips']} chips, "
        f"max |diff| {equality['max_abs_diff']}, chips over 1e-4: {equality['chips_over_1e-4']}"
    )
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
    engine.verify(
        any_t, [probes[0][1]], threshold_config=cfg, require_liveness=False, model=dlib_resnet
    )
    baseline_verify(
        naive,
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
    before_t: list[float] = []
    before_cpu: list[float] = []

    def run_engine(
        tpl: engine.Template, frame: np.ndarray, m: engine.DlibFaceModel
    ) -> tuple[str, float] | None:
        try:
            r = engine.verify(
                tpl,
                [frame],
                threshold_config=cfg,
                require_liveness=False,
                max_embed_frames=1,
                model=m,
            )
        except engine.FaceEngineError:
            return None
        return (r.decision, r.score)

    outcomes: dict[str, dict[str, int]] = {
        f"{pipe}_{kind}": {"match": 0, "uncertain": 0, "no_match": 0, "no_face": 0}
        for pipe in ("baseline", "engine")
        for kind in ("genuine", "impostor")
    }
    agree = disagree = base_miss = fast_miss = 0
    max_score_diff = 0.0
    runtime_agree = runtime_differ = 0
    runtime_max_score_diff = 0.0
    for rep in range(args.repeat):
        for p, frame in probes:
            for name, tpl in templates.items():
                genuine_pair = name == ident[p]
                if not genuine_pair and rep > 0:
                    continue  # time genuine pairs each repeat; decisions of all pairs once
                c0 = time.process_time()
                b = baseline_verify(naive, tpl, frame, cfg, base_t)
                base_cpu.append(time.process_time() - c0)
                c0 = time.process_time()
                t0 = time.perf_counter()
                fast = run_engine(tpl, frame, model)
                fast_t.append(time.perf_counter() - t0)
                fast_cpu.append(time.process_time() - c0)
                c0 = time.process_time()
                t0 = time.perf_counter()
                before = run_engine(tpl, frame, dlib_resnet)
                before_t.append(time.perf_counter() - t0)
                before_cpu.append(time.process_time() - c0)
                if rep == 0 and (before is None) != (fast is None):
                    runtime_differ += 1
                elif rep == 0 and before and fast:
                    runtime_agree += before[0] == fast[0]
                    runtime_differ += before[0] != fast[0]
                    runtime_max_score_diff = max(runtime_max_score_diff, abs(before[1] - fast[1]))
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
    before_s = stats(before_t)
    before_cpu_s = stats(before_cpu)
    speedup = base["total"]["median_ms"] / fast_s["median_ms"]
    first = probes[0][1]
    resnet = resnet_timings(model.chip(first, model.landmarks(first, model.detect(first)[0])))
    load_after = [round(x, 2) for x in os.getloadavg()]
    print(f"\n{'stage':12s} {'baseline median ms':>20s}")
    for k in ("detect", "landmarks", "embed", "compare"):
        print(f"{k:12s} {base[k].get('median_ms', float('nan')):20.1f}")
    print(f"\n{'pipeline':34s} {'median':>8s} {'mean':>8s} {'p90':>8s}")
    print(
        f"{'baseline (full frame, upsample 1)':34s} {base['total']['median_ms']:8.1f} {base['total']['mean_ms']:8.1f} {base['total']['p90_ms']:8.1f}"
    )
    print(
        f"{'engine, dlib ResNet (same views)':34s} {before_s['median_ms']:8.1f} {before_s['mean_ms']:8.1f} {before_s['p90_ms']:8.1f}"
    )
    print(
        f"{'engine.verify (onnxruntime ResNet)':34s} {fast_s['median_ms']:8.1f} {fast_s['mean_ms']:8.1f} {fast_s['p90_ms']:8.1f}"
    )
    print(
        f"engine decisions onnxruntime vs dlib ResNet: {runtime_agree} agree, {runtime_differ} differ; "
        f"max |score diff| {runtime_max_score_diff:.2e}"
    )
    print(f"ResNet per chip: {resnet}")
    print(f"start-up: {startup}")
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
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
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
        "engine_verify_dlib_resnet": before_s,
        "speedup_median": round(speedup, 2),
        "speedup_vs_engine_with_dlib_resnet": round(before_s["median_ms"] / fast_s["median_ms"], 2),
        "cpu_time": {
            "baseline": base_cpu_s,
            "engine_verify": fast_cpu_s,
            "engine_verify_dlib_resnet": before_cpu_s,
            "speedup_median": round(base_cpu_s["median_ms"] / fast_cpu_s["median_ms"], 2),
        },
        "resnet": resnet,
        "resnet_equality": equality,
        "startup": startup,
        "runtime_check": {
            "decisions_agree": runtime_agree,
            "decisions_differ": runtime_differ,
            "max_abs_score_diff": float(f"{runtime_max_score_diff:.3g}"),
        },
        "load_average_start": load_start,
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
    (args.out / args.json_name).write_text(json.dumps(payload, indent=1) + "\n")
    print(f"wrote {args.out / args.json_name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
