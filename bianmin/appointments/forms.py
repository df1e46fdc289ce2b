"""Parsing of the HTML forms' plain values (dates, times, numbers) into typed values, with a
Chinese message for a bad value."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from bianmin.appointments.errors import AppointmentError
from bianmin.core.errors import DomainError


def parse_day(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat((value or "").strip())
    except ValueError:
        raise DomainError(_("请选择正确的日期。"), code=AppointmentError.INVALID_DATE) from None


def parse_time(value: str, *, required: bool = True) -> dt.time | None:
    value = (value or "").strip()
    if not value and not required:
        return None
    try:
        return dt.time.fromisoformat(value)
    except ValueError:
        raise DomainError(
            _("请填写正确的时间（HH:MM）。"), code=AppointmentError.INVALID_SETTING
        ) from None


def parse_int(value: str, *, field: str) -> int:
    try:
        return int((value or "").strip())
    except ValueError:
        raise DomainError(
            _("%(f)s应为整数。") % {"f": field}, code=AppointmentError.INVALID_SETTING
        ) from None
