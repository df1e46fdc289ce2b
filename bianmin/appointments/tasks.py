"""Huey entry points of the appointments context: thin, idempotent, calling one service."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from bianmin.appointments.services import deliveries_sync, no_shows_sweep, reminders_send


@db_periodic_task(crontab(minute="*/5"))
def appointments_no_shows_sweep() -> int:
    """Every five minutes: bookings whose check-in window has closed become no-shows."""
    return no_shows_sweep()


@db_periodic_task(crontab(minute="*/5"))
def appointments_reminders_send() -> int:
    """Every five minutes: the 18:00 day-before and one-hour reminders (each exactly once)."""
    return reminders_send()


@db_periodic_task(crontab(minute="10", hour="*/1"))
def home_visit_deliveries_sync() -> int:
    """Hourly: visits whose certificate has arrived become delivery tasks of their team."""
    return deliveries_sync()
