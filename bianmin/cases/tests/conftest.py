"""Fixtures of the cases tests: a pinned clock before National Day 2026, applicants, cases."""

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from bianmin.core.permissions import Role

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture
def pinned():
    """Tuesday 2026-09-29, 10:00 in China: National Day (Oct 1–7) is two days away."""
    with time_machine.travel(at(2026, 9, 29), tick=False) as traveller:
        yield traveller


@pytest.fixture
def setup(db, center, catalogue, windows, officer):
    return center


@pytest.fixture
def leader(make_staff):
    return make_staff(Role.SHIFT_LEADER, username="leader01")


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Progress throttling counts failures in the cache: every test starts clean."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def pdf_text(content: bytes, tmp_path: Any) -> str:
    """The PDF's text (pdftotext) after checking that it renders (pdftoppm)."""
    import subprocess

    assert content.startswith(b"%PDF")
    path = tmp_path / "doc.pdf"
    path.write_bytes(content)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "1", str(path), str(tmp_path / "page")],
        check=True,
        timeout=60,
    )
    assert list(tmp_path.glob("page*.png"))
    out = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"],
        check=True,
        timeout=60,
        capture_output=True,
        text=True,
    )
    return out.stdout
