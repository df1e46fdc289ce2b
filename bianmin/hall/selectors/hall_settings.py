"""The center's hours as the hall shows them, and the hall's settings (cached)."""

from __future__ import annotations

from django.core.cache import cache
from django.utils.translation import gettext as _

from bianmin.accounts.selectors import DayHours, center_hours
from bianmin.core import clock
from bianmin.core.caching import forget_now_and_at_commit
from bianmin.hall.models import HallSettings

# --- hours -----------------------------------------------------------------------------------


def hours_text(hours: DayHours | None) -> str:
    """08:30–12:00、14:00–17:30 (the lunch break left out), or 今日不办公."""
    if hours is None:
        return _("今日不办公")
    fmt = "%H:%M"
    if hours.lunch_from and hours.lunch_to:
        return f"{hours.opens_at.strftime(fmt)}–{hours.lunch_from.strftime(fmt)}、{hours.lunch_to.strftime(fmt)}–{hours.closes_at.strftime(fmt)}"
    return f"{hours.opens_at.strftime(fmt)}–{hours.closes_at.strftime(fmt)}"


def hall_hours_today(*, center_id: int) -> str:
    """Today's hours of the center as the kiosk, phone page and display show them."""
    return hours_text(center_hours(center_id=center_id, day=clock.today()))


# --- settings --------------------------------------------------------------------------------


SETTINGS_CACHE_SECONDS = 300


def _settings_key(center_id: int) -> str:
    return f"hall:settings:{center_id}"


def hall_settings_get(*, center_id: int) -> HallSettings:
    """The hall's settings, or the defaults (unsaved) when the director has set none.

    Read on every issue, call and position read, changed a few times a year: kept in the cache
    (shared by every worker with Redis) and forgotten whenever a row is saved or deleted
    (`hall_settings_forget`, connected in apps.ready)."""
    key = _settings_key(center_id)
    found = cache.get(key)
    if found is None:
        found = HallSettings.objects.filter(center_id=center_id).first()
        found = found if found is not None else HallSettings(center_id=center_id)
        cache.set(key, found, SETTINGS_CACHE_SECONDS)
    return found


def hall_settings_forget(*, center_id: int) -> None:
    """The settings changed: the cached row is dropped (now and at commit). The waiting
    limit and the weights order the line: the caller also calls `hall_changed`."""
    forget_now_and_at_commit(_settings_key(center_id))
