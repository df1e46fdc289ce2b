"""Secrets generated on first run into var/ when the environment gives none."""

import os
import secrets
from pathlib import Path

from bianmin.core.files import PRIVATE_MODE, make_private


def load_or_create_secret(path: Path, *, nbytes: int) -> str:
    """Return the hex secret stored at `path`, creating it (mode 0600) on first use."""
    if path.exists():
        make_private(path)
        return path.read_text().strip()
    value = secrets.token_hex(nbytes)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_MODE)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(value)
    return value
