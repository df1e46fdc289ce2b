"""Input parsing shared by the pages and the API: dates, date-times and uploaded photos,
with Chinese messages for what cannot be read."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from bianmin.core.errors import DomainError
from bianmin.lost_found.errors import LostFoundError
from bianmin.lost_found.services import PhotoUpload

MAX_READ = 10 * 1024 * 1024 + 1


def parse_found_at(value: str) -> dt.datetime | None:
    """ISO date-time (a bare date means noon); naive values are the center's local time."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        moment = parse_datetime(value)
        if moment is None:
            day = parse_date(value)
            moment = dt.datetime.combine(day, dt.time(12)) if day else None
    except ValueError:
        moment = None
    if moment is None:
        raise DomainError(
            _("拾得时间格式不正确，应为 2026-11-30T08:30 这样的日期时间。"),
            code=LostFoundError.INVALID_DATE,
        )
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


def parse_day(value: str, *, field: str) -> dt.date:
    try:
        day = parse_date((value or "").strip())
    except ValueError:
        day = None
    if day is None:
        raise DomainError(
            _("%(field)s应为 YYYY-MM-DD 格式的日期。") % {"field": field},
            code=LostFoundError.INVALID_DATE,
        )
    return day


def read_photos(photos: Sequence[Any] | None) -> list[PhotoUpload]:
    """Read at most 10 MB + 1 byte of each file: enough to refuse an oversized one."""
    return [
        PhotoUpload(name=photo.name or "", content=photo.read(MAX_READ)) for photo in photos or []
    ]
