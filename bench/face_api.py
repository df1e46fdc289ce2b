"""bench/face_api: what the officer waits for at the window, consent + verify of one frame at the
API, against the engine alone on the same frame in the same run.

    python -m bench face_api                       # 20 runs
    python -m bench.face_api --runs 40 --profile   # also cProfile the API runs (top functions)

A child process on a fresh SQLite bench database (never the demo database) sets Django up,
registers one person with a registry photo (a test fixture, enrolled through the people hook),
signs an officer in with a bearer token and then, for each run, through Django's test client
(the whole middleware and django-ninja stack, real engine, real encryption and audit):

* ``POST /api/v1/face/consents`` (JSON), then
* ``POST /api/v1/face/verify`` with one 640x480 JPEG frame (multipart), and
* the baseline: ``engine.verify`` of the same JPEG bytes against the same template (decode,
  detection, landmarks, quality, embedding, comparison; no Django).

It reports median and p90 of consent, verify, their sum and the engine, the overhead of the
API over the engine, the first (cold) request of the process, checks that the API and the
engine give the same decision and score on every run, and writes bench/results/face_api.json.
Target: consent + verify ≤ 300 ms median.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from typing import Any

from bench._common import ROOT, child_env, fresh_sqlite, run_child

RESULTS = ROOT / "bench" / "results" / "face_api.json"
SQLITE_PATH = ROOT / "var" / "bench" / "face_api.sqlite3"
DATA = ROOT / "bianmin" / "identity" / "tests" / "data"
REFERENCE = "obama_b.jpg"  # the registry photo
PROBE = "obama_a.jpg"  # the live frame: another photo of the same person
FRAME = (640, 480)
TARGET_MS = 300.0


def _stats(xs: list[float]) -> dict[str, float]:
    ms = sorted(x * 1000 for x in xs)
    return {
        "median_ms": round(statistics.median(ms), 1),
        "p90_ms": round(ms[min(len(ms) - 1, int(0.9 * len(ms)))], 1),
        "min_ms": round(ms[0], 1),
        "n": len(ms),
    }


def _frame_jpeg() -> bytes:
    """The probe photo letterboxed into a 640x480 camera frame, as the capture page sends it."""
    from PIL import Image

    img = Image.open(DATA / PROBE).convert("RGB")
    scale = min(FRAME[0] / img.width, FRAME[1] / img.height)
    img = img.resize((round(img.width * scale), round(img.height * scale)))
    canvas = Image.new("RGB", FRAME, (110, 110, 110))
    canvas.paste(img, ((FRAME[0] - img.width) // 2, (FRAME[1] - img.height) // 2))
    buf = io.BytesIO()
    canvas.save(buf, format="JPEG", quality=90)
    return buf.getvalue()


def _sqlite_as_make_run() -> None:
    """The bench database with the options `make run` gives its SQLite database (WAL,
    synchronous=NORMAL, IMMEDIATE transactions; config/settings/base.py), which a database URL
    does not carry."""
    import django
    from django.db import connections

    django.setup()
    options = connections["default"].settings_dict.setdefault("OPTIONS", {})
    options.update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                "PRAGMA busy_timeout=20000; PRAGMA foreign_keys=ON;"
            ),
        }
    )


def _setup_child() -> dict[str, Any]:
    """The registration, as the people screen and the Huey worker do it: one officer with a
    bearer token, one person whose registry photo is enrolled by the photo hook."""
    _sqlite_as_make_run()
    from bench._common import child_django_setup

    child_django_setup()
    from huey.contrib.djhuey import HUEY

    from bianmin.accounts.models import Center, Staff
    from bianmin.accounts.services import api_token_create
    from bianmin.core.permissions import Role
    from bianmin.identity.models import FaceEnrollment
    from bianmin.people.idnumber import make_id_number
    from bianmin.people.services import PersonInput, person_upsert

    HUEY.immediate = True  # the photo hook enrolls in this process, as the worker would
    center = Center.objects.create(code="TG", name="潼关县公安便民服务中心")
    officer = Staff.objects.create(
        username="officer01", full_name="民警", role=Role.OFFICER, center=center
    )
    token = api_token_create(staff=officer, label="bench", two_factor_verified=True)
    id_number = make_id_number("610522", datetime(1980, 3, 1).date(), 11)
    started = time.perf_counter()
    person_upsert(
        actor=officer,
        data=PersonInput("王建国", id_number, "male", photo=(DATA / REFERENCE).read_bytes()),
    )
    enroll_seconds = time.perf_counter() - started
    enrollment = FaceEnrollment.objects.get()
    assert enrollment.template is not None, enrollment.reason
    return {"token": token, "id_number": id_number, "enroll_seconds": round(enroll_seconds, 2)}


def _child(runs: int, profile: str, token: str, id_number: str) -> dict[str, Any]:
    """The web process, started fresh as after a deployment: it loads the ASGI application as
    the server does (config/asgi.py, which starts the face models' warm-up in the background)
    and lets the start-up finish (the server is up a few seconds before the first check)."""
    import threading

    started = time.perf_counter()
    _sqlite_as_make_run()
    import config.asgi  # noqa: F401  (what uvicorn imports)

    setup_seconds = time.perf_counter() - started
    for thread in threading.enumerate():
        if thread.name == "face-engine-warm-up":
            thread.join()
    start_up_seconds = time.perf_counter() - started
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    from bianmin.identity import engine
    from bianmin.identity.models import FaceEnrollment

    enrollment = FaceEnrollment.objects.get()
    assert enrollment.template is not None
    template = engine.Template.from_bytes(bytes(enrollment.template))
    thresholds = engine.ThresholdConfig.load()
    frame = _frame_jpeg()
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_HOST="127.0.0.1")

    def consent() -> str:
        response = client.post(
            "/api/v1/face/consents",
            {"id_number": id_number, "purpose": "领证身份核验"},
            content_type="application/json",
        )
        assert response.status_code == 200, response.content
        return str(response.json()["consent_id"])

    def verify(consent_id: str) -> dict[str, Any]:
        response = client.post(
            "/api/v1/face/verify",
            {
                "id_number": id_number,
                "consent_id": consent_id,
                "frames": [SimpleUploadedFile("f.jpg", frame, content_type="image/jpeg")],
            },
        )
        assert response.status_code == 200, response.content
        return dict(response.json())

    def engine_alone() -> engine.Verification:
        return engine.verify(template, [frame], threshold_config=thresholds, require_liveness=False)

    import cProfile

    cold_profiler = cProfile.Profile() if profile == "cold" else None
    if cold_profiler:
        cold_profiler.enable()
    t0 = time.perf_counter()
    first_consent = consent()
    t1 = time.perf_counter()
    verify(first_consent)
    t2 = time.perf_counter()
    if cold_profiler:
        cold_profiler.disable()
        _print_profile(cold_profiler)
    cold = {
        "asgi_application_loaded_ms": round(setup_seconds * 1000, 1),
        "start_up_with_background_work_ms": round(start_up_seconds * 1000, 1),
        "consent_ms": round((t1 - t0) * 1000, 1),
        "verify_ms": round((t2 - t1) * 1000, 1),
    }

    timings: dict[str, list[float]] = {"consent": [], "verify": [], "sum": [], "engine": []}
    cpu: dict[str, list[float]] = {"consent": [], "verify": [], "sum": [], "engine": []}
    mismatches = 0
    decisions: dict[str, int] = {}
    profiler = cProfile.Profile() if profile == "warm" else None
    clock = time.perf_counter
    for _ in range(runs):
        c0, t0 = time.process_time(), clock()
        if profiler:
            profiler.enable()
        consent_id = consent()
        c1, t1 = time.process_time(), clock()
        answer = verify(consent_id)
        if profiler:
            profiler.disable()
        c2, t2 = time.process_time(), clock()
        alone = engine_alone()
        c3, t3 = time.process_time(), clock()
        cpu["consent"].append(c1 - c0)
        cpu["verify"].append(c2 - c1)
        cpu["sum"].append(c2 - c0)
        cpu["engine"].append(c3 - c2)
        timings["consent"].append(t1 - t0)
        timings["verify"].append(t2 - t1)
        timings["sum"].append(t2 - t0)
        timings["engine"].append(t3 - t2)
        same = answer["match"] == (alone.decision == "match") and answer["score"] == round(
            alone.score, 4
        )
        mismatches += not same
        decisions[alone.decision] = decisions.get(alone.decision, 0) + 1
    result: dict[str, Any] = {
        "runs": runs,
        "frame": f"{FRAME[0]}x{FRAME[1]} JPEG, {len(frame)} bytes ({PROBE} vs registry {REFERENCE})",
        "first_request_of_process": cold,
        **{k: _stats(v) for k, v in timings.items()},
        "cpu": {k: _stats(v) for k, v in cpu.items()},
        "decisions": decisions,
        "api_engine_disagreements": mismatches,
    }
    result["api_overhead_median_ms"] = round(
        result["sum"]["median_ms"] - result["engine"]["median_ms"], 1
    )
    if profiler:
        _print_profile(profiler)
    return result


def _print_profile(profiler: Any) -> None:
    import pstats

    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(50)
    stats.sort_stats("tottime").print_stats(25)
    print(out.getvalue(), file=sys.stderr)


def _table(results: dict[str, Any]) -> None:
    print(f"{'':22s} {'median ms':>10s} {'p90 ms':>8s} {'CPU median ms':>14s}")
    for key, label in (
        ("consent", "consent (API)"),
        ("verify", "verify (API)"),
        ("sum", "consent + verify"),
        ("engine", "engine alone"),
    ):
        print(
            f"{label:22s} {results[key]['median_ms']:10.1f} {results[key]['p90_ms']:8.1f} "
            f"{results['cpu'][key]['median_ms']:14.1f}"
        )
    print(
        f"API overhead over the engine: {results['api_overhead_median_ms']} ms; "
        f"target consent + verify ≤ {TARGET_MS:.0f} ms: "
        f"{'met' if results['sum']['median_ms'] <= TARGET_MS else 'NOT met'}; "
        f"API/engine disagreements: {results['api_engine_disagreements']}; "
        f"first request: {results['first_request_of_process']}; "
        f"load {results['load_average_before']} -> {results['load_average_after']}"
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument(
        "--profile",
        choices=["warm", "cold"],
        help="cProfile the timed runs (warm) or the process's first consent + verify (cold)",
    )
    ap.add_argument("--no-write", action="store_true", help="print only; keep the results file")
    ap.add_argument("--child", choices=["setup", "web"], help=argparse.SUPPRESS)
    ap.add_argument("--token", default="", help=argparse.SUPPRESS)
    ap.add_argument("--id-number", default="", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        sys.path.insert(0, str(ROOT))
        if args.child == "setup":
            out = _setup_child()
        else:
            out = _child(args.runs, args.profile or "", args.token, args.id_number)
        print(json.dumps(out, ensure_ascii=False))
        return 0
    fresh_sqlite(SQLITE_PATH)
    env = child_env(f"sqlite:///{SQLITE_PATH}")
    setup = run_child(["bench.face_api", "--child", "setup"], env=env, label="setup: failed")
    if setup is None:
        return 1
    load_before = [round(x, 2) for x in os.getloadavg()]
    child_args = ["bench.face_api", "--child", "web", "--runs", str(args.runs)]
    child_args += ["--token", setup["token"], "--id-number", setup["id_number"]]
    if args.profile:
        child_args += ["--profile", args.profile]
        proc = subprocess.run(
            [sys.executable, "-m", *child_args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        print(proc.stderr[-30000:])
        if proc.returncode != 0:
            return 1
        result = json.loads(proc.stdout.strip().splitlines()[-1])
    else:
        result = run_child(child_args, env=env, label="face_api: failed")
        if result is None:
            return 1
    result = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpus": os.cpu_count(),
        "load_average_before": load_before,
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "target_sum_median_ms": TARGET_MS,
        "enroll_on_registration_seconds": setup["enroll_seconds"],
        **result,
    }
    _table(result)
    if not args.no_write:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
        print(f"written {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
