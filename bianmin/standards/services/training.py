"""窗口大练兵: the question bank, exams with a random paper per attempt, and certification.

Passing an exam certifies the officer for the exam's items: a ``Certificate`` with its date and
expiry, and the 交叉授权 itself through ``accounts.services.authorization_grant`` (the hall's
calling rule reads that table, so the change holds from the next call). Expiry removes it
through ``authorization_revoke``; the officer sees the notice 30 days before (in-app panel).
"""

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from bianmin.accounts.selectors import staff_list, staff_of_center
from bianmin.accounts.services import authorization_grant, authorization_revoke
from bianmin.audit.enums import AuditAction
from bianmin.audit.services import audit_record
from bianmin.catalogue.enums import Category
from bianmin.catalogue.selectors import item_list
from bianmin.core import clock
from bianmin.core.actors import StaffActor
from bianmin.core.errors import DomainError
from bianmin.core.permissions import Perm
from bianmin.core.spreadsheets import read_table
from bianmin.standards import pipeline
from bianmin.standards.enums import AttemptStatus, CertificateSource, ExamScope, QuestionKind
from bianmin.standards.errors import StandardsError
from bianmin.standards.models import Certificate, Course, Exam, ExamAttempt, Question
from bianmin.standards.services.common import (
    not_found,
    require,
    same_center,
    training_settings,
)

KIND_LABELS = {
    "单选": QuestionKind.SINGLE,
    "单选题": QuestionKind.SINGLE,
    "多选": QuestionKind.MULTIPLE,
    "多选题": QuestionKind.MULTIPLE,
    "判断": QuestionKind.TRUE_FALSE,
    "判断题": QuestionKind.TRUE_FALSE,
    "案例": QuestionKind.CASE,
    "案例题": QuestionKind.CASE,
}
LETTERS = "ABCDEF"
COLUMNS = {
    "题型": "kind",
    "事项编码": "item",
    "业务类别": "category",
    "题目": "text",
    **{f"选项{letter}": f"option_{letter}" for letter in LETTERS},
    "答案": "answer",
    "解析": "explanation",
}
TRUE_WORDS = {"对", "正确", "是", "√", "A"}
FALSE_WORDS = {"错", "错误", "否", "×", "B"}


@dataclass(frozen=True)
class ImportResult:
    created: int
    errors: list[str]


def _category_value(text: str) -> str:
    by_label = {str(label): value for value, label in Category.choices}
    return by_label.get(text, text)


def _parse_row(number: int, row: dict[str, str], items: dict[str, Any]) -> Question | str:
    kind = KIND_LABELS.get(row.get("kind", ""))
    if kind is None:
        return _("第%(n)d行：题型只能是单选、多选、判断或案例") % {"n": number}
    text = row.get("text", "")
    if not text:
        return _("第%(n)d行：题目为空") % {"n": number}
    item = None
    code = row.get("item", "").upper()
    if code:
        item = items.get(code)
        if item is None:
            return _("第%(n)d行：没有编码为 %(c)s 的事项") % {"n": number, "c": code}
    category = item.category if item is not None else _category_value(row.get("category", ""))
    if category not in Category.values:
        return _("第%(n)d行：请填写事项编码或业务类别") % {"n": number}
    raw_answer = row.get("answer", "").replace(" ", "").replace("，", ",").replace(",", "")
    if kind == QuestionKind.TRUE_FALSE:
        options = ["正确", "错误"]
        if raw_answer in TRUE_WORDS:
            answer = ["A"]
        elif raw_answer in FALSE_WORDS:
            answer = ["B"]
        else:
            return _("第%(n)d行：判断题答案只能是“对”或“错”") % {"n": number}
    else:
        options = [row[f"option_{letter}"] for letter in LETTERS if row.get(f"option_{letter}")]
        answer = sorted(set(raw_answer.upper()))
        if len(options) < 2:
            return _("第%(n)d行：选择题至少要有两个选项") % {"n": number}
        if not answer or any(letter not in LETTERS[: len(options)] for letter in answer):
            return _("第%(n)d行：答案必须是已填写选项的字母") % {"n": number}
        if kind == QuestionKind.SINGLE and len(answer) != 1:
            return _("第%(n)d行：单选题只能有一个答案") % {"n": number}
    return Question(
        item=item,
        category=category,
        kind=kind,
        text=text,
        options=options,
        answer=answer,
        explanation=row.get("explanation", ""),
    )


@transaction.atomic
def questions_import(*, actor: StaffActor, filename: str, content: bytes) -> ImportResult:
    """Import a question bank from Excel: every row is checked, then all or none is written."""
    center_id = require(actor, Perm.TRAINING_MANAGE)
    rows = read_table(
        content, filename=filename, columns=COLUMNS, required=("kind", "text", "answer")
    )
    items = {item.code: item for item in item_list(active_only=False)}
    parsed: list[Question] = []
    errors: list[str] = []
    for number, row in rows:
        result = row if isinstance(row, str) else _parse_row(number, row, items)
        if isinstance(result, str):
            errors.append(result)
        else:
            result.center_id = center_id
            parsed.append(result)
    if errors:
        raise DomainError(
            _("题库未导入，请改正后重新上传：") + "；".join(errors[:20]),
            code=StandardsError.IMPORT_INVALID,
            errors=errors[:100],
        )
    if not parsed:
        raise DomainError(_("文件中没有试题。"), code=StandardsError.IMPORT_INVALID)
    Question.objects.bulk_create(parsed)
    audit_record(
        actor=actor,
        action=AuditAction.QUESTIONS_IMPORTED,
        target_type="standards.question",
        after={"filename": filename[:100], "created": len(parsed)},
    )
    return ImportResult(created=len(parsed), errors=[])


def exam_items(exam: Exam) -> list[Any]:
    """The items an exam certifies."""
    items = item_list()
    if exam.scope == ExamScope.ITEM:
        return [item for item in items if item.pk == exam.item_id]
    if exam.scope == ExamScope.CATEGORY:
        return [item for item in items if item.category == exam.category]
    return list(items)


def _question_pool(exam: Exam) -> list[int]:
    qs = Question.objects.filter(center_id=exam.center_id, is_active=True)
    if exam.scope == ExamScope.ITEM and exam.item is not None:
        # the item's own questions and the general ones of its category
        qs = qs.filter(category=exam.item.category).filter(
            Q(item_id=exam.item_id) | Q(item__isnull=True)
        )
    elif exam.scope == ExamScope.CATEGORY:
        qs = qs.filter(category=exam.category)
    return sorted(set(qs.values_list("pk", flat=True)))


@transaction.atomic
def exam_create(
    *,
    actor: StaffActor,
    name: str,
    scope: str,
    item_code: str = "",
    category: str = "",
    question_count: int = 10,
    time_limit_minutes: int = 30,
    pass_mark: int = 80,
) -> Exam:
    center_id = require(actor, Perm.TRAINING_MANAGE)
    if scope not in ExamScope.values:
        raise DomainError(_("考试范围不正确。"), code=StandardsError.INVALID)
    if not name.strip():
        raise DomainError(_("请填写考试名称。"), code=StandardsError.INVALID)
    if not (
        1 <= question_count <= 200 and 1 <= time_limit_minutes <= 300 and 1 <= pass_mark <= 100
    ):
        raise DomainError(
            _("题量 1–200、时限 1–300 分钟、合格分 1–100。"), code=StandardsError.INVALID
        )
    item = None
    if scope == ExamScope.ITEM:
        item = next((i for i in item_list() if i.code == item_code.strip().upper()), None)
        if item is None:
            raise DomainError(_("没有该事项。"), code=StandardsError.INVALID)
    if scope == ExamScope.CATEGORY and category not in Category.values:
        raise DomainError(_("业务类别不正确。"), code=StandardsError.INVALID)
    return Exam.objects.create(
        center_id=center_id,
        name=name.strip()[:100],
        scope=scope,
        item=item,
        category=category if scope == ExamScope.CATEGORY else (item.category if item else ""),
        question_count=question_count,
        time_limit_minutes=time_limit_minutes,
        pass_mark=pass_mark,
    )


def _close_stale(exam: Exam, officer_id: int, now: Any) -> None:
    ExamAttempt.objects.filter(
        exam=exam, officer_id=officer_id, status=AttemptStatus.OPEN, deadline_at__lt=now
    ).update(status=AttemptStatus.LATE)


@transaction.atomic
def attempt_start(*, actor: StaffActor, exam_id: int) -> ExamAttempt:
    """Start an attempt with its own random paper, or return the one still running."""
    center_id = require(actor, Perm.TRAINING_TAKE)
    exam = Exam.objects.select_related("item").filter(pk=exam_id, is_active=True).first()
    same_center(actor, exam, _("考试"))
    assert exam is not None
    now = clock.now()
    _close_stale(exam, actor.pk, now)
    running = ExamAttempt.objects.filter(
        exam=exam, officer_id=actor.pk, status=AttemptStatus.OPEN
    ).first()
    if running is not None:
        return running
    pool = _question_pool(exam)
    if len(pool) < exam.question_count:
        raise DomainError(
            _("题库中只有 %(have)d 道题，不够组成 %(need)d 题的试卷。")
            % {"have": len(pool), "need": exam.question_count},
            code=StandardsError.NOT_ENOUGH_QUESTIONS,
        )
    paper = secrets.SystemRandom().sample(pool, exam.question_count)
    try:
        with transaction.atomic():
            return ExamAttempt.objects.create(
                center_id=center_id,
                exam=exam,
                officer_id=actor.pk,
                question_ids=paper,
                started_at=now,
                deadline_at=now + timedelta(minutes=exam.time_limit_minutes),
            )
    except IntegrityError:  # a double click: the other request started it
        return ExamAttempt.objects.get(exam=exam, officer_id=actor.pk, status=AttemptStatus.OPEN)


# --- drills (练习): a random paper from a course's questions, graded with the explanations ------

DRILL_SIZE = 5


@dataclass(frozen=True)
class DrillRow:
    question: Question
    given: list[str]
    right: bool


@dataclass(frozen=True)
class DrillResult:
    score: int
    rows: list[DrillRow]


def _drill_course(actor: StaffActor, course_id: int) -> Course:
    center_id = require(actor, Perm.TRAINING_TAKE)
    course = Course.objects.select_related("item").filter(pk=course_id, center_id=center_id)
    found = course.first()
    if found is None:
        raise not_found(_("课程"))
    return found


def _drill_pool(course: Course) -> Any:
    """The course's questions: its item's and the general ones of the item's category, or its
    category's (the same pool an exam of that scope draws from)."""
    qs = Question.objects.filter(center_id=course.center_id, is_active=True)
    if course.item is not None:
        return qs.filter(category=course.item.category).filter(
            Q(item_id=course.item_id) | Q(item__isnull=True)
        )
    return qs.filter(category=course.category)


def drill_paper(*, actor: StaffActor, course_id: int, size: int = DRILL_SIZE) -> list[Question]:
    """练习: a random paper from the course's questions; no time limit, nothing recorded."""
    course = _drill_course(actor, course_id)
    pool = sorted(set(_drill_pool(course).values_list("pk", flat=True)))
    if not pool:
        raise DomainError(
            _("本课程的题库还没有试题，暂不能练习。"), code=StandardsError.NOT_ENOUGH_QUESTIONS
        )
    picked = secrets.SystemRandom().sample(pool, min(size, len(pool)))
    by_pk = Question.objects.in_bulk(picked)
    return [by_pk[pk] for pk in picked]


def drill_check(*, actor: StaffActor, course_id: int, answers: dict[str, list[str]]) -> DrillResult:
    """Grade a drill paper: each question right or wrong, with its answer and 解析. Questions
    outside the course's pool (or another center's) are ignored; nothing is recorded."""
    course = _drill_course(actor, course_id)
    ids = [int(key) for key in list(answers)[:50] if key.isdigit() and len(key) < 10]
    questions = sorted(_drill_pool(course).filter(pk__in=ids), key=lambda q: ids.index(q.pk))
    if not questions:
        raise DomainError(_("没有收到本课程练习题的答案。"), code=StandardsError.INVALID)
    rows = []
    for question in questions:
        given = [str(letter)[:1].upper() for letter in answers.get(str(question.pk), [])][:6]
        right = pipeline.grade(kind=question.kind, given=given, answer=question.answer)
        rows.append(DrillRow(question=question, given=given, right=right))
    score = sum(1 for row in rows if row.right) * 100 // len(rows)
    return DrillResult(score=score, rows=rows)


def _certificate_number(center_code: str, on: date, attempt_or_seq: int, item_code: str) -> str:
    return f"{center_code}-{on:%Y}-{attempt_or_seq:05d}-{item_code}"


def _certify(
    *,
    officer: Any,
    items: Iterable[Any],
    source: CertificateSource,
    actor: StaffActor | None,
    attempt: ExamAttempt | None = None,
    reason: str = "",
    years: int | None = None,
) -> list[Certificate]:
    today = clock.today()
    settings = training_settings(officer.center_id)
    span = years or settings.certificate_years
    try:
        expires = today.replace(year=today.year + span)
    except ValueError:  # 29 February
        expires = today.replace(year=today.year + span, day=28)
    made = []
    seq = attempt.pk if attempt is not None else Certificate.objects.count() + 1
    for item in items:
        Certificate.objects.filter(officer=officer, item=item, revoked_on__isnull=True).update(
            revoked_on=today
        )
        certificate = Certificate.objects.create(
            center_id=officer.center_id,
            number=_certificate_number(officer.center.code, today, seq, item.code),
            officer=officer,
            item=item,
            source=source,
            attempt=attempt,
            reason=reason,
            granted_by=actor,  # type: ignore[misc]
            issued_on=today,
            expires_on=expires,
        )
        authorization_grant(actor=actor, staff=officer, item=item)
        made.append(certificate)
    audit_record(
        actor=actor,
        action=AuditAction.CERTIFICATE_GRANTED,
        target=officer,
        center_id=officer.center_id,
        after={
            "items": [c.item.code for c in made],
            "source": source,
            "reason": reason,
            "expires_on": expires.isoformat(),
        },
    )
    return made


@transaction.atomic
def attempt_submit(
    *, actor: StaffActor, attempt_id: int, answers: dict[str, list[str]]
) -> ExamAttempt:
    """Hand in the paper. After the time limit the answer is refused and nothing changes."""
    require(actor, Perm.TRAINING_TAKE)
    attempt = (
        ExamAttempt.objects.select_for_update()
        .select_related("exam")
        .filter(pk=attempt_id, officer_id=actor.pk)
        .first()
    )
    same_center(actor, attempt, _("考试记录"))
    assert attempt is not None
    if attempt.status != AttemptStatus.OPEN:
        raise DomainError(_("这份试卷已经交过了。"), code=StandardsError.ATTEMPT_CLOSED, status=409)
    now = clock.now()
    if now > attempt.deadline_at:
        raise DomainError(
            _("已超过考试时限（%(m)d 分钟），答卷不予接收。")
            % {"m": attempt.exam.time_limit_minutes},
            code=StandardsError.TIME_LIMIT_PASSED,
        )
    paper = {str(qid) for qid in attempt.question_ids}
    clean = {
        qid: [str(letter)[:1].upper() for letter in letters][:6]
        for qid, letters in answers.items()
        if qid in paper and isinstance(letters, list)
    }
    questions = {
        q.pk: (q.kind, q.answer) for q in Question.objects.filter(pk__in=attempt.question_ids)
    }
    attempt.answers = clean
    attempt.score = pipeline.score_of(questions=questions, answers=clean)
    attempt.submitted_at = now
    passed = attempt.score >= attempt.exam.pass_mark
    attempt.status = AttemptStatus.PASSED if passed else AttemptStatus.FAILED
    attempt.save(update_fields=["answers", "score", "submitted_at", "status", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.EXAM_SUBMITTED,
        target=attempt,
        after={"exam": attempt.exam.name, "score": attempt.score, "passed": passed},
    )
    if passed:
        officer = staff_of_center(center_id=attempt.center_id).get(pk=actor.pk)
        _certify(
            officer=officer,
            items=exam_items(attempt.exam),
            source=CertificateSource.EXAM,
            actor=None,  # the rule grants, not a person: the exam's pass mark was met
            attempt=attempt,
        )
    return attempt


@transaction.atomic
def certificate_grant_manual(
    *, actor: StaffActor, officer_id: int, item_codes: list[str], reason: str
) -> list[Certificate]:
    """The director grants by hand, with a reason (audited with the certificate)."""
    require(actor, Perm.TRAINING_MANAGE)
    if not reason.strip():
        raise DomainError(_("手工授权必须填写理由。"), code=StandardsError.REASON_REQUIRED)
    officer = staff_list(user=actor).filter(pk=officer_id).first()
    if officer is None:
        raise not_found(_("民警"))
    wanted = {code.strip().upper() for code in item_codes if code.strip()}
    items = [item for item in item_list() if item.code in wanted]
    if not items or len(items) != len(wanted):
        raise DomainError(_("请选择要授权的事项。"), code=StandardsError.INVALID)
    return _certify(
        officer=officer,
        items=items,
        source=CertificateSource.MANUAL,
        actor=actor,
        reason=reason.strip()[:200],
    )


@transaction.atomic
def certificates_expire(*, today: date | None = None) -> dict[str, int]:
    """Daily: notice 30 days before (in-app), removal of the 交叉授权 on the expiry day."""
    day = today or clock.today()
    expired = 0
    for certificate in (
        Certificate.objects.select_for_update()
        .select_related("officer", "item")
        .filter(revoked_on__isnull=True, expires_on__lte=day)
    ):
        certificate.revoked_on = day
        certificate.save(update_fields=["revoked_on", "updated_at"])
        authorization_revoke(actor=None, staff=certificate.officer, item=certificate.item)
        audit_record(
            actor=None,
            action=AuditAction.CERTIFICATE_EXPIRED,
            target=certificate,
            center_id=certificate.center_id,
            after={"item": certificate.item.code, "officer": certificate.officer.username},
        )
        expired += 1
    noticed = 0
    for certificate in Certificate.objects.filter(
        revoked_on__isnull=True, notice_sent_on__isnull=True, expires_on__gt=day
    ).select_related("center"):
        settings = training_settings(certificate.center_id)
        if certificate.expires_on <= day + timedelta(days=settings.expiry_notice_days):
            certificate.notice_sent_on = day
            certificate.save(update_fields=["notice_sent_on", "updated_at"])
            noticed += 1
    return {"expired": expired, "noticed": noticed}
