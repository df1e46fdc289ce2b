"""bench/planner: the staffing planner on the demo hall's history (SQLite).

A child process with a fresh bench database migrates, loads the reference catalogue and the
demo hall (12 windows, 20 all-round officers, N weeks of ticket life through `hall.demo`), then
measures:
- accuracy: per past working day, the share of citizens called within the target wait as
  Erlang C predicts it (the day's arrivals, the officers actually signed in), as the simulation
  of the hall's dispatch gives it, and as the hall's events show it; and the daily arrivals
  forecast's mean absolute percentage error;
- the 32 → 20 story on demo data: officers (shifts) and officer-hours the next working day
  needs with pooled all-round windows and with specialized windows (one queue per category);
- Erlang C against the simulation where Erlang's assumptions hold (Poisson, exponential, one
  queue, constant staffing; steady state);
- how long the planner's computations take (the page's work).

    python -m bench planner
    python -m bench.planner --weeks 8
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any

from bench._common import ROOT, backend_database_url, run_timed_child, write_results

RESULTS = ROOT / "bench" / "results" / "planner.json"
SQLITE_PATH = ROOT / "var" / "bench" / "planner.sqlite3"
TARGET_WAIT_MINUTES = 10.0
TARGET_SHARE = 0.8


def _table(results: dict[str, Any]) -> None:
    for backend, r in results["backends"].items():
        acc = r["accuracy"]
        print(f"{backend}: {r['tickets']:,} demo tickets over {r['weeks']} weeks")
        print(
            f"  share called within {TARGET_WAIT_MINUTES:.0f} min over {acc['days']} days: "
            f"Erlang C {acc['predicted']:.3f} | simulated {acc['simulated']:.3f} | "
            f"hall events {acc['actual']:.3f}"
        )
        print(
            f"  mean |Erlang − events| per day {acc['mean_abs_gap_predicted']:.3f}, "
            f"|simulated − events| {acc['mean_abs_gap_simulated']:.3f}; "
            f"daily arrivals forecast MAPE {acc['forecast_mape']:.1%}"
        )
        plan = r["plan"]
        print(
            f"  {plan['day']}: pooled {plan['headcount_pooled']} officers "
            f"({plan['officer_hours_pooled']} officer-hours, peak {plan['peak_pooled']}) vs "
            f"specialized {plan['headcount_specialized']} "
            f"({plan['officer_hours_specialized']} officer-hours, peak {plan['peak_specialized']}); "
            f"simulated share pooled {plan['simulated_share_pooled']}, "
            f"specialized {plan['simulated_share_specialized']}"
        )
        for row in r["steady_state"]:
            print(
                f"  M/M/{row['officers']} λ={row['arrivals_per_hour']}/h s={row['service_minutes']} "
                f"T={row['target_wait']}: Erlang {row['erlang_share']:.4f}, "
                f"simulated {row['simulated_share']:.4f}"
            )
        print("  timings (s): " + ", ".join(f"{k} {v}" for k, v in r["seconds"].items()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.planner")
    parser.add_argument("--rows", type=int, default=6, help="weeks of demo history")
    parser.add_argument("--weeks", type=int, default=None)
    parser.add_argument("--child", action="store_true")
    args = parser.parse_args(argv if argv is not None else sys.argv[1:])
    weeks = args.weeks or args.rows
    if args.child:
        print(json.dumps(_child(weeks)))
        return 0
    results: dict[str, Any] = {
        "target_wait_minutes": TARGET_WAIT_MINUTES,
        "target_share": TARGET_SHARE,
        "backends": {},
    }
    url = backend_database_url("sqlite", SQLITE_PATH, "")
    if url is not None:
        outcome = run_timed_child("bench.planner", "sqlite", url, weeks)
        if outcome is not None:
            results["backends"]["sqlite"] = outcome
    return write_results(results, RESULTS, _table)


def _child(weeks: int) -> dict[str, Any]:
    from bench._common import child_django_setup

    child_django_setup()
    import random
    from datetime import timedelta

    from django.contrib.auth.hashers import make_password

    from bianmin.accounts.models import Center, Staff
    from bianmin.catalogue.services import catalogue_load_reference
    from bianmin.core import clock
    from bianmin.core.permissions import Role
    from bianmin.core.workdays import add_workdays
    from bianmin.hall.demo import hall_demo_history, hall_demo_windows
    from bianmin.planner import erlang, selectors, simulation
    from bianmin.planner.params import Targets

    catalogue_load_reference()
    center = Center.objects.create(code="PB", name="基准中心")
    hall_demo_windows(center=center)
    password = make_password(None)  # unusable: nobody signs in to the bench center
    for i in range(1, 21):
        Staff.objects.create(
            username=f"pb_officer{i:02d}",
            full_name=f"民警{i}",
            role=Role.OFFICER,
            center=center,
            is_all_round=True,
            password=password,
        )
    tickets = hall_demo_history(center=center, rng=random.Random(16), days=weeks * 7)
    targets = Targets(target_wait_minutes=TARGET_WAIT_MINUTES, target_share=TARGET_SHARE)
    today = clock.today()
    seconds: dict[str, float] = {}

    started = time.perf_counter()
    accuracy = selectors.accuracy(
        center_id=center.pk, until=today, targets=targets, days=min(28, weeks * 7 - 7)
    )
    seconds["accuracy"] = round(time.perf_counter() - started, 2)
    rows = [d for d in accuracy.days if d.actual_share is not None]

    def gap(attr: str) -> float:
        values = [
            abs(getattr(d, attr) - d.actual_share) for d in rows if getattr(d, attr) is not None
        ]
        return round(sum(values) / len(values), 4) if values else 0.0

    day = add_workdays(today - timedelta(days=1), 1)
    started = time.perf_counter()
    plan = selectors.day_plan(center_id=center.pk, day=day, targets=targets)
    seconds["day plan (forecast, Erlang C, 2 × 8 simulated days)"] = round(
        time.perf_counter() - started, 2
    )
    started = time.perf_counter()
    selectors.week_roster(center_id=center.pk, day=day, targets=targets)
    seconds["week roster"] = round(time.perf_counter() - started, 2)

    steady = []
    for arrivals, service, target in ((40, 6.0, 2.0), (30, 12.0, 10.0), (60, 8.0, 10.0)):
        answer = erlang.officers_needed(
            arrivals_per_hour=arrivals,
            mean_service_minutes=service,
            target_wait_minutes=target,
            target_share=TARGET_SHARE,
        )
        demand = simulation.Demand(
            rates={h: {"household": arrivals} for h in range(48)},
            service_samples={"household": [service]},
        )
        result = simulation.simulate_days(
            demand,
            [simulation.Duty(None, ((0.0, 50 * 60.0),))] * answer.officers,
            t_minutes=target,
            days=20,
            seed=1,
            exponential=True,
            warm_up_minutes=240,
        )
        steady.append(
            {
                "arrivals_per_hour": arrivals,
                "service_minutes": service,
                "target_wait": target,
                "officers": answer.officers,
                "erlang_share": round(answer.share_within_target, 4),
                "simulated_share": round(result.overall or 0.0, 4),
            }
        )
    return {
        "weeks": weeks,
        "tickets": tickets,
        "accuracy": {
            "days": len(rows),
            "predicted": accuracy.predicted,
            "simulated": accuracy.simulated,
            "actual": accuracy.actual,
            "mean_abs_gap_predicted": gap("predicted_share"),
            "mean_abs_gap_simulated": gap("simulated_share"),
            "forecast_mape": accuracy.forecast_error,
            "per_day": [
                {
                    "day": d.day.isoformat(),
                    "arrivals": d.arrivals,
                    "forecast": d.forecast_arrivals,
                    "predicted": d.predicted_share,
                    "simulated": d.simulated_share,
                    "actual": d.actual_share,
                }
                for d in accuracy.days
            ],
        },
        "plan": {
            "day": day.isoformat(),
            "arrivals": round(plan.total_arrivals, 1),
            "headcount_pooled": plan.headcount_pooled,
            "headcount_specialized": plan.headcount_specialized,
            "officer_hours_pooled": plan.total_officer_hours_pooled,
            "officer_hours_specialized": plan.total_officer_hours_specialized,
            "peak_pooled": plan.peak_pooled,
            "peak_specialized": plan.peak_specialized,
            "erlang_share_pooled": plan.erlang_share_pooled,
            "simulated_share_pooled": plan.simulated_share_pooled,
            "simulated_share_specialized": plan.simulated_share_specialized,
        },
        "steady_state": steady,
        "seconds": seconds,
    }


if __name__ == "__main__":
    sys.exit(main())
