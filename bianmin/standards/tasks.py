"""Thin scheduled entrypoints (idempotent): certificate expiry, last month's stars."""

import logging
from datetime import timedelta

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from bianmin.accounts.selectors import center_list_active
from bianmin.core import clock
from bianmin.standards.services import certificates_expire, stars_compute

logger = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="10", hour="1"))
def certificates_expire_daily() -> dict[str, int]:
    """Every night: notices 30 days before expiry, 交叉授权 removed on the expiry day."""
    done = certificates_expire()
    logger.info("certificates expiry %s", done)
    return done


@db_periodic_task(crontab(minute="30", hour="2", day="1"))
def stars_compute_last_month() -> int:
    """On the 1st: every center's stars of the month that just ended (a recomputation adds a
    revision, so a replay is harmless)."""
    last_month = (clock.today().replace(day=1) - timedelta(days=1)).replace(day=1)
    computed = 0
    for center in center_list_active():
        computed += len(stars_compute(actor=None, center_id=center.pk, month=last_month))
    return computed
