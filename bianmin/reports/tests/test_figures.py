"""The report's figures are the fixture's counts, section by section (briefing of Tuesday
2026-04-21: Monday 2026-04-20 against Monday 2026-04-13)."""

from typing import Any

import pytest

from bianmin.core.workdays import is_workday
from bianmin.reports.periods import briefing_span
from bianmin.reports.selectors import report_build
from bianmin.reports.tests.conftest import LAST_MONDAY, MONDAY, TUESDAY

pytestmark = pytest.mark.django_db


def _rows(center: Any) -> dict[str, dict[str, tuple[Any, Any]]]:
    span = briefing_span(TUESDAY, is_workday=is_workday)
    report = report_build(center_id=center.pk, center_name=center.name, span=span)
    return {
        s.key: {row.label: (row.value, row.previous) for row in s.rows} for s in report.sections
    }


def test_the_briefing_covers_monday_against_the_monday_before(history: Any) -> None:
    span = briefing_span(TUESDAY, is_workday=is_workday)
    assert (span.start, span.end) == (MONDAY, MONDAY)
    assert (span.previous_start, span.previous_end) == (LAST_MONDAY, LAST_MONDAY)


def test_hall_section_equals_the_tickets_and_calls(history: Any, center: Any) -> None:
    hall = _rows(center)["hall"]
    assert hall["来访人次（取号）"] == (5, 2)
    assert hall["办结号票"] == (4, 1)
    assert hall["过号未到"] == (1, 0)
    assert hall["等候时间中位数"] == (2.5, 4.0)
    assert hall["等候时间90%分位"] == (10.0, 4.0)
    assert hall["最长等候"] == (10.0, 4.0)
    assert hall["上岗窗口民警"] == (2, 1)
    assert hall["取号·户政"] == (3, 1)
    assert hall["取号·交管"] == (2, 1)
    assert hall["取号·出入境"] == (0, 0)


def test_cases_section_equals_the_cases(history: Any, center: Any) -> None:
    cases = _rows(center)["cases"]
    assert cases["受理"] == (2, 1)
    assert cases["其中容缺受理"] == (1, 0)
    assert cases["办结"] == (1, 0)
    assert cases["新增超期"] == (1, 0)
    assert cases["期末超期未办结"] == (1, 0)
    assert cases["一次性告知单"] == (1, 0)
    assert cases["期末容缺待补齐"] == (1, 0)


def test_fees_sms_lost_found_and_desk_sections(history: Any, center: Any) -> None:
    rows = _rows(center)
    assert rows["fees"]["收费笔数"] == (2, 1)
    assert rows["fees"]["实收金额"] == (20.0, 10.0)
    assert rows["fees"]["减免金额"] == (20.0, 0.0)
    assert rows["fees"]["全额免收"] == (1, 0)
    assert rows["sms"]["发送"] == (2, 0)
    assert rows["sms"]["送达回执"] == (1, 0)
    assert rows["sms"]["发送失败"] == (1, 0)
    assert rows["lost_found"]["拾得物登记"] == (1, 2)
    assert rows["lost_found"]["期末在库"] == (3, 2)
    assert rows["family_desk"]["收到诉求"] == (2, 1)
    assert rows["family_desk"]["其中帮办"] == (1, 0)
    assert rows["family_desk"]["其中咨询"] == (1, 1)
    assert rows["family_desk"]["期末超期未办结"] == (1, 0)


def test_another_centers_rows_never_count(history: Any, center: Any, other_center: Any) -> None:
    from bianmin.reports.tests.factories import ticket

    ticket(other_center, day=MONDAY, wait_seconds=3000)
    assert _rows(center)["hall"]["来访人次（取号）"] == (5, 2)
    assert _rows(center)["hall"]["最长等候"] == (10.0, 4.0)


def test_change_is_value_minus_previous_and_percent(history: Any, center: Any) -> None:
    span = briefing_span(TUESDAY, is_workday=is_workday)
    report = report_build(center_id=center.pk, center_name=center.name, span=span)
    visits = report.sections[0].rows[0]
    assert (visits.change, visits.change_percent) == (3, 150.0)


def test_ratings_section_equals_the_ratings(history: Any, center: Any, officer: Any) -> None:
    from bianmin.ratings.tests.factories import rating_row, service_event
    from bianmin.reports.tests.conftest import at

    for level in (5, 4, 4, 1):
        rating_row(service_event(center, officer=officer, at=at(MONDAY, 10)), level)
    rating_row(service_event(center, officer=officer, at=at(LAST_MONDAY, 10)), 5)
    ratings = _rows(center)["ratings"]
    assert ratings["群众评价"] == (4, 1)
    assert ratings["满意率"] == (75.0, 100.0)
    assert ratings["差评"] == (1, 0)


def test_appointments_section_counts_home_visit_requests(
    history: Any, center: Any, officer: Any
) -> None:
    import time_machine

    from bianmin.appointments import services as appointments
    from bianmin.appointments.models import BookingRules
    from bianmin.appointments.tests.factories import visit_input
    from bianmin.reports.tests.conftest import at

    BookingRules.objects.create(center=center, towns=[{"name": "城关街道", "x": 0, "y": 0}])
    for day, n in ((MONDAY, 1), (MONDAY, 2), (LAST_MONDAY, 3)):
        with time_machine.travel(at(day, 10), tick=False):
            appointments.home_visit_request(
                actor=officer, center_code=center.code, data=visit_input(n)
            )
    rows = _rows(center)["appointments"]
    assert rows["上门服务申请"] == (2, 1)
    assert rows["上门服务完成"] == (0, 0)
    assert rows["预约（按预约日）"] == (0, 0)
