"""Secrets generated on first run into var/ when the environment gives none."""

import secrets
from pathlib import Path


def load_or_create_secret(path: Path, *, nbytes: int) -> str:
    """Return the hex secret stored at `path`, creating it (mode 0600) on first use."""
    if path.exists():
        return path.read_text().strip()
    value = secrets.token_hex(nbytes)
    path.touch(mode=0o600)
    path.write_text(value)
    return value
