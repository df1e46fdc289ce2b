"""Nothing twice under concurrency (real threads, real connections; SQLite and PostgreSQL)."""

import pytest

from bianmin.audit.models import AuditEntry
from bianmin.core.errors import DomainError
from bianmin.standards.models import Certificate, Draw, ExamAttempt
from bianmin.standards.services import attempt_start, attempt_submit, draw_create, draw_run
from bianmin.standards.tests.conftest import right_answers
from tests.support.races import errors_of, run_concurrently

THREADS = 4


@pytest.mark.django_db(transaction=True)
def test_four_runs_of_one_commitment_at_once_draw_once(clock, hall, director, inspectors):
    draw = draw_create(actor=director, name="并发", object_type="window", k=3, inspectors_k=2)

    results = run_concurrently(lambda _i: draw_run(actor=director, draw_id=draw.pk).seed, THREADS)

    seeds = [r for r in results if isinstance(r, str)]
    refused = errors_of(results)
    assert len(seeds) == 1, results
    assert [getattr(e, "code", None) for e in refused] == ["already_drawn"] * (THREADS - 1)
    assert Draw.objects.get(pk=draw.pk).status == "drawn"
    assert AuditEntry.objects.filter(action="draw_run").count() == 1
    assert AuditEntry.objects.filter(action="draw_rerun_refused").count() == THREADS - 1


@pytest.mark.django_db(transaction=True)
def test_a_double_click_starts_one_attempt_and_submits_once(clock, hz01_exam, trainee):
    started = run_concurrently(
        lambda _i: attempt_start(actor=trainee, exam_id=hz01_exam.pk).pk, THREADS
    )
    assert not errors_of(started), started
    assert len(set(started)) == 1
    attempt = ExamAttempt.objects.get()

    answers = right_answers(attempt)
    submitted = run_concurrently(
        lambda _i: attempt_submit(actor=trainee, attempt_id=attempt.pk, answers=answers).score,
        THREADS,
    )

    assert [r for r in submitted if not isinstance(r, BaseException)] == [100]
    assert all(
        isinstance(e, DomainError) and e.code == "attempt_closed" for e in errors_of(submitted)
    )
    assert Certificate.objects.filter(officer=trainee).count() == 1
