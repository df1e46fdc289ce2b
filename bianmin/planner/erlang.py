"""Erlang C (M/M/c): how many officers an hour needs for a target service level.

Pure code, no database. Numerically stable: the blocking probability is built with the
iterative Erlang B recursion B(k) = a·B(k-1) / (k + a·B(k-1)), which never forms a! or a^c, so
a load of several hundred erlangs is as exact as a load of two. A load at or above the number
of servers is unstable (the queue grows without end): every citizen waits, the share within the
target is 0 and the mean wait is infinite — never a division by zero.

    a = λ · s          offered load in erlangs (arrivals per minute × mean service minutes)
    C(c, a)            probability that an arrival waits at all
    P(W ≤ t) = 1 − C(c, a) · exp(−(c − a) · t / s)
    E[W]     = C(c, a) · s / (c − a)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

# Beyond this many officers the search stops: no hall has more windows than this.
MAX_OFFICERS = 10_000


def offered_load(*, arrivals_per_hour: float, mean_service_minutes: float) -> float:
    """Erlangs: the average number of officers busy if nobody ever waited."""
    return arrivals_per_hour * mean_service_minutes / 60.0


def erlang_b(servers: int, load: float) -> float:
    """Blocking probability of M/M/c/c (Erlang B), by the stable recursion."""
    if servers < 0 or load < 0:
        raise ValueError("servers and load must not be negative")
    blocking = 1.0
    for k in range(1, servers + 1):
        blocking = load * blocking / (k + load * blocking)
    return blocking


def erlang_c(servers: int, load: float) -> float:
    """Probability that an arrival waits (Erlang C); 1.0 when the queue is unstable."""
    if load <= 0:
        return 0.0
    if servers <= load:
        return 1.0
    blocking = erlang_b(servers, load)
    return servers * blocking / (servers - load * (1.0 - blocking))


def share_within(
    servers: int, load: float, *, mean_service_minutes: float, t_minutes: float
) -> float:
    """P(wait ≤ t): the share of citizens called within t minutes."""
    if load <= 0:
        return 1.0
    if servers <= load:
        return 0.0
    waits = erlang_c(servers, load)
    return 1.0 - waits * math.exp(-(servers - load) * t_minutes / mean_service_minutes)


def mean_wait_minutes(servers: int, load: float, *, mean_service_minutes: float) -> float:
    """E[W] in minutes; math.inf when the queue is unstable."""
    if load <= 0:
        return 0.0
    if servers <= load:
        return math.inf
    return erlang_c(servers, load) * mean_service_minutes / (servers - load)


@dataclass(frozen=True)
class Staffing:
    officers: int
    share_within_target: float
    mean_wait_minutes: float
    utilisation: float


def staffing(
    *,
    servers: int,
    arrivals_per_hour: float,
    mean_service_minutes: float,
    target_wait_minutes: float,
) -> Staffing:
    """The figures of `servers` officers facing this demand."""
    load = offered_load(
        arrivals_per_hour=arrivals_per_hour, mean_service_minutes=mean_service_minutes
    )
    return Staffing(
        officers=servers,
        share_within_target=share_within(
            servers, load, mean_service_minutes=mean_service_minutes, t_minutes=target_wait_minutes
        ),
        mean_wait_minutes=mean_wait_minutes(
            servers, load, mean_service_minutes=mean_service_minutes
        ),
        utilisation=min(1.0, load / servers) if servers else (0.0 if load <= 0 else 1.0),
    )


def officers_needed(
    *,
    arrivals_per_hour: float,
    mean_service_minutes: float,
    target_wait_minutes: float,
    target_share: float,
) -> Staffing:
    """The fewest officers c with P(wait ≤ T) ≥ P, and their figures.

    No demand needs nobody. Otherwise the search starts at the first stable count
    (⌊a⌋ + 1: at or above the load, more officers are needed) and climbs; the share rises
    with every officer, so the first that meets the target is the answer.
    """
    if not 0 < target_share < 1:
        raise ValueError("target_share must lie strictly between 0 and 1")
    if arrivals_per_hour < 0 or mean_service_minutes <= 0 or target_wait_minutes < 0:
        raise ValueError("negative demand, service or wait")
    load = offered_load(
        arrivals_per_hour=arrivals_per_hour, mean_service_minutes=mean_service_minutes
    )
    if load <= 0:
        return Staffing(officers=0, share_within_target=1.0, mean_wait_minutes=0.0, utilisation=0.0)
    if load >= MAX_OFFICERS:
        raise ValueError("load beyond any hall")
    servers = max(1, math.floor(load) + 1)
    while servers <= MAX_OFFICERS:
        share = share_within(
            servers, load, mean_service_minutes=mean_service_minutes, t_minutes=target_wait_minutes
        )
        if share >= target_share:
            break
        servers += 1
    return staffing(
        servers=servers,
        arrivals_per_hour=arrivals_per_hour,
        mean_service_minutes=mean_service_minutes,
        target_wait_minutes=target_wait_minutes,
    )
