"""bench/reports: the monthly report of a center with a year of history, SQLite and PostgreSQL.

Each backend runs in a child process whose default database is a fresh bench database (so the
real selectors and renderers run unchanged): migrate, insert one year of one center in bulk
(raw executemany on SQLite, COPY on PostgreSQL) — ~300,000 tickets with their call events,
100,000 cases, payments, SMS messages and window sign-ins — then time the monthly report
(every section for one month against the month before, then its PDF and its workbook) and,
in the same run, a single indexed count of the same tables. Target: the whole monthly report
in ≤ 5 s.

    python -m bench reports                     # both backends, 300,000 tickets
    python -m bench.reports --rows 30000        # smaller (cases scale with it)
Environment: BIANMIN_BENCH_PG_URL (default postgres://postgres@127.0.0.1:5432/bianmin_bench_reports)
"""

from __future__ import annotations

import json
import os
import random
import sys
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bench._common import ROOT, analyze, backends_main, child_django_setup, median_ms

RESULTS = ROOT / "bench" / "results" / "reports.json"
SQLITE_PATH = ROOT / "var" / "bench" / "reports.sqlite3"
PG_URL = os.environ.get(
    "BIANMIN_BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/bianmin_bench_reports"
)
FIRST_DAY = date(2025, 11, 1)
LAST_DAY = date(2026, 10, 31)
MONTH_DAY = date(2026, 10, 15)  # the month reported: October 2026, against September
RUNS = 3
TARGET_SECONDS = 5.0
SHANGHAI = ZoneInfo("Asia/Shanghai")


# --- parent ----------------------------------------------------------------------------------------


def _table(results: dict[str, Any]) -> None:
    header = f"{'step':<40}" + "".join(f"{b:>16}" for b in results["backends"])
    print(header)
    print("-" * len(header))
    steps = list(next(iter(results["backends"].values()))["timings_ms"])
    for step in steps:
        line = f"{step:<40}"
        for r in results["backends"].values():
            line += f"{r['timings_ms'][step]:>13.1f} ms"
        print(line)
    for b, r in results["backends"].items():
        print(
            f"{b}: {r['tickets']:,} tickets, {r['cases']:,} cases inserted in "
            f"{r['insert_seconds']} s; monthly report {r['report_seconds']} s "
            f"({r['ratio_to_count']}× the indexed count); target ≤ {TARGET_SECONDS} s: "
            f"{'met' if r['report_seconds'] <= TARGET_SECONDS else 'MISSED'}"
        )


def main(argv: list[str] | None = None) -> int:
    return backends_main(
        argv,
        module="bench.reports",
        noun="tickets",
        default_rows=300_000,
        header=lambda rows: {
            "tickets": rows,
            "period": f"{FIRST_DAY}..{LAST_DAY}",
            "month": MONTH_DAY.strftime("%Y-%m"),
            "runs": RUNS,
            "unit": "ms (median)",
            "target_seconds": TARGET_SECONDS,
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

    fx = _fixtures()
    started = time.perf_counter()
    counts = _insert_all(rows, fx)
    insert_seconds = round(time.perf_counter() - started, 1)
    analyze()
    timings = _measure(fx["center"])
    figures = _month_figures(fx["center"])
    report = timings["monthly report: total"]
    count = timings["baseline: indexed count (tickets + cases)"]
    return {
        "vendor": connection.vendor,
        **counts,
        "insert_seconds": insert_seconds,
        "month_figures": figures,
        "timings_ms": timings,
        "report_seconds": round(report / 1000, 2),
        "ratio_to_count": round(report / count, 1) if count else None,
    }


def _fixtures() -> dict[str, Any]:
    from bianmin.accounts.models import Center, Staff
    from bianmin.catalogue.models import ServiceItem
    from bianmin.catalogue.services import catalogue_load_reference
    from bianmin.core.permissions import Role
    from bianmin.hall.models import Window
    from bianmin.people.idnumber import make_id_number
    from bianmin.people.models import Person
    from bianmin.people.services import id_number_index

    catalogue_load_reference()
    center = Center.objects.create(code="TG", name="潼关县公安便民服务中心")
    officers = [
        Staff.objects.create(
            username=f"officer{i:02d}",
            full_name=f"民警{i}",
            role=Role.OFFICER,
            center=center,
            is_all_round=True,
        )
        for i in range(1, 21)
    ]
    windows = [
        Window.objects.create(center=center, code=f"W{i:02d}", name=f"{i}号窗口")
        for i in range(1, 13)
    ]
    number = make_id_number("610522", date(1990, 1, 1), 1)
    person = Person.objects.create(
        center=center,
        name="基准",
        gender="male",
        id_number=number,
        id_number_index=id_number_index(number),
        id_number_masked=number[:6] + "*" * 8 + number[-4:],
        region_code="610522",
    )
    items = [(i.pk, list(i.stages), i.promised_workdays) for i in ServiceItem.objects.all()]
    return {
        "center": center.pk,
        "officers": [o.pk for o in officers],
        "windows": [w.pk for w in windows],
        "person": person.pk,
        "items": items,
    }


def _days() -> list[date]:
    day, out = FIRST_DAY, []
    while day <= LAST_DAY:
        if day.weekday() < 5:
            out.append(day)
        day += timedelta(days=1)
    return out


def _at(day: date, seconds: int) -> datetime:
    return datetime(day.year, day.month, day.day, 8, 30, tzinfo=SHANGHAI) + timedelta(
        seconds=seconds
    )


def _defaults(model: Any) -> tuple[list[Any], dict[str, Any]]:
    auto = ("AutoField", "BigAutoField")
    fields = [
        f
        for f in model._meta.concrete_fields
        if not (f.primary_key and f.get_internal_type() in auto)
    ]
    defaults: dict[str, Any] = {}
    for f in fields:
        value = f.get_default()
        if f.get_internal_type() == "JSONField":
            value = json.dumps(value)
        defaults[f.attname] = value
    return fields, defaults


def _tickets(count: int, fx: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Tickets spread over the working days, ~95 % served, ~4 % no-shows; each served or
    missed ticket has its first call event (the waits the report reads)."""
    from bianmin.hall.models import Ticket, TicketEvent

    rng = random.Random(20261102)
    _tf, t_defaults = _defaults(Ticket)
    _ef, e_defaults = _defaults(TicketEvent)
    days = _days()
    per_day = count // len(days) + 1
    n = 0
    for day in days:
        for seq in range(1, per_day + 1):
            if n >= count:
                return
            n += 1
            item_id = fx["items"][n % len(fx["items"])][0]
            arrived = _at(day, int(8 * 3600 * seq / per_day))
            roll = rng.random()
            status = "finished" if roll < 0.95 else ("no_show" if roll < 0.99 else "cancelled")
            wait = rng.randint(30, 2400)
            ticket_id = f"T{n:011d}"
            row = dict(t_defaults)
            row.update(
                {
                    "id": ticket_id,
                    "center_id": fx["center"],
                    "service_day": day,
                    "prefix": "A",
                    "seq": seq,
                    "number": f"A{seq:04d}",
                    "item_id": item_id,
                    "status": status,
                    "channel": "guide",
                    "arrived_at": arrived,
                    "queue_at": arrived,
                    "called_at": arrived + timedelta(seconds=wait)
                    if status != "cancelled"
                    else None,
                    "officer_id": fx["officers"][n % 20],
                    "window_id": fx["windows"][n % 12],
                    "created_at": arrived,
                    "updated_at": arrived,
                }
            )
            yield "ticket", row
            if status != "cancelled":
                event = dict(e_defaults)
                event.update(
                    {
                        "center_id": fx["center"],
                        "ticket_id": ticket_id,
                        "kind": "call",
                        "at": arrived + timedelta(seconds=wait),
                        "officer_id": fx["officers"][n % 20],
                        "window_id": fx["windows"][n % 12],
                        "item_id": item_id,
                        "wait_seconds": wait,
                    }
                )
                yield "event", event


def _cases(count: int, fx: dict[str, Any]) -> Iterator[dict[str, Any]]:
    from bianmin.cases.models import Case

    rng = random.Random(20261103)
    _f, defaults = _defaults(Case)
    days = _days()
    for n in range(count):
        item_id, stages, promised = fx["items"][n % len(fx["items"])]
        day = days[n * len(days) // count]
        accepted_at = _at(day, rng.randint(0, 8 * 3600))
        deadline = day + timedelta(days=promised + promised // 2)
        closed = rng.random() < 0.93
        row = dict(defaults)
        row.update(
            {
                "center_id": fx["center"],
                "number": f"TG-{n:09d}",
                "item_id": item_id,
                "stages": json.dumps(stages),
                "promised_workdays": promised,
                "applicant_id": fx["person"],
                "applicant_name_masked": "王*",
                "applicant_gender": "male",
                "created_by_id": fx["officers"][0],
                "accepted_by_id": fx["officers"][0],
                "status": "closed" if closed else "accepted",
                "stage": stages[-1] if closed else stages[0],
                "accepted_at": accepted_at,
                "accepted_with_gaps": rng.random() < 0.03,
                "deadline": deadline,
                "warn_on": deadline - timedelta(days=max(1, promised // 4)),
                "warned_at": None,
                "overdue_at": _at(deadline, 3600) if not closed and rng.random() < 0.3 else None,
                "closed_at": accepted_at + timedelta(days=rng.randint(0, max(1, promised)))
                if closed
                else None,
                "created_at": accepted_at,
                "updated_at": accepted_at,
            }
        )
        yield row


def _payments(count: int, fx: dict[str, Any]) -> Iterator[dict[str, Any]]:
    from bianmin.fees.models import Payment

    rng = random.Random(20261104)
    _f, defaults = _defaults(Payment)
    days = _days()
    for n in range(count):
        day = days[n * len(days) // count]
        free = rng.random() < 0.4
        row = dict(defaults)
        row.update(
            {
                "center_id": fx["center"],
                "stage": "walk_in",
                "item_code": "HZ02",
                "item_name": "居民身份证",
                "on_date": day,
                "standard_fen": 2000,
                "waived_fen": 2000 if free else 0,
                "payable_fen": 0 if free else 2000,
                "method": "cash",
                "payer_name": "王*",
                "collected_by_id": fx["officers"][n % 20],
                "collected_at": _at(day, 3600),
                "idempotency_key": f"bench-{n}",
                "created_at": _at(day, 3600),
                "updated_at": _at(day, 3600),
            }
        )
        yield row


def _messages(count: int, fx: dict[str, Any]) -> Iterator[dict[str, Any]]:
    from bianmin.notifications.models import Message, SmsTemplate

    _f, defaults = _defaults(Message)
    template = SmsTemplate.objects.filter(code="pickup_ready").order_by("-version").first()
    days = _days()
    for n in range(count):
        day = days[n * len(days) // count]
        sent = _at(day, 7200)
        row = dict(defaults)
        row.update(
            {
                "center_id": fx["center"],
                "template_id": template.pk if template else None,
                "template_code": "pickup_ready",
                "phone": "bench",
                "phone_index": "bench",
                "phone_masked": "139****5678",
                "params": json.dumps({"case_number": f"TG-{n:09d}"}),
                "text": "【潼关县公安局】您的证件已制作完成。",
                "characters": 20,
                "segments": 1,
                "dedupe_key": f"bench:{n}",
                "reference": f"bench{n:012d}",
                "status": "delivered" if n % 50 else "failed",
                "next_attempt_at": sent,
                "sent_at": sent if n % 50 else None,
                "delivered_at": sent + timedelta(seconds=20) if n % 50 else None,
                "failed_at": None if n % 50 else sent,
                "created_at": sent,
                "updated_at": sent,
            }
        )
        yield row


def _sessions(fx: dict[str, Any]) -> Iterator[dict[str, Any]]:
    from bianmin.hall.models import WindowSession

    _f, defaults = _defaults(WindowSession)
    for day in _days():
        for i, window in enumerate(fx["windows"]):
            row = dict(defaults)
            row.update(
                {
                    "center_id": fx["center"],
                    "window_id": window,
                    "officer_id": fx["officers"][(i + day.toordinal()) % 20],
                    "started_at": _at(day, 0),
                    "ended_at": _at(day, 9 * 3600),
                }
            )
            yield row


def _insert_all(rows: int, fx: dict[str, Any]) -> dict[str, int]:
    from bianmin.cases.models import Case
    from bianmin.fees.models import Payment
    from bianmin.hall.models import Ticket, TicketEvent, WindowSession
    from bianmin.notifications.models import Message
    from bianmin.notifications.services import notifications_load_reference

    notifications_load_reference()
    tickets: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    n_tickets = n_events = 0
    for kind, row in _tickets(rows, fx):
        (tickets if kind == "ticket" else events).append(row)
        if len(tickets) >= 20_000:
            _copy(Ticket, tickets)
            _copy(TicketEvent, events)
            n_tickets, n_events = n_tickets + len(tickets), n_events + len(events)
            tickets, events = [], []
    _copy(Ticket, tickets)
    _copy(TicketEvent, events)
    n_tickets, n_events = n_tickets + len(tickets), n_events + len(events)
    cases = rows // 3
    _copy(Case, list(_cases(cases, fx)))
    _copy(Payment, list(_payments(rows // 8, fx)))
    _copy(Message, list(_messages(rows // 10, fx)))
    _copy(WindowSession, list(_sessions(fx)))
    return {"tickets": n_tickets, "call_events": n_events, "cases": cases}


def _copy(model: Any, rows: list[dict[str, Any]]) -> None:
    """Raw bulk insert: COPY on PostgreSQL, executemany on SQLite (no ORM per row)."""
    from django.db import connection, transaction

    if not rows:
        return
    fields, _defaults_unused = _defaults(model)
    table = model._meta.db_table
    columns = ", ".join(connection.ops.quote_name(str(f.column)) for f in fields)
    values = ([row[f.attname] for f in fields] for row in rows)
    if connection.vendor == "postgresql":
        with (
            transaction.atomic(),
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
        ):
            for v in values:
                copy.write_row(v)
        return

    def sqlite_value(v: Any) -> Any:
        if isinstance(v, datetime):
            return v.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
        if isinstance(v, date):
            return v.isoformat()
        return v

    sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})"  # noqa: S608
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(sql, [[sqlite_value(x) for x in v] for v in values])


def _month_figures(center: int) -> dict[str, Any]:
    """A few of the month's figures, to show the report read real rows."""
    from bianmin.reports.periods import month_span
    from bianmin.reports.selectors import report_build

    data = report_build(center_id=center, center_name="", span=month_span(MONTH_DAY)).as_dict()
    rows = {(s["key"], r["label"]): r["value"] for s in data["sections"] for r in s["rows"]}
    return {
        "visits": rows[("hall", "来访人次（取号）")],
        "median_wait_minutes": rows[("hall", "等候时间中位数")],
        "cases_accepted": rows[("cases", "受理")],
        "sms_sent": rows[("sms", "发送")],
    }


def _measure(center: int) -> dict[str, float]:
    from bianmin.cases.models import Case
    from bianmin.hall.models import Ticket
    from bianmin.reports.periods import month_span
    from bianmin.reports.render import report_pdf, report_xlsx
    from bianmin.reports.selectors import report_build

    span = month_span(MONTH_DAY)

    def build() -> dict[str, Any]:
        return report_build(
            center_id=center, center_name="潼关县公安便民服务中心", span=span
        ).as_dict()

    data = build()

    def total() -> None:
        built = build()
        report_pdf(built)
        report_xlsx(built)

    return {
        "baseline: indexed count (tickets + cases)": _median(
            lambda: (
                Ticket.objects.filter(center_id=center).count(),
                Case.objects.filter(center_id=center).count(),
            )
        ),
        "monthly report: figures (all sections)": _median(build),
        "monthly report: PDF": _median(lambda: report_pdf(data)),
        "monthly report: Excel": _median(lambda: report_xlsx(data)),
        "monthly report: total": _median(total),
    }


def _median(fn: Any) -> float:
    return round(median_ms(fn, RUNS), 1)


if __name__ == "__main__":
    sys.exit(main())
