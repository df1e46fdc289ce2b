"""Kept and versioned briefings; the 07:30 job once per working day; the PDF read back."""

import subprocess
import tempfile
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from bianmin.audit.models import AuditEntry
from bianmin.core.errors import DomainError
from bianmin.reports import services
from bianmin.reports.models import Briefing
from bianmin.reports.tasks import morning_briefing_task
from bianmin.reports.tests.conftest import MONDAY, TUESDAY
from tests.support.races import errors_of, run_concurrently

pytestmark = pytest.mark.django_db


def pdf_text(content: bytes) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "briefing.pdf"
        path.write_bytes(content)
        return subprocess.run(
            ["pdftotext", "-layout", str(path), "-"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout


def test_scheduled_briefing_is_made_once_per_center_and_day(history: Any, center: Any) -> None:
    first = services.briefings_generate_due(day=TUESDAY)
    again = services.briefings_generate_due(day=TUESDAY)
    assert [b.center_id for b in first] == [center.pk]
    assert again == []
    kept = Briefing.objects.get(center=center, day=TUESDAY)
    assert (kept.version, kept.is_scheduled, kept.start, kept.end) == (1, True, MONDAY, MONDAY)
    assert AuditEntry.objects.filter(action="briefing_generated").count() == 1


def test_no_scheduled_briefing_on_a_weekend(center: Any) -> None:
    assert services.briefings_generate_due(day=date(2026, 4, 25)) == []
    assert not Briefing.objects.exists()


def test_the_job_runs_at_0730_in_the_hall_not_0730_utc() -> None:
    from zoneinfo import ZoneInfo

    import time_machine
    from huey.contrib.djhuey import HUEY

    shanghai = ZoneInfo("Asia/Shanghai")
    periodic = morning_briefing_task.task_class()

    def due(at: datetime) -> bool:
        with time_machine.travel(at, tick=False):
            return bool(periodic.validate_datetime(HUEY._get_timestamp()))

    assert due(datetime(2026, 4, 21, 7, 30, tzinfo=shanghai))
    assert not due(datetime(2026, 4, 21, 15, 30, tzinfo=shanghai))  # 07:30 UTC


def test_the_task_itself_is_idempotent(history: Any, center: Any) -> None:
    ids = morning_briefing_task.call_local()
    assert morning_briefing_task.call_local() == []
    assert list(Briefing.objects.values_list("pk", flat=True)) == ids


def test_regenerating_adds_a_version_and_keeps_the_first(
    history: Any, center: Any, leader: Any
) -> None:
    first = services.briefing_generate(actor=leader, day=TUESDAY)
    from bianmin.reports.tests.factories import ticket

    ticket(center, day=MONDAY, wait_seconds=60)
    second = services.briefing_generate(actor=leader, day=TUESDAY)
    assert (first.version, second.version) == (1, 2)
    first.refresh_from_db()
    assert first.data["sections"][0]["rows"][0]["value"] == 5
    assert second.data["sections"][0]["rows"][0]["value"] == 6


def test_the_briefing_pdf_reads_back_in_chinese(history: Any, center: Any, leader: Any) -> None:
    briefing = services.briefing_generate(actor=leader, day=TUESDAY)
    text = pdf_text(bytes(briefing.pdf))
    assert "潼关县公安便民服务中心晨会通报" in text
    assert "统计时段 2026-04-20 至 2026-04-20" in text
    for title in ("来访与等候", "办件", "收费与减免", "短信提醒", "失物招领", "惠民暖警服务台"):
        assert title in text
    assert "容缺" in text


def test_the_briefing_workbook_holds_every_section(history: Any, center: Any, leader: Any) -> None:
    import io

    briefing = services.briefing_generate(actor=leader, day=TUESDAY)
    book = load_workbook(io.BytesIO(bytes(briefing.xlsx)))
    assert book.sheetnames[0] == "汇总"
    assert len(book.sheetnames) == 1 + len(briefing.data["sections"])
    visits = next(r for r in book["汇总"].iter_rows(values_only=True) if r[1] == "来访人次（取号）")
    assert visits[2:5] == (5, 2, 3)


def test_a_future_or_weekend_day_is_refused(center: Any, leader: Any, on_tuesday: None) -> None:
    with pytest.raises(DomainError) as future:
        services.briefing_generate(actor=leader, day=date(2026, 4, 22))
    with pytest.raises(DomainError) as weekend:
        services.briefing_generate(actor=leader, day=date(2026, 4, 19))
    assert (future.value.code, weekend.value.code) == ("bad_date", "not_a_workday")
    assert not Briefing.objects.exists()


def test_an_officer_may_not_generate(center: Any, officer: Any, on_tuesday: None) -> None:
    with pytest.raises(DomainError) as refused:
        services.briefing_generate(actor=officer, day=TUESDAY)
    assert refused.value.status == 403
    assert not Briefing.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_simultaneous_scheduled_runs_make_one_briefing(center: Any, catalogue: None) -> None:
    import time_machine

    shanghai = ZoneInfo("Asia/Shanghai")
    with time_machine.travel(datetime(2026, 4, 21, 7, 30, tzinfo=shanghai), tick=False):
        results = run_concurrently(
            lambda _i: services.briefing_generate_scheduled(center_id=center.pk, day=TUESDAY), 4
        )
    assert errors_of(results) == []
    made = [r for r in results if isinstance(r, Briefing)]
    assert len(made) == 1
    assert Briefing.objects.filter(center=center, day=TUESDAY).count() == 1
