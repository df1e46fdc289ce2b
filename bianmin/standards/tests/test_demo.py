"""The demo: a bank, officers at different certification levels, last month's stars, one
published inspection that verifies."""

from io import StringIO

import pytest
import time_machine
from django.core.management import call_command

from bianmin.demo.services import demo_load, reference_load
from bianmin.standards.models import Certificate, Draw, DutyShift, Question, StarResult
from bianmin.standards.selectors import certification_board

pytestmark = pytest.mark.django_db


@time_machine.travel("2026-12-01 10:00 +0800", tick=False)
def test_the_demo_has_gaps_last_months_stars_and_a_published_inspection() -> None:
    reference_load()
    summary = demo_load(residents=5, history_days=3)

    assert Question.objects.count() == 15
    board = certification_board(center_id=summary.center.pk)
    counts = sorted({row["count"] for row in board.officers})
    assert counts[0] < counts[-1] == 36  # different certification levels
    assert board.red_items > 0
    assert board.all_round_by_month[-1] == 8
    assert board.all_round_by_month[0] < board.all_round_by_month[-1]
    assert Certificate.objects.filter(notice_sent_on__isnull=False).exists()
    assert StarResult.objects.filter(month="2026-11-01").count() == 21  # 20 officers + leader01
    # the roster: last month's and this week's shifts, no lateness invented against it
    assert DutyShift.objects.filter(day__lt="2026-12-01").exists()
    assert DutyShift.objects.filter(day__gte="2026-11-30").exists()
    november = StarResult.objects.filter(month="2026-11-01")
    assert not any(r.facts["discipline"]["late_by_roster"] for r in november)
    draw = Draw.objects.get(status="published")
    out = StringIO()
    call_command("verify_draw", str(draw.pk), stdout=out)
    assert "核验通过" in out.getvalue()
