"""Thin scheduled entrypoints of ratings (idempotent)."""

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from bianmin.ratings.services import rating_tokens_purge

logger = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="15", hour="3"))
def ratings_tokens_purge() -> int:
    """Every night: forget the digests of rating tokens expired more than 30 days ago (a used
    token's rating stays; an unused one can no longer be used anyway)."""
    removed = rating_tokens_purge()
    if removed:
        logger.info("rating tokens purged: %s", removed)
    return removed
