"""Files that hold personal data or keys are readable by the service account only (0600)."""

import contextlib
import os
from pathlib import Path
from typing import Any

PRIVATE_MODE = 0o600
SQLITE_SUFFIXES = ("", "-wal", "-shm", "-journal")


def make_private(path: Path | str) -> None:
    """chmod 0600 when the file exists (other users may not read it)."""
    with contextlib.suppress(FileNotFoundError):
        os.chmod(path, PRIVATE_MODE)


def restrict_sqlite_files(name: Path | str) -> None:
    """The database file and its WAL/SHM/journal companions (SQLite creates those with the
    database file's own mode, so restricting the main file first covers later ones too)."""
    text = str(name)
    if not text or text == ":memory:" or text.startswith("file:"):
        return
    for suffix in SQLITE_SUFFIXES:
        make_private(text + suffix)


def on_connection_created(sender: Any, connection: Any, **kwargs: Any) -> None:
    """`connection_created` receiver: keep an SQLite database file private."""
    if connection.vendor == "sqlite":
        restrict_sqlite_files(connection.settings_dict.get("NAME") or "")
