"""The check on Erlang C: a discrete-event simulation (simpy) of the hall's own dispatch.

Pure code, no database. One pooled queue; an officer who is free calls the best waiting
citizen they may serve (交叉授权: an all-round officer serves every category, others only their
authorized categories). The calling rule is the hall's (`hall.selectors.pool_ordered`):
whoever has waited longer than the limit first (longest first, whatever their class), then
priority classes by weight, then the longest wait. The hall applies that rule as an ORDER BY
over its tickets table, which a simulation cannot call, so `calling_key` reproduces it here;
`tests/test_simulation.py` checks both orders agree on the same waiting tickets. Transfers to a
named officer (转移) are not simulated: the plan has no names yet.

Time is in minutes from the day's midnight. A citizen still waiting when the last officer's
duty ends was not called within any target.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import simpy

# hall.selectors.OVERDUE_RANK: tickets over the waiting limit rank above every priority class.
OVERDUE_RANK = 10_000


@dataclass(frozen=True)
class Visit:
    arrival: float  # minutes since midnight
    category: str
    service: float  # minutes at the window
    priority_weight: int = 0


@dataclass(frozen=True)
class Duty:
    """One officer's time at a window: the categories they may serve (None: all-round) and
    their duty spans (start, end) in minutes; a citizen being served at `end` is finished."""

    categories: frozenset[str] | None
    spans: tuple[tuple[float, float], ...]


@dataclass(frozen=True)
class CallingRule:
    wait_limit_minutes: float = 60.0


def calling_key(index: int, visit: Visit, *, now: float, rule: CallingRule) -> tuple[float, ...]:
    """Sort key of the hall's calling order (smallest first), as `pool_ordered` orders rows:
    -rank (overdue above every weight), then the queue time, then the issue order."""
    overdue = now - visit.arrival >= rule.wait_limit_minutes
    rank = OVERDUE_RANK if overdue else visit.priority_weight
    return (-rank, visit.arrival, index)


@dataclass
class Outcome:
    """Per visit: the wait until called (minutes), or None when never called."""

    visits: Sequence[Visit]
    waits: list[float | None]

    def share_within(self, t_minutes: float, *, hour: int | None = None) -> float | None:
        counted = [
            w
            for v, w in zip(self.visits, self.waits, strict=True)
            if hour is None or int(v.arrival // 60) == hour
        ]
        if not counted:
            return None
        return sum(1 for w in counted if w is not None and w <= t_minutes + 1e-9) / len(counted)

    def mean_wait(self) -> float:
        served = [w for w in self.waits if w is not None]
        return sum(served) / len(served) if served else 0.0


def simulate(
    visits: Sequence[Visit], duties: Sequence[Duty], *, rule: CallingRule | None = None
) -> Outcome:
    """Run one day: every visit arrives, officers call by the hall's rule while on duty."""
    rule = rule or CallingRule()
    env = simpy.Environment()
    order = sorted(range(len(visits)), key=lambda i: (visits[i].arrival, i))
    waiting: list[int] = []
    waits: list[float | None] = [None] * len(visits)
    state: dict[str, Any] = {"arrived": env.event()}

    def arrivals() -> Any:
        for i in order:
            delay = visits[i].arrival - env.now
            if delay > 0:
                yield env.timeout(delay)
            waiting.append(i)
            signal, state["arrived"] = state["arrived"], env.event()
            signal.succeed()

    def best_for(duty: Duty) -> int | None:
        allowed = [
            i for i in waiting if duty.categories is None or visits[i].category in duty.categories
        ]
        if not allowed:
            return None
        return min(allowed, key=lambda i: calling_key(i, visits[i], now=env.now, rule=rule))

    def officer(duty: Duty) -> Any:
        for start, end in duty.spans:
            if env.now < start:
                yield env.timeout(start - env.now)
            while env.now < end:
                pick = best_for(duty)
                if pick is None:
                    yield state["arrived"] | env.timeout(end - env.now)
                    continue
                waiting.remove(pick)
                waits[pick] = env.now - visits[pick].arrival
                yield env.timeout(visits[pick].service)

    env.process(arrivals())
    for duty in duties:
        env.process(officer(duty))
    env.run()
    return Outcome(visits=visits, waits=waits)


# --- building sampled days ---------------------------------------------------------------------


@dataclass(frozen=True)
class Demand:
    """What a day is expected to bring: arrivals per hour per category, service-time samples
    per category (minutes, from the hall's finish events) and the mix of priority weights."""

    rates: Mapping[int, Mapping[str, float]]  # hour → category → arrivals in that hour
    service_samples: Mapping[str, Sequence[float]]
    priority_mix: Sequence[tuple[int, float]] = field(default_factory=lambda: [(0, 1.0)])


def sample_day(demand: Demand, *, rng: random.Random, exponential: bool = False) -> list[Visit]:
    """One possible day: Poisson arrivals at each hour's rate; service times drawn from the
    hall's own samples (or exponential with their mean, when checking Erlang's assumptions)."""
    weights = [w for w, _p in demand.priority_mix]
    probs = [p for _w, p in demand.priority_mix]
    visits: list[Visit] = []
    for hour in sorted(demand.rates):
        for category, rate in sorted(demand.rates[hour].items()):
            if rate <= 0:
                continue
            samples = demand.service_samples.get(category) or [8.0]
            mean = sum(samples) / len(samples)
            t = rng.expovariate(rate / 60.0)
            while t < 60.0:
                service = rng.expovariate(1.0 / mean) if exponential else rng.choice(samples)
                visits.append(
                    Visit(
                        arrival=hour * 60.0 + t,
                        category=category,
                        service=max(service, 0.05),
                        priority_weight=rng.choices(weights, probs)[0],
                    )
                )
                t += rng.expovariate(rate / 60.0)
    visits.sort(key=lambda v: v.arrival)
    return visits


def duties_for_need(
    need: Mapping[int, int], *, categories: frozenset[str] | None = None
) -> list[Duty]:
    """Officer k is on duty in every hour whose need exceeds k (the k-th window stays open)."""
    duties = []
    for k in range(max(need.values(), default=0)):
        hours = sorted(h for h, n in need.items() if n > k)
        spans: list[tuple[float, float]] = []
        for h in hours:
            if spans and spans[-1][1] == h * 60.0:
                spans[-1] = (spans[-1][0], (h + 1) * 60.0)
            else:
                spans.append((h * 60.0, (h + 1) * 60.0))
        duties.append(Duty(categories=categories, spans=tuple(spans)))
    return duties


@dataclass(frozen=True)
class SimulatedShare:
    by_hour: dict[int, float | None]
    overall: float | None
    mean_wait_minutes: float
    days: int


def simulate_days(
    demand: Demand,
    duties: Sequence[Duty],
    *,
    t_minutes: float,
    days: int,
    seed: int,
    rule: CallingRule | None = None,
    exponential: bool = False,
    warm_up_minutes: float = 0.0,
) -> SimulatedShare:
    """`days` sampled days (fixed seed): the share called within t, per arrival hour and overall.
    Citizens arriving before `warm_up_minutes` are simulated but not counted (a steady-state
    comparison must not count the empty hall of the morning)."""
    rng = random.Random(seed)
    within: dict[int, int] = {}
    total: dict[int, int] = {}
    wait_sum, served = 0.0, 0
    for _day in range(days):
        outcome = simulate(sample_day(demand, rng=rng, exponential=exponential), duties, rule=rule)
        for visit, wait in zip(outcome.visits, outcome.waits, strict=True):
            if visit.arrival < warm_up_minutes:
                continue
            hour = int(visit.arrival // 60)
            total[hour] = total.get(hour, 0) + 1
            if wait is not None:
                wait_sum += wait
                served += 1
                if wait <= t_minutes + 1e-9:
                    within[hour] = within.get(hour, 0) + 1
    by_hour: dict[int, float | None] = {
        h: (within.get(h, 0) / total[h] if total.get(h) else None) for h in demand.rates
    }
    n = sum(total.values())
    return SimulatedShare(
        by_hour=by_hour,
        overall=sum(within.values()) / n if n else None,
        mean_wait_minutes=wait_sum / served if served else 0.0,
        days=days,
    )
