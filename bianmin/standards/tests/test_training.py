"""Training and certification: the bank from Excel, a random paper per attempt, the time limit,
and certification that grants (and on expiry removes) the 交叉授权 the hall's calling reads."""

import io
from datetime import timedelta

import pytest
from openpyxl import Workbook

from bianmin.accounts.models import Authorization
from bianmin.audit.models import AuditEntry
from bianmin.core.errors import DomainError
from bianmin.hall.enums import IssueChannel
from bianmin.hall.services import ticket_call_next, ticket_issue, window_sign_in
from bianmin.standards.enums import AttemptStatus, CertificateSource
from bianmin.standards.models import Certificate, ExamAttempt, Question
from bianmin.standards.selectors import certificates_expiring_for, certification_board
from bianmin.standards.services import (
    attempt_start,
    attempt_submit,
    certificate_grant_manual,
    certificates_expire,
    questions_import,
)
from bianmin.standards.tests.conftest import right_answers

pytestmark = pytest.mark.django_db

HEADER = [
    "题型",
    "事项编码",
    "业务类别",
    "题目",
    "选项A",
    "选项B",
    "选项C",
    "选项D",
    "答案",
    "解析",
]


def xlsx(rows):
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_the_bank_is_imported_from_excel_with_every_kind(hall, director):
    content = xlsx(
        [
            [
                "单选",
                "HZ01",
                "",
                "首次申领身份证由谁申请？",
                "本人或监护人",
                "任何人",
                "",
                "",
                "A",
                "",
            ],
            ["多选", "", "户政", "哪些材料需要？", "户口簿", "照片", "驾驶证", "", "A,B", ""],
            ["判断", "HZ02", "", "到期换领需要交回旧证", "", "", "", "", "对", ""],
            [
                "案例",
                "HZ01",
                "",
                "16 岁首次申领需要什么？",
                "户口簿",
                "监护人陪同",
                "房产证",
                "",
                "AB",
                "",
            ],
        ]
    )
    result = questions_import(actor=director, filename="bank.xlsx", content=content)

    assert result.created == 4
    kinds = list(Question.objects.order_by("pk").values_list("kind", "category", "answer"))
    assert kinds == [
        ("single", "household", ["A"]),
        ("multiple", "household", ["A", "B"]),
        ("true_false", "household", ["A"]),
        ("case", "household", ["A", "B"]),
    ]


def test_a_bad_row_imports_nothing_and_names_the_row(hall, director):
    content = xlsx(
        [
            ["单选", "HZ01", "", "好题", "甲", "乙", "", "", "A", ""],
            ["单选", "HZ01", "", "答案越界", "甲", "乙", "", "", "D", ""],
        ]
    )
    with pytest.raises(DomainError) as err:
        questions_import(actor=director, filename="bank.xlsx", content=content)

    assert err.value.code == "import_invalid"
    assert "第3行" in err.value.message
    assert Question.objects.count() == 0


def test_an_officer_may_not_import_the_bank(hall, officer):
    with pytest.raises(DomainError) as err:
        questions_import(actor=officer, filename="bank.xlsx", content=xlsx([]))
    assert err.value.code == "permission_denied"


def test_each_attempt_gets_its_own_paper_from_the_pool(clock, hz01_exam, trainee):
    pool = set(Question.objects.values_list("pk", flat=True))
    first = attempt_start(actor=trainee, exam_id=hz01_exam.pk)
    again = attempt_start(actor=trainee, exam_id=hz01_exam.pk)

    assert again.pk == first.pk  # a double click continues the same attempt
    assert len(first.question_ids) == 3
    assert len(set(first.question_ids)) == 3
    assert set(first.question_ids) <= pool
    assert first.deadline_at - first.started_at == timedelta(minutes=20)


def test_an_answer_after_the_time_limit_is_refused_and_nothing_changes(clock, hz01_exam, trainee):
    attempt = attempt_start(actor=trainee, exam_id=hz01_exam.pk)
    clock.shift(timedelta(minutes=20, seconds=1))

    with pytest.raises(DomainError) as err:
        attempt_submit(actor=trainee, attempt_id=attempt.pk, answers=right_answers(attempt))

    assert err.value.code == "time_limit_passed"
    assert "超过考试时限" in err.value.message
    attempt.refresh_from_db()
    assert (attempt.status, attempt.score, attempt.answers) == (AttemptStatus.OPEN, None, {})
    assert not Certificate.objects.exists()
    assert not Authorization.objects.filter(staff=trainee).exists()


def test_a_failed_attempt_is_recorded_and_certifies_nothing(clock, hz01_exam, trainee):
    attempt = attempt_start(actor=trainee, exam_id=hz01_exam.pk)
    wrong = {str(qid): ["C"] for qid in attempt.question_ids}

    done = attempt_submit(actor=trainee, attempt_id=attempt.pk, answers=wrong)

    assert (done.status, done.score) == (AttemptStatus.FAILED, 0)
    assert not Certificate.objects.exists()


def test_certification_lets_the_hall_call_the_item_and_expiry_takes_it_away(
    clock, hz01_exam, trainee
):
    def hz01_ticket():
        return ticket_issue(
            actor=None, center=trainee.center, item_codes=["HZ01"], channel=IssueChannel.KIOSK
        )

    waiting = hz01_ticket()
    window_sign_in(actor=trainee, window_code="W02")
    assert ticket_call_next(actor=trainee, window_code="W02") is None  # not authorized yet

    attempt = attempt_start(actor=trainee, exam_id=hz01_exam.pk)
    done = attempt_submit(actor=trainee, attempt_id=attempt.pk, answers=right_answers(attempt))

    assert (done.status, done.score) == (AttemptStatus.PASSED, 100)
    certificate = Certificate.objects.get(officer=trainee)
    assert certificate.item.code == "HZ01"
    assert certificate.source == CertificateSource.EXAM
    assert certificate.issued_on.isoformat() == "2026-12-01"
    assert certificate.expires_on.isoformat() == "2028-12-01"  # re-exam after 2 years
    called = ticket_call_next(actor=trainee, window_code="W02")
    assert called is not None
    assert called.pk == waiting.pk

    # 30 days before the expiry: the in-app notice, the authorization still holds
    notice_day = certificate.expires_on - timedelta(days=30)
    assert certificates_expire(today=notice_day) == {"expired": 0, "noticed": 1}
    assert [c.pk for c in certificates_expiring_for(officer_id=trainee.pk)] == [certificate.pk]
    assert Authorization.objects.filter(staff=trainee, item__code="HZ01").exists()

    # the expiry day: the authorization is removed, the next HZ01 ticket is not served
    from bianmin.hall.services import ticket_finish

    ticket_finish(actor=trainee, ticket_id=called.pk)
    assert certificates_expire(today=certificate.expires_on) == {"expired": 1, "noticed": 0}
    assert not Authorization.objects.filter(staff=trainee).exists()
    hz01_ticket()
    assert ticket_call_next(actor=trainee, window_code="W02") is None
    assert AuditEntry.objects.filter(action="certificate_expired").count() == 1
    assert AuditEntry.objects.filter(action="authorization_revoked").count() == 1


def test_expiry_leaves_an_authorization_the_director_gave_by_hand(
    clock, hz01_exam, trainee, director
):
    from bianmin.accounts.services import authorization_grant
    from bianmin.catalogue.selectors import item_get

    attempt = attempt_start(actor=trainee, exam_id=hz01_exam.pk)
    attempt_submit(actor=trainee, attempt_id=attempt.pk, answers=right_answers(attempt))
    certificate = Certificate.objects.get(officer=trainee)
    hz02 = item_get(code="HZ02")
    authorization_grant(actor=director, staff=trainee, item=hz02)  # by hand, not by exam
    Certificate.objects.create(
        center=certificate.center,
        number="TEST-HZ02",
        officer=trainee,
        item=hz02,
        source=certificate.source,
        issued_on=certificate.issued_on,
        expires_on=certificate.expires_on,
    )

    assert certificates_expire(today=certificate.expires_on)["expired"] == 2
    held = set(Authorization.objects.filter(staff=trainee).values_list("item__code", flat=True))
    assert held == {"HZ02"}  # the exam's grant went, the director's stayed


def test_a_category_exam_certifies_every_item_of_the_category(clock, hall, trainee):
    from bianmin.catalogue.selectors import item_list
    from bianmin.standards.tests.factories import ExamFactory, QuestionFactory

    for i in range(3):
        QuestionFactory(center=hall, category="traffic", text=f"交管题 {i}")
    exam = ExamFactory(center=hall, scope="category", category="traffic", question_count=3)
    attempt = attempt_start(actor=trainee, exam_id=exam.pk)
    attempt_submit(actor=trainee, attempt_id=attempt.pk, answers=right_answers(attempt))

    traffic = {i.code for i in item_list() if i.category == "traffic"}
    assert traffic
    assert (
        set(Authorization.objects.filter(staff=trainee).values_list("item__code", flat=True))
        == traffic
    )


def test_the_director_grants_by_hand_only_with_a_reason_and_it_is_audited(
    clock, hall, director, trainee
):
    with pytest.raises(DomainError) as err:
        certificate_grant_manual(
            actor=director, officer_id=trainee.pk, item_codes=["HZ04"], reason=" "
        )
    assert err.value.code == "reason_required"
    assert not Authorization.objects.filter(staff=trainee).exists()

    made = certificate_grant_manual(
        actor=director, officer_id=trainee.pk, item_codes=["HZ04"], reason="临时顶岗"
    )

    assert [(c.item.code, c.source, c.reason) for c in made] == [("HZ04", "manual", "临时顶岗")]
    assert Authorization.objects.filter(staff=trainee, item__code="HZ04").exists()
    entry = AuditEntry.objects.get(action="certificate_granted")
    assert entry.after["reason"] == "临时顶岗"


def test_an_officer_may_not_grant_by_hand(clock, hall, officer, trainee):
    with pytest.raises(DomainError) as err:
        certificate_grant_manual(
            actor=officer, officer_id=trainee.pk, item_codes=["HZ04"], reason="x"
        )
    assert err.value.code == "permission_denied"
    assert not Certificate.objects.exists()


def test_a_second_submit_is_refused(clock, hz01_exam, trainee):
    attempt = attempt_start(actor=trainee, exam_id=hz01_exam.pk)
    attempt_submit(actor=trainee, attempt_id=attempt.pk, answers=right_answers(attempt))
    with pytest.raises(DomainError) as err:
        attempt_submit(actor=trainee, attempt_id=attempt.pk, answers={})
    assert err.value.code == "attempt_closed"
    assert ExamAttempt.objects.get(pk=attempt.pk).score == 100


def test_a_certificate_past_its_expiry_counts_nowhere_even_before_the_nightly_task(
    clock, hall, director, trainee
):
    from bianmin.standards.services.stars import skill_facts

    [certificate] = certificate_grant_manual(
        actor=director, officer_id=trainee.pk, item_codes=["HZ04"], reason="临时顶岗"
    )
    today = certificate.issued_on

    def holders():
        board = certification_board(center_id=hall.pk, today=today)
        return next(r.certified for r in board.rows if r.item.code == "HZ04")

    def holds(first):
        return skill_facts(center_id=hall.pk, officer_id=trainee.pk, first=first).holds_certificate

    assert holders() == [str(trainee)]
    assert holds(today.replace(day=1))
    # the expiry passed; the nightly task has not run (the certificate is not revoked)
    Certificate.objects.filter(pk=certificate.pk).update(expires_on=today - timedelta(days=1))
    assert holders() == []
    assert not holds(today.replace(day=1))
