"""A 5,000-recipient pickup-notice batch through a rate-limited fake Alibaba Cloud gateway.

    python -m bench sms_batch            (or: python bench/sms_batch.py [--recipients N] [--qps Q])

Everything runs as real processes on a private, throw-away embedded database (SQLite file in a
temporary directory, never the demo database): one "web" process that creates the batch the
way the one-click button does (every Message row in one transaction, then one Huey task per
message on commit), two Huey consumers (4 threads each), the looping watchdog, and the fake
gateway server (``python -m tests.support.sms_fakes aliyun --qps Q``) that records
every message it accepts. Reported: time to create and queue all rows, end-to-end throughput
against the gateway's limit, and duplicates and losses counted from the gateway's record (both
must be 0). Results go to bench/results/sms_batch.json.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "sms_batch.json"
DEFAULT_RECIPIENTS = 5000
DEFAULT_QPS = 100.0  # the fake gateway's SendSms limit
# Our shared bucket (SMS_RATE_PER_SECOND) as a share of the provider's limit: evenly spaced
# slots leave 2 % for the jitter between a slot and the request's arrival (gateways.py).
RATE_SHARE = 0.98


def _child(workdir: Path, recipients: int, qps: float, rate_share: float) -> dict[str, object]:
    """Runs inside the private-database process (DJANGO_SETTINGS_MODULE=process settings)."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction

    from bianmin.accounts.models import Center, Staff
    from bianmin.notifications import services
    from bianmin.notifications.enums import BatchKind, BatchStatus, MessageStatus
    from bianmin.notifications.models import Batch, Message
    from tests.support.sms_harness import (
        FakeGateway,
        Workers,
        record_references,
        running,
        wait_until,
    )

    call_command("migrate", verbosity=0, interactive=False)
    load_at_start = [round(x, 2) for x in os.getloadavg()]
    center = Center.objects.create(
        code="TG", name="潼关县公安便民服务中心", sms_signature="潼关县公安局"
    )
    staff = Staff.objects.create(
        username="bench", full_name="基准测试", role="back_office", center=center
    )
    services.notifications_load_reference()
    template = services.template_get_approved("pickup_ready")
    assert template is not None
    record = workdir / "gateway-record.jsonl"
    gateway = FakeGateway("aliyun", record, qps=qps).start()
    rate = qps * rate_share
    workers = Workers(
        db_name=os.environ["SMS_PROC_DB_NAME"],
        gateway_url=gateway.url,
        workdir=workdir,
        rate=rate,
        timeout=5.0,
        threads=4,
    )
    os.environ["SMS_PROC_GATEWAY_URL"] = gateway.url  # this process schedules, workers send
    with running(gateway, workers):
        workers.start_consumer()
        workers.start_consumer()
        workers.start_watchdog(every=2.0, stuck_after=15.0, replay_after=30.0)
        workers.wait_ready()  # the consumers have imported Django before the click
        recipients_list = [
            services.Recipient(
                phone=f"139{i:08d}",
                params={"item": "居民身份证", "case_number": f"TG-20260312-{i:04d}"},
                dedupe_key=f"case:{100000 + i}:pickup_ready",
                case_id=100000 + i,
                row_number=i + 2,
            )
            for i in range(recipients)
        ]
        clicked = time.time()
        created_at = 0.0
        with transaction.atomic():
            batch = Batch.objects.create(
                center=center,
                kind=BatchKind.ARRIVAL_LIST,
                template_code="pickup_ready",
                filename="bench.xlsx",
                created_by=staff,
                rows_total=recipients,
                rows_matched=recipients,
                status=BatchStatus.SENDING,
                messages_total=recipients,
            )
            created = services.messages_bulk_create(
                batch=batch, template=template, recipients=recipients_list, actor=staff
            )
            created_at = time.time()
        queued_at = time.time()  # on_commit has enqueued one task per message
        done_statuses = (MessageStatus.SENT, MessageStatus.DELIVERED)

        def finished() -> bool:
            return Message.objects.filter(batch=batch, status__in=done_statuses).count() == len(
                created
            )

        ok = wait_until(finished, timeout=max(300.0, 6 * recipients / rate), interval=0.5)
        gateway_stats = gateway.stop()
    counts = record_references(record)
    expected = set(Message.objects.filter(batch=batch).values_list("reference", flat=True))
    accepted_times = []
    for line in record.read_text(encoding="utf-8").splitlines():
        accepted_times.append(json.loads(line)["received_at"])
    last = max(accepted_times) if accepted_times else time.time()
    first = min(accepted_times) if accepted_times else clicked
    sending_seconds = last - first
    ordered = sorted(accepted_times)
    gaps = sorted(b - a for a, b in itertools.pairwise(ordered))
    return {
        "recipients": recipients,
        "messages_created": len(created),
        "finished": ok,
        "create_rows_seconds": round(created_at - clicked, 2),
        "create_and_queue_seconds": round(queued_at - clicked, 2),
        "click_to_last_accepted_seconds": round(last - clicked, 2),
        "gateway_qps_limit": qps,
        "our_rate_limit_per_second": rate,
        "throughput_per_second": round(len(accepted_times) / sending_seconds, 1)
        if sending_seconds > 0
        else None,
        "throughput_vs_limit_percent": round(100 * len(accepted_times) / sending_seconds / qps, 1)
        if sending_seconds > 0
        else None,
        "throughput_vs_our_rate_percent": round(
            100 * len(accepted_times) / sending_seconds / rate, 1
        )
        if sending_seconds > 0
        else None,
        "arrival_gap_ms_p50_p99_max": [
            round(1000 * gaps[int(q * (len(gaps) - 1))], 1) for q in (0.5, 0.99, 1.0)
        ]
        if gaps
        else None,
        "duplicates": sum(n - 1 for n in counts.values() if n > 1),
        "losses": len(expected - set(counts)),
        "unexpected_at_gateway": len(set(counts) - expected),
        "gateway_stats": gateway_stats.strip().splitlines()[-1] if gateway_stats else "",
        "workers": "2 Huey consumers x 4 threads, SqliteHuey, SQLite (WAL)",
        "cpus": os.cpu_count(),
        "load_average_at_start": load_at_start,
        "load_average_1min_at_end": round(os.getloadavg()[0], 2),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench/sms_batch.py")
    parser.add_argument("--recipients", type=int, default=DEFAULT_RECIPIENTS)
    parser.add_argument("--qps", type=float, default=DEFAULT_QPS)
    parser.add_argument(
        "--rate-share",
        type=float,
        default=RATE_SHARE,
        help="SMS_RATE_PER_SECOND as a share of --qps (default %(default)s)",
    )
    parser.add_argument("--child", default="")
    args = parser.parse_args(argv if argv is not None else sys.argv[1:])
    if args.child:
        result = _child(Path(args.child), args.recipients, args.qps, args.rate_share)
        print("RESULT " + json.dumps(result, ensure_ascii=False))
        return 0
    with tempfile.TemporaryDirectory(prefix="bench-sms-") as tmp:
        workdir = Path(tmp)
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in ("BIANMIN_DATABASE_URL", "BIANMIN_REDIS_URL")
        }
        env.update(
            {
                "DJANGO_SETTINGS_MODULE": "bianmin.notifications.tests.process_settings",
                "SMS_PROC_DB_NAME": str(workdir / "bench.sqlite3"),
                "SMS_PROC_QUEUE": "bench-sms",
                "SMS_PROC_QUEUE_FILE": str(workdir / "bench-sms.sqlite3"),
                "BIANMIN_TEST_TAG": "bench",
            }
        )
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "bench.sms_batch",
                "--child",
                str(workdir),
                "--recipients",
                str(args.recipients),
                "--qps",
                str(args.qps),
                "--rate-share",
                str(args.rate_share),
            ],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
        if done.returncode != 0 or not lines:
            sys.stderr.write(done.stdout[-3000:] + done.stderr[-5000:])
            return 1
        result = json.loads(lines[-1][len("RESULT ") :])
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    width = max(len(k) for k in result)
    print(f"{'measure':<{width}}  value")
    print(f"{'-' * width}  -----")
    for key, value in result.items():
        print(f"{key:<{width}}  {value}")
    ok = result["duplicates"] == 0 and result["losses"] == 0 and result["finished"]
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
