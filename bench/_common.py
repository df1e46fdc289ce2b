"""Helpers the benchmarks share (the runner skips modules starting with "_")."""

from __future__ import annotations


def prepare_pg(url: str) -> bool:
    """A fresh, empty PostgreSQL database at `url`; False (and a note) when none can be had."""
    try:
        import psycopg
    except ImportError:
        return False
    base, _, name = url.rpartition("/")
    try:
        with psycopg.connect(f"{base}/postgres", autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error as exc:
        print(f"  postgresql: skipped ({exc.__class__.__name__}: {exc})")
        return False
    return True
