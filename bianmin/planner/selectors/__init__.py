"""Reads of the staffing planner (a package by sub-domain: the plans and the history)."""

from bianmin.planner.selectors.history import (
    Accuracy,
    AccuracyDay,
    DayActual,
    accuracy,
    forecast_vs_actual,
)
from bianmin.planner.selectors.plans import (
    DayPlan,
    HourForecast,
    HourPlan,
    category_label,
    center_id_for,
    day_plan,
    hourly_forecast,
    officers_of,
    week_roster,
)

__all__ = [
    "Accuracy",
    "AccuracyDay",
    "DayActual",
    "DayPlan",
    "HourForecast",
    "HourPlan",
    "accuracy",
    "category_label",
    "center_id_for",
    "day_plan",
    "forecast_vs_actual",
    "hourly_forecast",
    "officers_of",
    "week_roster",
]
