"""bench/backlog: the backlog board and overdue queries over 500,000 cases, SQLite and PostgreSQL.

Each backend runs in a child process whose default database is a fresh bench database (so the
real selectors run unchanged): migrate, insert the cases in bulk (raw executemany on SQLite,
COPY on PostgreSQL), then time each query (median of several runs) with the case indexes, and
again after dropping them. The baseline is a plain indexed count on the same table.

    python -m bench backlog                   # both backends, 500,000 cases
    python -m bench.backlog --rows 50000      # smaller
Environment: BIANMIN_BENCH_PG_URL (default postgres://postgres@127.0.0.1:5432/bianmin_bench_backlog)
"""

from __future__ import annotations

import json
import os
import random
import sys
import time
from datetime import UTC, date, datetime, timedelta
from typing import Any

from bench._common import ROOT, analyze, backends_main, child_django_setup, median_ms

RESULTS = ROOT / "bench" / "results" / "backlog.json"
SQLITE_PATH = ROOT / "var" / "bench" / "backlog.sqlite3"
PG_URL = os.environ.get(
    "BIANMIN_BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/bianmin_bench_backlog"
)
TODAY = date(2026, 11, 27)
CENTERS = 3
RUNS = 7


# --- parent ----------------------------------------------------------------------------------------


def _table(results: dict[str, Any]) -> None:
    backends = list(results["backends"])
    names = list(next(iter(results["backends"].values()))["indexed"])
    header = f"{'query':<34}" + "".join(f"{b + ' idx':>16}{b + ' no idx':>16}" for b in backends)
    print(header)
    print("-" * len(header))
    for name in names:
        line = f"{name:<34}"
        for b in backends:
            r = results["backends"][b]
            line += f"{r['indexed'][name]:>13.2f} ms{r['unindexed'][name]:>13.2f} ms"
        print(line)
    for b in backends:
        r = results["backends"][b]
        print(
            f"{b}: {r['rows']:,} cases inserted in {r['insert_seconds']} s; "
            f"open {r['open']:,}, overdue {r['overdue']:,} (center 1); "
            f"whole run {r['wall_seconds']} s"
        )


def main(argv: list[str] | None = None) -> int:
    return backends_main(
        argv,
        module="bench.backlog",
        noun="cases",
        default_rows=500_000,
        header=lambda rows: {
            "rows": rows,
            "today": TODAY.isoformat(),
            "runs": RUNS,
            "unit": "ms (median)",
        },
        child=_child,
        table=_table,
        results_path=RESULTS,
        sqlite_path=SQLITE_PATH,
        pg_url=PG_URL,
    )


# --- child: one backend ------------------------------------------------------------------------------


def _child(rows: int) -> dict[str, Any]:
    child_django_setup()
    from django.db import connection

    fixtures = _fixtures()
    started = time.perf_counter()
    _insert(rows, fixtures)
    insert_seconds = round(time.perf_counter() - started, 1)
    analyze()
    indexed = _measure(fixtures)
    _drop_case_indexes()
    unindexed = _measure(fixtures)
    from bianmin.cases.models import Case
    from bianmin.cases.selectors import case_overdue_count

    return {
        "vendor": connection.vendor,
        "rows": rows,
        "insert_seconds": insert_seconds,
        "open": Case.objects.filter(center_id=fixtures["centers"][0], status="accepted").count(),
        "overdue": case_overdue_count(center_id=fixtures["centers"][0], today=TODAY),
        "indexed": indexed,
        "unindexed": unindexed,
    }


def _fixtures() -> dict[str, Any]:
    from bianmin.accounts.models import Center, Staff
    from bianmin.catalogue.models import ServiceItem
    from bianmin.catalogue.services import catalogue_load_reference
    from bianmin.core.permissions import Role
    from bianmin.people.idnumber import make_id_number
    from bianmin.people.models import Person
    from bianmin.people.services import id_number_index

    catalogue_load_reference()
    centers = [Center.objects.create(code=f"B{i}", name=f"基准中心{i}") for i in range(CENTERS)]
    staff = Staff.objects.create(
        username="bench",
        full_name="基准",
        role=Role.BACK_OFFICE,
        center=centers[0],
        is_all_round=True,
    )
    number = make_id_number("610522", date(1990, 1, 1), 1)
    person = Person.objects.create(
        center=centers[0],
        name="基准",
        gender="male",
        id_number=number,
        id_number_index=id_number_index(number),
        id_number_masked=number[:6] + "*" * 8 + number[-4:],
        region_code="610522",
    )
    items = [(i.pk, list(i.stages), i.promised_workdays) for i in ServiceItem.objects.all()]
    return {"centers": [c.pk for c in centers], "staff": staff, "person": person.pk, "items": items}


def _rows(count: int, fx: dict[str, Any]) -> Any:
    """Two years of cases: ~92 % concluded, the rest open at some step, a share overdue."""
    from bianmin.cases.models import Case

    rng = random.Random(20261127)
    fields = [f for f in Case._meta.concrete_fields if f.attname != "id"]
    defaults = {}
    for f in fields:
        value = f.get_default()
        if f.get_internal_type() == "JSONField":
            value = json.dumps(value)
        defaults[f.attname] = value
    start = datetime(2024, 11, 28, tzinfo=UTC)
    span = int((datetime(2026, 11, 27, 9, tzinfo=UTC) - start).total_seconds())
    staff_id = fx["staff"].pk
    for n in range(count):
        item_id, stages, promised = fx["items"][n % len(fx["items"])]
        accepted_at = start + timedelta(seconds=span * n // count + rng.randint(0, 3600))
        day = accepted_at.date()
        # calendar days stand in for working days here: the queries do not care
        deadline = day + timedelta(days=promised + promised // 2)
        row = dict(defaults)
        recent = (TODAY - day).days < 40
        closed = (not recent and rng.random() < 0.995) or (recent and rng.random() < 0.45)
        status = "closed" if closed else "accepted"
        if not closed and not recent and rng.random() < 0.2:
            status = "terminated"
        stage_index = len(stages) - 1 if closed else rng.randint(0, len(stages) - 2)
        row.update(
            {
                "center_id": fx["centers"][n % CENTERS],
                "number": f"B-{n:08d}",
                "item_id": item_id,
                "stages": json.dumps(stages),
                "promised_workdays": promised,
                "applicant_id": fx["person"],
                "applicant_name_masked": "王*",
                "applicant_gender": "male",
                "created_by_id": staff_id,
                "accepted_by_id": staff_id,
                "status": status,
                "stage": stages[stage_index],
                "next_stage": stages[stage_index + 1] if stage_index + 1 < len(stages) else "",
                "is_urgent": rng.random() < 0.05,
                "accepted_at": accepted_at,
                "deadline": deadline,
                "warn_on": deadline - timedelta(days=max(1, promised // 4)),
                "closed_at": accepted_at + timedelta(days=rng.randint(0, max(1, promised)))
                if status == "closed"
                else None,
                "terminated_at": accepted_at + timedelta(days=10)
                if status == "terminated"
                else None,
                "created_at": accepted_at,
                "updated_at": accepted_at,
            }
        )
        yield [row[f.attname] for f in fields]


def _insert(count: int, fx: dict[str, Any]) -> None:
    from django.db import connection, transaction

    from bianmin.cases.models import Case

    fields = [f for f in Case._meta.concrete_fields if f.attname != "id"]
    table = Case._meta.db_table
    columns = ", ".join(connection.ops.quote_name(str(f.column)) for f in fields)
    if connection.vendor == "postgresql":
        with transaction.atomic(), connection.cursor() as cursor:
            raw = cursor.cursor  # psycopg 3
            with raw.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for values in _rows(count, fx):
                    copy.write_row(values)
        return

    def sqlite_value(v: Any) -> Any:
        if isinstance(v, datetime):
            return v.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
        if isinstance(v, date):
            return v.isoformat()
        return v

    sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})"  # noqa: S608
    batch: list[list[Any]] = []
    with transaction.atomic(), connection.cursor() as cursor:
        for values in _rows(count, fx):
            batch.append([sqlite_value(v) for v in values])
            if len(batch) == 20_000:
                cursor.executemany(sql, batch)
                batch.clear()
        if batch:
            cursor.executemany(sql, batch)


def _drop_case_indexes() -> None:
    from django.db import connection

    from bianmin.cases.models import Case

    with connection.schema_editor() as editor:
        for index in Case._meta.indexes:
            editor.remove_index(Case, index)
    analyze()


def _measure(fx: dict[str, Any]) -> dict[str, float]:
    from bianmin.cases import selectors
    from bianmin.cases.models import Case
    from bianmin.cases.services import case_deadline_sweep

    center = fx["centers"][0]
    viewer = fx["staff"]
    while True:  # mark what is due (5,000 per run); the timed runs are then no-ops
        done = case_deadline_sweep(today=TODAY)
        if not (done.warned or done.overdue or done.terminated):
            break
    return {
        "baseline: indexed count (center)": _median(
            lambda: Case.objects.filter(center_id=center).count()
        ),
        "open cases count": _median(
            lambda: Case.objects.filter(center_id=center, status="accepted").count()
        ),
        "backlog board (stage x age)": _median(
            lambda: selectors.case_backlog(center_id=center, today=TODAY)
        ),
        "overdue count": _median(
            lambda: selectors.case_overdue_count(center_id=center, today=TODAY)
        ),
        "overdue list (20)": _median(
            lambda: selectors.case_overdue_list(center_id=center, today=TODAY)
        ),
        "review queue page (50)": _median(
            lambda: list(selectors.case_queue(user=viewer, next_stage="review")[:50])
        ),
        "30-day trend": _median(
            lambda: selectors.case_backlog_trend(center_id=center, today=TODAY)
        ),
        "deadline sweep (no-op run)": _median(lambda: case_deadline_sweep(today=TODAY)),
    }


def _median(fn: Any) -> float:
    return round(median_ms(fn, RUNS), 2)


if __name__ == "__main__":
    sys.exit(main())
