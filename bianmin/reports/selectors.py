"""Reads of the reports context: reports built from the sections, kept briefings, the
director's headline figures and the big screen's data. Every other context is read through
its own selectors; nothing here touches another context's tables."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.core.cache import cache
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from bianmin.accounts.selectors import center_hours
from bianmin.appointments.selectors import home_visit_map
from bianmin.cases.selectors import case_overdue_count, case_pickup_durations
from bianmin.catalogue.selectors import item_list
from bianmin.core import clock
from bianmin.fees.selectors import campaign_totals, savings_total_fen
from bianmin.hall.selectors import hall_board
from bianmin.hall.selectors import period_figures as hall_period_figures
from bianmin.notifications.selectors import pickup_notified_numbers, sms_sent_total
from bianmin.planner.selectors import hourly_forecast
from bianmin.ratings.selectors import period_figures as rating_period_figures
from bianmin.reports.models import Briefing
from bianmin.reports.periods import Span
from bianmin.reports.sections import SECTIONS, Period, Section

# --- reports -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Report:
    center_id: int
    center_name: str
    span: Span
    sections: list[Section]
    generated_at: datetime

    @property
    def title(self) -> str:
        return _("%(center)s%(kind)s") % {"center": self.center_name, "kind": self.span.kind.label}

    @property
    def period_text(self) -> str:
        return _("统计时段 %(start)s 至 %(end)s；对比 %(pstart)s 至 %(pend)s") % {
            "start": self.span.start.isoformat(),
            "end": self.span.end.isoformat(),
            "pstart": self.span.previous_start.isoformat(),
            "pend": self.span.previous_end.isoformat(),
        }

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": str(self.span.kind),
            "title": self.title,
            "center": self.center_name,
            "start": self.span.start.isoformat(),
            "end": self.span.end.isoformat(),
            "previous_start": self.span.previous_start.isoformat(),
            "previous_end": self.span.previous_end.isoformat(),
            "generated_at": clock.local(self.generated_at).isoformat(timespec="seconds"),
            "sections": [section.as_dict() for section in self.sections],
        }


def report_build(*, center_id: int, center_name: str, span: Span) -> Report:
    """Every section of SECTIONS for `span` of one center, in the listed order."""
    period = Period(
        center_id=center_id,
        start=span.start,
        end=span.end,
        previous_start=span.previous_start,
        previous_end=span.previous_end,
    )
    return Report(
        center_id=center_id,
        center_name=center_name,
        span=span,
        sections=[build(period) for build in SECTIONS],
        generated_at=clock.now(),
    )


# --- kept briefings ----------------------------------------------------------------------------


def briefing_list(*, center_id: int, limit: int = 30) -> QuerySet[Briefing]:
    """The newest briefings of a center, every version, without the files."""
    return Briefing.objects.filter(center_id=center_id).defer("pdf", "xlsx", "data")[:limit]


def briefing_get(*, center_id: int, day: date, version: int | None = None) -> Briefing | None:
    """One kept briefing of a center; the newest version unless `version` is given."""
    briefings = Briefing.objects.filter(center_id=center_id, day=day)
    if version is not None:
        return briefings.filter(version=version).first()
    return briefings.order_by("-version").first()


def briefing_latest(*, center_id: int) -> Briefing | None:
    return Briefing.objects.filter(center_id=center_id).defer("pdf", "xlsx").first()


# --- the director's headline figures -------------------------------------------------------------


@dataclass(frozen=True)
class Headline:
    key: str
    label: str
    value: str
    definition: str


def _fmt(value: float | None, unit: str) -> str:
    return "—" if value is None else f"{value:g} {unit}".strip()


def _median_days(hours: list[float]) -> float | None:
    return round(statistics.median(hours) / 24, 1) if hours else None


def headline_figures(*, center_id: int, today: date | None = None) -> list[Headline]:
    """The seed's headline claims, each computed from the center's own records."""
    today = today or clock.today()
    since = today - timedelta(days=29)
    hall = hall_period_figures(center_id=center_id, start=since, end=today)
    year_start = today - timedelta(days=364)
    pickups = case_pickup_durations(center_id=center_id, since=year_start)
    notified = pickup_notified_numbers(center_id=center_id, since=year_start)
    after = [p.acceptance_to_pickup_hours for p in pickups if p.number in notified]
    before = [p.acceptance_to_pickup_hours for p in pickups if p.number not in notified]
    campaigns = campaign_totals(center_id=center_id)
    year = hall_period_figures(center_id=center_id, start=year_start, end=today)
    rated = rating_period_figures(center_id=center_id, start=since, end=today)
    return [
        Headline(
            "officers",
            _("窗口上岗民警"),
            _fmt(hall.officers_at_windows, _("名")),
            _("近30天（%(start)s 至 %(end)s）在任一窗口签到过的不同民警人数。")
            % {"start": since.isoformat(), "end": today.isoformat()},
        ),
        Headline(
            "items",
            _("一厅通办事项"),
            _fmt(item_list(active_only=True).count(), _("项")),
            _("事项目录中启用的公安行政审批服务事项数，均可在本中心任一全科窗口办理。"),
        ),
        Headline(
            "sms",
            _("累计发送领证提醒等短信"),
            _fmt(sms_sent_total(center_id=center_id), _("条")),
            _("短信平台已提交运营商（已提交或已送达）的短信条数，自平台启用以来累计。"),
        ),
        Headline(
            "pickup_before",
            _("领证时间（未短信提醒）"),
            _fmt(_median_days(before), _("天")),
            _("近一年领证的办件中，没有发过到证短信的，从受理到领证的天数中位数。"),
        ),
        Headline(
            "pickup_after",
            _("领证时间（短信提醒后）"),
            _fmt(_median_days(after), _("天")),
            _("近一年领证的办件中，发过到证短信的，从受理到领证的天数中位数。"),
        ),
        Headline(
            "campaign_cards",
            _("假期免费办证"),
            _fmt(campaigns.cards, _("件")),
            _("未取消的中小学生假期免费办证活动中办理的居民身份证件数（%(n)s 次活动）。")
            % {"n": campaigns.campaigns},
        ),
        Headline(
            "campaign_yuan",
            _("假期免费办证节约费用"),
            _fmt(round(campaigns.saved_fen / 100, 2), _("元")),
            _("上述活动减免的工本费合计（减免台账）。"),
        ),
        Headline(
            "savings",
            _("累计为群众节约"),
            _fmt(round(savings_total_fen(center_id=center_id) / 100, 2), _("元")),
            _("减免台账中全部减免金额合计（含免费户籍窗口、活动减免）。"),
        ),
        Headline(
            "visits",
            _("近一年来访人次"),
            _fmt(year.visits, _("人次")),
            _("近365天（%(start)s 至 %(end)s）大厅取号数。")
            % {"start": year_start.isoformat(), "end": today.isoformat()},
        ),
        Headline(
            "satisfaction",
            _("群众满意率"),
            _fmt(
                None
                if rated.satisfaction_rate is None
                else round(100 * rated.satisfaction_rate, 1),
                "%",
            ),
            _(
                "近30天（%(start)s 至 %(end)s）群众评价中“非常满意”“满意”所占比例，"
                "共 %(rated)s 条评价（评价器、短信、自助机和电话回访）。"
            )
            % {"start": since.isoformat(), "end": today.isoformat(), "rated": rated.rated},
        ),
    ]


# --- the big screen (大屏) -------------------------------------------------------------------------


FORECAST_CACHE_SECONDS = 3600
SATISFACTION_CACHE_SECONDS = 5 * 60


def forecast_by_hour(*, center_id: int, day: date, hours: list[int]) -> list[float | None]:
    """The planner's expected arrivals for each of `hours` (None where it has none). It reads
    weeks of history and changes once a day, so the screen's refreshes share one computation."""
    key = f"reports:screen:forecast:{center_id}:{day.isoformat()}"
    expected = cache.get(key)
    if expected is None:
        expected = {f.hour: f.arrivals for f in hourly_forecast(center_id=center_id, day=day)}
        cache.set(key, expected, FORECAST_CACHE_SECONDS)
    return [expected.get(hour) for hour in hours]


def hall_screen(*, center_id: int, now: datetime | None = None) -> dict[str, Any]:
    """Everything the big screen shows, in one dict: each new panel (the forecast line,
    satisfaction, the home-visit map) is one more key here and one more chart on the page."""
    now = now or clock.now()
    today = clock.local(now).date()
    board = hall_board(center_id=center_id, now=now)
    hours = center_hours(center_id=center_id, day=today)
    return {
        "now": clock.local(now).strftime("%H:%M:%S"),
        "day": today.isoformat(),
        "is_open_today": hours is not None,
        "hours": board["arrivals_hours"],
        "arrivals_by_hour": board["arrivals_by_hour"],
        "forecast_by_hour": forecast_by_hour(
            center_id=center_id, day=today, hours=board["arrivals_hours"]
        ),
        "visits_today": board["issued"],
        "served_today": board["finished"],
        "waiting_now": board["total_waiting"],
        "longest_wait_minutes": board["longest_wait_minutes"],
        "waiting_by_category": [
            {"label": c["label"], "waiting": c["waiting"]} for c in board["categories"]
        ],
        "windows_open": board["windows_open"],
        "windows_total": len(board["windows"]),
        "avg_wait_minutes": board["avg_wait_minutes"],
        "overdue_cases": case_overdue_count(center_id=center_id, today=today),
        "savings_yuan": round(savings_total_fen(center_id=center_id) / 100, 2),
        "satisfaction_percent": _satisfaction_percent(center_id=center_id, today=today),
        "home_visits": home_visit_map(
            center_id=center_id,
            start=today - timedelta(days=today.weekday()),
            end=today + timedelta(days=6 - today.weekday()),
        ),
    }


def _satisfaction_percent(*, center_id: int, today: date) -> str:
    """This month's satisfaction so far (a day's few ratings swing too much for a wall). A
    month of ratings moves slowly: the screen's refreshes share one computation for five
    minutes."""
    key = f"reports:screen:satisfaction:{center_id}:{today.isoformat()}"
    shown: str | None = cache.get(key)
    if shown is None:
        figures = rating_period_figures(center_id=center_id, start=today.replace(day=1), end=today)
        rate = figures.satisfaction_rate
        shown = "—" if rate is None else f"{100 * rate:.1f}%"
        cache.set(key, shown, SATISFACTION_CACHE_SECONDS)
    return shown
