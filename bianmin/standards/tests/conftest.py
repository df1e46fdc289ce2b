"""Standards fixtures: a pinned working morning, the catalogue, exams with a small bank."""

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from bianmin.core.permissions import Role
from bianmin.standards.services import (
    satisfaction_source,
    satisfaction_source_clear,
    satisfaction_source_register,
)
from bianmin.standards.tests.factories import ExamFactory, QuestionFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")
# A Tuesday mid-morning in Asia/Shanghai: the hall is open, a working day.
MORNING = datetime(2026, 12, 1, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture
def clock() -> Iterator[Any]:
    with time_machine.travel(MORNING, tick=False) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def hall(center: Any, windows: Any, catalogue: Any) -> Any:
    return center


@pytest.fixture
def trainee(make_staff: Callable[..., Any]) -> Any:
    """A specialized officer: serves only what they are authorized for."""
    return make_staff(Role.OFFICER, username="trainee01", all_round=False)


@pytest.fixture
def inspectors(make_staff: Callable[..., Any]) -> list[Any]:
    return [make_staff(Role.INSPECTOR, username=f"inspector0{i}") for i in range(1, 4)]


@pytest.fixture
def hz01_exam(hall: Any) -> Any:
    """An exam for 居民身份证首次申领 (HZ01): 3 questions drawn from a bank of 4, pass at 60."""
    from bianmin.catalogue.selectors import item_get

    item = item_get(code="HZ01")
    for i in range(4):
        QuestionFactory(center=hall, item=item, category="household", text=f"HZ01 题 {i}")
    return ExamFactory(center=hall, item=item, category="household", question_count=3)


def right_answers(attempt: Any) -> dict[str, list[str]]:
    from bianmin.standards.models import Question

    return {str(q.pk): list(q.answer) for q in Question.objects.filter(pk__in=attempt.question_ids)}


@pytest.fixture(autouse=True)
def _rating_source_restored() -> Iterator[None]:
    """Tests here register their own satisfaction figures; afterwards the source registered at
    start-up (the ratings context's) is back, whatever the test did."""
    before = satisfaction_source()
    yield
    satisfaction_source_clear()
    if before is not None:
        satisfaction_source_register(before)
