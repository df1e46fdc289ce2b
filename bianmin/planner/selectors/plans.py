"""Reads of the staffing planner: the forecast, the day's plan (Erlang C and the simulated
check, pooled and specialized) and the week's roster proposal.

Nothing is stored: every figure is computed from the hall's events when asked. The pure parts
live in `erlang`, `simulation` and `roster`; this module gathers their inputs through the
selectors of the contexts below (hall, accounts, catalogue, fees, core.workdays).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.core.cache import cache
from django.utils.translation import gettext as _

from bianmin.accounts.selectors import center_get, center_hours, staff_item_ids, staff_of_center
from bianmin.catalogue.enums import Category
from bianmin.catalogue.selectors import item_list
from bianmin.core import clock
from bianmin.core.actors import StaffActor, home_center_id, is_province_scope
from bianmin.core.errors import NotFound
from bianmin.core.permissions import Role
from bianmin.hall.selectors import (
    hall_settings_get,
)
from bianmin.planner import erlang, simulation
from bianmin.planner.enums import DayKind
from bianmin.planner.errors import PlannerError
from bianmin.planner.forecast import (
    DEFAULT_WEEKS,
    ServiceProfile,
    forecast_day,
    forecast_from,
    history_load,
    open_hours,
    service_profile,
)
from bianmin.planner.params import Scenario, Targets
from bianmin.planner.roster import (
    DayNeed,
    DayRoster,
    OfficerInfo,
    Shift,
    duties_from_shifts,
    roster_week,
    shifts_for_need,
)

# Sampled days per simulated check (fixed seed per center and day: the same page twice shows
# the same figures).
SIMULATED_DAYS = 8
ACCURACY_DAYS = 20
# A plan depends only on the days before it (and today's settings): kept for ten minutes. The
# accuracy reads finished days only: kept for an hour.
PLAN_CACHE_SECONDS = 600
ACCURACY_CACHE_SECONDS = 3600


def center_id_for(*, actor: StaffActor, code: str | None) -> int:
    """The center a plan is asked for: the actor's own (no code, or its own code); any center
    for a province-scope account; another center's code looks like an unknown one (404)."""
    if is_province_scope(actor):
        center = center_get(code=(code or "").strip())
        if center is None:
            raise NotFound(_("没有找到这个中心"), code=PlannerError.UNKNOWN_CENTER)
        return int(center.pk)
    own = home_center_id(actor)
    if code and code.strip():
        center = center_get(code=code.strip())
        if center is None or center.pk != own:
            raise NotFound(_("没有找到这个中心"), code=PlannerError.UNKNOWN_CENTER)
    return own


@dataclass(frozen=True)
class HourForecast:
    hour: int
    arrivals: float


def hourly_forecast(*, center_id: int, day: date) -> list[HourForecast]:
    """Expected arrivals per hour of `day` (the big screen's forecast line)."""
    forecast = forecast_day(center_id=center_id, day=day)
    return [HourForecast(hour=h, arrivals=round(a, 2)) for h, a in forecast.hourly().items()]


def category_label(code: str) -> str:
    try:
        return str(Category(code).label)
    except ValueError:
        return code


# --- the day's plan ----------------------------------------------------------------------------


@dataclass(frozen=True)
class HourPlan:
    hour: int
    arrivals: float
    mean_service_minutes: float
    officers_pooled: int
    officers_specialized: int
    specialized_by_category: dict[str, int]
    erlang_share_pooled: float
    simulated_share_pooled: float | None
    simulated_share_specialized: float | None


@dataclass
class DayPlan:
    day: date
    kind: DayKind
    basis: list[date]
    targets: Targets
    scenario: Scenario
    hours: list[HourPlan]
    headcount_pooled: int  # officers (duties) the pooled hall needs that day
    headcount_specialized: int  # the same with one queue per category
    shifts_pooled: list[Shift]
    simulated_share_pooled: float | None
    simulated_share_specialized: float | None
    erlang_share_pooled: float | None
    simulated_days: int
    officers_available: int
    warnings: list[str] = field(default_factory=list)

    @property
    def total_officer_hours_pooled(self) -> int:
        return sum(h.officers_pooled for h in self.hours)

    @property
    def total_officer_hours_specialized(self) -> int:
        return sum(h.officers_specialized for h in self.hours)

    @property
    def total_arrivals(self) -> float:
        return sum(h.arrivals for h in self.hours)

    @property
    def peak_pooled(self) -> int:
        return max((h.officers_pooled for h in self.hours), default=0)

    @property
    def peak_specialized(self) -> int:
        return max((h.officers_specialized for h in self.hours), default=0)


def _apply_scenario(
    rates: dict[int, dict[str, float]], scenario: Scenario
) -> dict[int, dict[str, float]]:
    """Extra demand scales every hour; extended hours repeat the last open hour's demand."""
    factor = 1 + scenario.extra_demand_percent / 100
    result = {h: {c: r * factor for c, r in cats.items()} for h, cats in rates.items()}
    if scenario.extra_hours and result:
        last = max(result)
        for extra in range(1, scenario.extra_hours + 1):
            if last + extra < 24:
                result[last + extra] = dict(result[last])
    return result


def _priority_mix(weights: Counter[int]) -> list[tuple[int, float]]:
    total = sum(weights.values())
    if not total:
        return [(0, 1.0)]
    return [(w, n / total) for w, n in sorted(weights.items())]


def _need(
    rates: dict[int, dict[str, float]], profile: ServiceProfile, targets: Targets
) -> tuple[dict[int, int], dict[str, dict[int, int]], dict[int, float], dict[int, float]]:
    pooled: dict[int, int] = {}
    specialized: dict[str, dict[int, int]] = {}
    mean_service: dict[int, float] = {}
    erlang_share: dict[int, float] = {}
    for hour, cats in sorted(rates.items()):
        total = sum(cats.values())
        service = (
            sum(r * profile.mean(c) for c, r in cats.items()) / total if total else profile.mean("")
        )
        mean_service[hour] = service
        answer = erlang.officers_needed(
            arrivals_per_hour=total,
            mean_service_minutes=service,
            target_wait_minutes=targets.target_wait_minutes,
            target_share=targets.target_share,
        )
        pooled[hour] = answer.officers
        erlang_share[hour] = answer.share_within_target
        for category, rate in cats.items():
            specialized.setdefault(category, {})[hour] = erlang.officers_needed(
                arrivals_per_hour=rate,
                mean_service_minutes=profile.mean(category),
                target_wait_minutes=targets.target_wait_minutes,
                target_share=targets.target_share,
            ).officers
    for by_hour in specialized.values():
        for hour in rates:
            by_hour.setdefault(hour, 0)
    return pooled, specialized, mean_service, erlang_share


def day_plan(
    *,
    center_id: int,
    day: date,
    targets: Targets,
    scenario: Scenario | None = None,
    weeks: int = DEFAULT_WEEKS,
    simulated_days: int = SIMULATED_DAYS,
) -> DayPlan:
    """The day's hourly need, pooled and specialized, checked by simulating the hall."""
    scenario = scenario or Scenario()
    key = ":".join(
        str(part)
        for part in (
            "planner:plan",
            center_id,
            day,
            targets.target_wait_minutes,
            targets.target_share,
            scenario.extra_demand_percent,
            scenario.absent_officers,
            scenario.extra_hours,
            weeks,
            simulated_days,
        )
    )
    cached = cache.get(key)
    if isinstance(cached, DayPlan):
        return cached
    plan = _day_plan(
        center_id=center_id,
        day=day,
        targets=targets,
        scenario=scenario,
        weeks=weeks,
        simulated_days=simulated_days,
    )
    cache.set(key, plan, PLAN_CACHE_SECONDS)
    return plan


def _day_plan(
    *,
    center_id: int,
    day: date,
    targets: Targets,
    scenario: Scenario,
    weeks: int,
    simulated_days: int,
) -> DayPlan:
    history = history_load(
        center_id=center_id, start=day - timedelta(weeks=weeks), end=day + timedelta(days=1)
    )
    forecast = forecast_day(center_id=center_id, day=day, weeks=weeks, history=history)
    profile = service_profile(center_id=center_id, until=min(day, clock.today()), weeks=weeks)
    rates = _apply_scenario(forecast.rates, scenario)
    pooled, specialized, mean_service, erlang_share = _need(rates, profile, targets)
    rule = simulation.CallingRule(
        wait_limit_minutes=hall_settings_get(center_id=center_id).wait_limit_minutes
    )
    demand = simulation.Demand(
        rates=rates,
        service_samples=profile.samples,
        priority_mix=_priority_mix(history.priority_weights),
    )
    seed = center_id * 100_003 + day.toordinal()
    sim_pooled = simulation.simulate_days(
        demand,
        simulation.duties_for_need(pooled),
        t_minutes=targets.target_wait_minutes,
        days=simulated_days,
        seed=seed,
        rule=rule,
    )
    specialized_duties = [
        duty
        for category, need in sorted(specialized.items())
        for duty in simulation.duties_for_need(need, categories=frozenset({category}))
    ]
    sim_specialized = simulation.simulate_days(
        demand,
        specialized_duties,
        t_minutes=targets.target_wait_minutes,
        days=simulated_days,
        seed=seed,
        rule=rule,
    )
    hours = [
        HourPlan(
            hour=hour,
            arrivals=round(sum(rates[hour].values()), 2),
            mean_service_minutes=round(mean_service[hour], 2),
            officers_pooled=pooled[hour],
            officers_specialized=sum(specialized[c][hour] for c in specialized),
            specialized_by_category={c: specialized[c][hour] for c in sorted(specialized)},
            erlang_share_pooled=round(erlang_share[hour], 4),
            simulated_share_pooled=_round(sim_pooled.by_hour.get(hour)),
            simulated_share_specialized=_round(sim_specialized.by_hour.get(hour)),
        )
        for hour in sorted(rates)
    ]
    total = sum(h.arrivals for h in hours)
    lunch = _lunch_hours(center_id=center_id, day=day, hours=set(rates))
    plan = DayPlan(
        day=day,
        kind=forecast.kind,
        basis=forecast.basis,
        targets=targets,
        scenario=scenario,
        hours=hours,
        headcount_pooled=len(duties_from_shifts(shifts_for_need(pooled, lunch_hours=lunch))),
        headcount_specialized=sum(
            len(duties_from_shifts(shifts_for_need(need, lunch_hours=lunch)))
            for need in specialized.values()
        ),
        shifts_pooled=shifts_for_need(pooled, lunch_hours=lunch),
        simulated_share_pooled=_round(sim_pooled.overall),
        simulated_share_specialized=_round(sim_specialized.overall),
        erlang_share_pooled=(
            round(sum(h.erlang_share_pooled * h.arrivals for h in hours) / total, 4)
            if total
            else None
        ),
        simulated_days=simulated_days,
        officers_available=max(0, len(officers_of(center_id=center_id)) - scenario.absent_officers),
    )
    if not forecast.is_open:
        plan.warnings.append(_("当天不办公"))
    elif not forecast.basis:
        plan.warnings.append(_("近几周没有同类日子的取号记录，无法预测客流"))
    if plan.peak_pooled > plan.officers_available:
        plan.warnings.append(
            _("高峰需要 %(peak)d 名民警同时在岗，可用民警只有 %(available)d 人")
            % {"peak": plan.peak_pooled, "available": plan.officers_available}
        )
    return plan


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _lunch_hours(*, center_id: int, day: date, hours: set[int]) -> frozenset[int]:
    """Hours the hall is wholly closed for lunch between its open hours (breaks go there)."""
    opened = open_hours(center_hours(center_id=center_id, day=day))
    if not opened:
        return frozenset()
    return frozenset(h for h in range(opened[0], opened[-1]) if h not in opened and h not in hours)


# --- officers and the week's roster ------------------------------------------------------------


def officers_of(*, center_id: int) -> list[OfficerInfo]:
    """The center's window officers and what they may serve (交叉授权, by category)."""
    category_of = {item.pk: item.category for item in item_list(active_only=False)}
    officers = []
    for staff in staff_of_center(center_id=center_id, role=Role.OFFICER):
        item_ids = staff_item_ids(staff=staff)
        categories = (
            None
            if item_ids is None
            else frozenset(category_of[i] for i in item_ids if i in category_of)
        )
        officers.append(
            OfficerInfo(id=staff.pk, name=staff.full_name or staff.username, categories=categories)
        )
    return officers


def week_roster(
    *,
    center_id: int,
    day: date,
    targets: Targets,
    scenario: Scenario | None = None,
    weeks: int = DEFAULT_WEEKS,
) -> list[DayRoster]:
    """A roster proposal for the week (Monday to Sunday) holding `day`; the what-if applies to
    `day` only (a campaign day, a training day, longer hours on that day)."""
    scenario = scenario or Scenario()
    monday = day - timedelta(days=day.weekday())
    history = history_load(
        center_id=center_id,
        start=monday - timedelta(weeks=weeks),
        end=monday + timedelta(days=7),
    )
    profile = service_profile(center_id=center_id, until=min(monday, clock.today()), weeks=weeks)
    needs = []
    for offset in range(7):
        current = monday + timedelta(days=offset)
        forecast = forecast_from(
            history,
            day=current,
            kind=history.kinds[current],
            is_open=center_hours(center_id=center_id, day=current) is not None,
        )
        what_if = scenario if current == day else Scenario()
        rates = _apply_scenario(forecast.rates, what_if)
        pooled, _spec, _svc, _share = _need(rates, profile, targets)
        needs.append(
            DayNeed(
                day=current,
                need=pooled,
                lunch_hours=_lunch_hours(center_id=center_id, day=current, hours=set(rates)),
                categories_by_hour={
                    h: frozenset(c for c, r in cats.items() if r >= 0.5)
                    for h, cats in rates.items()
                },
                absent=what_if.absent_officers,
            )
        )
    return roster_week(needs, officers_of(center_id=center_id), labels=category_label)
