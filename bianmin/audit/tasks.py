from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from bianmin.audit.checkpoints import checkpoint_write


@db_periodic_task(crontab(minute="*/10"))
def audit_checkpoint_task() -> None:
    """Every ten minutes: witness each chain head that moved (signed, table + append-only file)."""
    checkpoint_write()
