"""The center's hours as the hall shows them, and the hall's settings (cached)."""

from __future__ import annotations

from django.core.cache import cache
from django.utils.translation import gettext as _

from bianmin.accounts.selectors import DayHours, center_hours
from bianmin.core import clock
from bianmin.core.caching import Generation, KeptHere
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
# Changed a few times a year, by any center: one generation for all, read with the other
# process-wide ones (one round trip per request), and each center's row kept in the process
# under it, so an issue, a call or a position read asks Redis for nothing more.
_SETTINGS_GENERATION = Generation("hall:settings:gen", read_together=True)
_SETTINGS_HERE: KeptHere[HallSettings] = KeptHere(max_entries=1024)


def hall_settings_get(*, center_id: int) -> HallSettings:
    """The hall's settings, or the defaults (unsaved) when the director has set none.

    Read on every issue, call and position read: kept in the process and in the shared cache
    under the settings' generation, which moves whenever a row is saved or deleted
    (`hall_settings_forget`, connected in apps.ready). The instance is shared by every reader
    in the process: read it, never change it (the settings screen binds its form to a copy)."""
    key = f"hall:settings:{_SETTINGS_GENERATION.current()}:{center_id}"
    found = _SETTINGS_HERE.get(key)
    if found is None:
        found = HallSettings.objects.filter(center_id=center_id).first()
        found = found if found is not None else HallSettings(center_id=center_id)
        cache.set(key, found, SETTINGS_CACHE_SECONDS)
        _SETTINGS_HERE.keep(key, found)
    return found


def hall_settings_forget(*, center_id: int) -> None:
    """A center's settings changed: every center's kept settings are stale when the change
    commits (the changing transaction reads its own at once). The waiting limit and the weights
    order the line: the caller also calls `hall_changed`."""
    _SETTINGS_GENERATION.bump()
