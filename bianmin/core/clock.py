"""One place to ask for the time, so tests can pin it with time-machine."""

from datetime import date, datetime

from django.utils import timezone


def now() -> datetime:
    return timezone.now()


def today() -> date:
    return timezone.localdate()


def local(dt: datetime) -> datetime:
    return timezone.localtime(dt)
