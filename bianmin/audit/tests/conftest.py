from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def checkpoint_files(settings: Any, tmp_path: Path) -> Path:
    """Checkpoints of a test go to its own file and key, never to var/."""
    settings.AUDIT_CHECKPOINT_LOG = str(tmp_path / "audit-checkpoints.log")
    settings.AUDIT_CHECKPOINT_KEY_FILE = str(tmp_path / "audit_checkpoint_key")
    return tmp_path / "audit-checkpoints.log"
