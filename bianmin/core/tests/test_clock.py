"""The center's clock: local time and the day are Asia/Shanghai's whatever the server's zone."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from bianmin.core import clock

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_local_time_is_the_centers() -> None:
    moment = datetime(2026, 12, 4, 17, 30, tzinfo=UTC)
    local = clock.local(moment)
    assert local == moment
    assert (local.date(), local.hour, local.minute) == (date(2026, 12, 5), 1, 30)
    assert local.utcoffset() == SHANGHAI.utcoffset(moment.replace(tzinfo=None))


def test_the_day_turns_at_the_centers_midnight() -> None:
    with time_machine.travel(datetime(2026, 12, 4, 15, 59, tzinfo=UTC), tick=False):
        assert clock.today() == date(2026, 12, 4)
    with time_machine.travel(datetime(2026, 12, 4, 16, 0, tzinfo=UTC), tick=False):
        assert clock.today() == date(2026, 12, 5)


def test_a_naive_time_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        clock.local(datetime(2026, 12, 4, 9, 0))
