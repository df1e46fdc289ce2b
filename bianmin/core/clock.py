"""One place to ask for the time, so tests can pin it with time-machine.

The product keeps one clock: the center's (`TIME_ZONE`, Asia/Shanghai — every center of the
province shares it) and never activates another zone per request, so local time is read from
that zone directly rather than through Django's per-context active zone (an `asgiref.Local`
look-up on every call; the hall reads local time several times per request)."""

from datetime import date, datetime

from django.utils import timezone


def now() -> datetime:
    return timezone.now()


def local(dt: datetime) -> datetime:
    """`dt` (aware) on the center's clock."""
    if dt.tzinfo is None:
        raise ValueError("clock.local() takes an aware datetime")
    return dt.astimezone(timezone.get_default_timezone())


def today() -> date:
    """The center's day."""
    return local(now()).date()
