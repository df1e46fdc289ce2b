"""Reads of the staffing planner on the hall's past: the forecast against what happened, and
the model's accuracy (Erlang C, the simulated dispatch and the hall's events, day by day)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.cache import cache

from bianmin.hall.selectors import (
    arrivals_between,
    duty_spans_between,
    first_call_waits_between,
    hall_settings_get,
)
from bianmin.planner import erlang, simulation
from bianmin.planner.forecast import (
    DEFAULT_WEEKS,
    ServiceProfile,
    day_bounds,
    forecast_from,
    history_load,
    service_profile,
)
from bianmin.planner.params import Targets
from bianmin.planner.selectors.plans import (
    ACCURACY_CACHE_SECONDS,
    ACCURACY_DAYS,
    _priority_mix,
    _round,
    officers_of,
)

# --- forecast against what happened, and the model's accuracy ----------------------------------


@dataclass(frozen=True)
class DayActual:
    day: date
    forecast: float
    actual: int


def forecast_vs_actual(*, center_id: int, until: date, days: int = 28) -> list[DayActual]:
    """Each past day with tickets: the forecast made from the weeks before it, and the count."""
    start = until - timedelta(days=days)
    history = history_load(
        center_id=center_id, start=start - timedelta(weeks=DEFAULT_WEEKS), end=until
    )
    rows = []
    for current in sorted(d for d in history.counts if d >= start):
        forecast = forecast_from(history, day=current, kind=history.kinds[current], is_open=True)
        rows.append(
            DayActual(
                day=current,
                forecast=round(forecast.total, 1),
                actual=sum(history.counts[current].values()),
            )
        )
    return rows


@dataclass(frozen=True)
class AccuracyDay:
    day: date
    arrivals: int
    forecast_arrivals: float
    predicted_share: float | None  # Erlang C with the day's arrivals and officers on duty
    simulated_share: float | None  # the hall's dispatch simulated with the same
    actual_share: float | None  # the hall's events: first call within the target


@dataclass(frozen=True)
class Accuracy:
    days: list[AccuracyDay]
    target_wait_minutes: float

    def _mean(self, attr: str) -> float | None:
        values = [getattr(d, attr) for d in self.days if getattr(d, attr) is not None]
        return round(sum(values) / len(values), 4) if values else None

    @property
    def predicted(self) -> float | None:
        return self._mean("predicted_share")

    @property
    def simulated(self) -> float | None:
        return self._mean("simulated_share")

    @property
    def actual(self) -> float | None:
        return self._mean("actual_share")

    @property
    def forecast_error(self) -> float | None:
        """Mean absolute percentage error of the daily arrivals forecast."""
        rows = [d for d in self.days if d.arrivals]
        if not rows:
            return None
        return round(
            sum(abs(d.forecast_arrivals - d.arrivals) / d.arrivals for d in rows) / len(rows), 4
        )


def accuracy(
    *, center_id: int, until: date, targets: Targets, days: int = ACCURACY_DAYS
) -> Accuracy:
    """On the hall's history: the share called within the target as Erlang C predicts it, as the
    simulation of the hall's dispatch gives it and as the hall's events show it, per day."""
    key = f"planner:accuracy:{center_id}:{until}:{targets.target_wait_minutes}:{days}"
    cached = cache.get(key)
    if isinstance(cached, Accuracy):
        return cached
    start = until - timedelta(days=days)
    history = history_load(
        center_id=center_id, start=start - timedelta(weeks=DEFAULT_WEEKS), end=until
    )
    profile = service_profile(center_id=center_id, until=until, weeks=DEFAULT_WEEKS + 3)
    rule = simulation.CallingRule(
        wait_limit_minutes=hall_settings_get(center_id=center_id).wait_limit_minutes
    )
    officers = {o.id: o for o in officers_of(center_id=center_id)}
    t = targets.target_wait_minutes
    rows = []
    for current in sorted(d for d in history.counts if d >= start):
        day_start, day_end = day_bounds(current)
        rates = {
            h: {c: float(n) for (hh, c), n in history.counts[current].items() if hh == h}
            for h in {h for h, _c in history.counts[current]}
        }
        spans = duty_spans_between(center_id=center_id, start=day_start, end=day_end)
        duties = [
            simulation.Duty(
                categories=officers[s.officer_id].categories if s.officer_id in officers else None,
                spans=((_minutes(s.start, day_start), _minutes(s.end, day_start)),),
            )
            for s in spans
        ]
        predicted = _erlang_share_on_duty(rates, duties, profile, t)
        simulated = simulation.simulate_days(
            simulation.Demand(
                rates=rates,
                service_samples=profile.samples,
                priority_mix=_priority_mix(history.priority_weights),
            ),
            duties,
            t_minutes=t,
            days=2,
            seed=center_id * 100_003 + current.toordinal(),
            rule=rule,
        ).overall
        arrivals = arrivals_between(center_id=center_id, start=day_start, end=day_end)
        waits = first_call_waits_between(
            center_id=center_id, start=day_start, end=day_end + timedelta(hours=6)
        )
        called = [waits[a.ticket_id] for a in arrivals if a.ticket_id in waits]
        actual = sum(1 for w in called if w <= t * 60) / len(called) if called else None
        forecast = forecast_from(history, day=current, kind=history.kinds[current], is_open=True)
        rows.append(
            AccuracyDay(
                day=current,
                arrivals=len(arrivals),
                forecast_arrivals=round(forecast.total, 1),
                predicted_share=_round(predicted),
                simulated_share=_round(simulated),
                actual_share=_round(actual),
            )
        )
    result = Accuracy(days=rows, target_wait_minutes=t)
    cache.set(key, result, ACCURACY_CACHE_SECONDS)
    return result


def _minutes(moment: object, day_start: object) -> float:
    return (moment - day_start).total_seconds() / 60.0  # type: ignore[operator]


def _erlang_share_on_duty(
    rates: dict[int, dict[str, float]],
    duties: list[simulation.Duty],
    profile: ServiceProfile,
    t: float,
) -> float | None:
    """Erlang C per hour with the officers actually on duty (minutes on duty / 60, rounded),
    weighted by the hour's arrivals."""
    within, total = 0.0, 0.0
    for hour, cats in rates.items():
        arrivals = sum(cats.values())
        if not arrivals:
            continue
        on_duty = (
            sum(
                max(0.0, min(end, (hour + 1) * 60.0) - max(start, hour * 60.0))
                for duty in duties
                for start, end in duty.spans
            )
            / 60.0
        )
        service = sum(r * profile.mean(c) for c, r in cats.items()) / arrivals
        load = erlang.offered_load(arrivals_per_hour=arrivals, mean_service_minutes=service)
        share = erlang.share_within(
            math.floor(on_duty + 0.5), load, mean_service_minutes=service, t_minutes=t
        )
        within += share * arrivals
        total += arrivals
    return within / total if total else None
