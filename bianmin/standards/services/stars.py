"""三颗星评比: rules the director edits (versioned), the monthly computation with explanations,
objections within 5 working days, recomputation that keeps history, the annual roll-up.

群众满意星 needs ratings and complaints, which live in the ratings context above this one. The
interface is here: ratings registers a source in its ``apps.ready()``. Without one the star is
not awarded and its explanation says the data is not connected.
"""

import io
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from bianmin.accounts.selectors import center_hours, staff_list, staff_of_center
from bianmin.audit.enums import AuditAction
from bianmin.audit.services import audit_record
from bianmin.cases.selectors import officer_case_facts
from bianmin.core import clock
from bianmin.core.actors import StaffActor
from bianmin.core.errors import DomainError
from bianmin.core.permissions import Perm, Role
from bianmin.core.workdays import add_workdays
from bianmin.hall.selectors import officer_attendance
from bianmin.standards import scoring
from bianmin.standards.enums import AttemptStatus, ObjectionStatus
from bianmin.standards.errors import StandardsError
from bianmin.standards.models import (
    Absence,
    Certificate,
    ExamAttempt,
    StarObjection,
    StarResult,
    StarRule,
)
from bianmin.standards.scoring import SatisfactionFacts
from bianmin.standards.selectors import duty_starts, stars_annual, stars_for_month
from bianmin.standards.services.common import not_found, require

SatisfactionSource = Callable[[int, int, date], SatisfactionFacts]
_satisfaction_sources: list[SatisfactionSource] = []

STAR_ROLES = (Role.OFFICER, Role.SHIFT_LEADER)
STARS = {"skill": "业务技能星", "discipline": "劳动纪律星", "satisfaction": "群众满意星"}
OBJECTION_WORKDAYS = 5

RULE_FIELDS = (
    "weight_exam",
    "weight_volume",
    "weight_accuracy",
    "weight_timeliness",
    "cases_target",
    "skill_threshold",
    "mismatches_max",
    "late_grace_minutes",
    "late_days_max",
    "pause_allowance_minutes",
    "pause_days_max",
    "absences_max",
    "satisfaction_min_percent",
    "bad_max",
    "complaints_max",
    "min_rated",
)


def satisfaction_source_register(source: SatisfactionSource) -> None:
    """The ratings context registers `source(center_id, officer_id, first day of month)`."""
    _satisfaction_sources[:] = [source]


def satisfaction_source_clear() -> None:
    _satisfaction_sources.clear()


def satisfaction_source() -> SatisfactionSource | None:
    return _satisfaction_sources[0] if _satisfaction_sources else None


def month_start(value: date) -> date:
    return value.replace(day=1)


def month_end(first: date) -> date:
    """The first day of the next month."""
    return (first + timedelta(days=32)).replace(day=1)


def parse_month(text: str) -> date:
    try:
        return datetime.strptime(text.strip(), "%Y-%m").date()  # noqa: DTZ007 - a month, no time
    except ValueError:
        raise DomainError(_("月份格式应为 YYYY-MM。"), code=StandardsError.INVALID) from None


# --- rules -------------------------------------------------------------------------------------


def star_rule_current(*, center_id: int) -> StarRule:
    """The rule in force: the latest version (version 1 with the defaults when none exists)."""
    rule = StarRule.objects.filter(center_id=center_id).order_by("-version").first()
    if rule is None:
        rule = StarRule.objects.create(center_id=center_id, version=1, note="默认规则")
    return rule


def _label(name: str) -> str:
    return str(getattr(StarRule._meta.get_field(name), "verbose_name", name))


def _rule_values(values: dict[str, Any], base: StarRule) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in RULE_FIELDS:
        raw = values.get(name, getattr(base, name))
        try:
            number = Decimal(str(raw).strip())
        except (InvalidOperation, ValueError):
            raise DomainError(
                _("“%s”必须是数字。") % _label(name),
                code=StandardsError.INVALID,
            ) from None
        if number < 0 or number > 1000:
            raise DomainError(
                _("“%s”应在 0–1000 之间。") % _label(name),
                code=StandardsError.INVALID,
            )
        out[name] = number if name == "satisfaction_min_percent" else int(number)
    return out


@transaction.atomic
def star_rule_save(*, actor: StaffActor, values: dict[str, Any], note: str = "") -> StarRule:
    """A new version of the rules. The four skill weights must add up to 100."""
    center_id = require(actor, Perm.STARS_MANAGE)
    current = StarRule.objects.select_for_update().filter(center_id=center_id).order_by("-version")
    base = current.first() or star_rule_current(center_id=center_id)
    clean = _rule_values(values, base)
    total = (
        clean["weight_exam"]
        + clean["weight_volume"]
        + clean["weight_accuracy"]
        + clean["weight_timeliness"]
    )
    if total != 100:
        raise DomainError(
            _("业务技能星四项权重之和必须为 100，现在是 %d。") % total,
            code=StandardsError.WEIGHTS_NOT_100,
        )
    if clean["satisfaction_min_percent"] > 100 or clean["skill_threshold"] > 100:
        raise DomainError(_("满意率下限和分数线不能超过 100。"), code=StandardsError.INVALID)
    rule = StarRule.objects.create(
        center_id=center_id,
        version=base.version + 1,
        note=note.strip()[:200],
        created_by=actor,  # type: ignore[misc]
        **clean,
    )
    audit_record(
        actor=actor,
        action=AuditAction.STAR_RULE_CHANGED,
        target=rule,
        before={"version": base.version},
        after={"version": rule.version, **{k: str(v) for k, v in clean.items()}},
    )
    return rule


def rule_of(row: StarRule) -> scoring.Rule:
    values = {name: getattr(row, name) for name in RULE_FIELDS}
    values["satisfaction_min_percent"] = Decimal(str(values["satisfaction_min_percent"]))
    return scoring.Rule(**values)


# --- facts -------------------------------------------------------------------------------------


def skill_facts(*, center_id: int, officer_id: int, first: date) -> scoring.SkillFacts:
    end = month_end(first)
    zone = timezone.get_current_timezone()
    since = datetime.combine(first, time.min, tzinfo=zone)
    until = datetime.combine(end, time.min, tzinfo=zone)
    scores = tuple(
        ExamAttempt.objects.filter(
            center_id=center_id,
            officer_id=officer_id,
            status__in=[AttemptStatus.PASSED, AttemptStatus.FAILED],
            submitted_at__gte=since,
            submitted_at__lt=until,
        )
        .order_by("submitted_at")
        .values_list("score", flat=True)
    )
    holds = (
        Certificate.objects.filter(
            center_id=center_id, officer_id=officer_id, issued_on__lt=end, expires_on__gte=end
        )
        .filter(Q(revoked_on__isnull=True) | Q(revoked_on__gte=end))
        .exists()
    )
    cases = officer_case_facts(center_id=center_id, officer_id=officer_id, start=first, end=end)
    return scoring.SkillFacts(
        exam_scores=tuple(int(s) for s in scores if s is not None),
        holds_certificate=holds,
        handled=cases.handled,
        corrections=cases.corrections,
        sent_back=cases.sent_back,
        overdue=cases.overdue,
        mismatches=cases.mismatches,
    )


def discipline_facts(
    *, center_id: int, officer_id: int, first: date, rule: scoring.Rule
) -> scoring.DisciplineFacts:
    end = month_end(first)
    late: list[str] = []
    pauses: list[str] = []
    late_by_roster = 0
    days = officer_attendance(center_id=center_id, officer_id=officer_id, start=first, end=end)
    # A day with a duty shift: late against the first shift's start; without: the opening hours.
    shifts = duty_starts(center_id=center_id, officer_id=officer_id, start=first, end=end)
    for day in days:
        begins = shifts.get(day.day)
        if begins is None:
            hours = center_hours(center_id=center_id, day=day.day)
            begins = hours.opens_at if hours is not None else None
        if begins is not None:
            expected = datetime.combine(day.day, begins, tzinfo=day.first_sign_in.tzinfo)
            if day.first_sign_in > expected + timedelta(minutes=rule.late_grace_minutes):
                late.append(f"{day.day:%m-%d} {day.first_sign_in:%H:%M}")
                late_by_roster += day.day in shifts
        minutes = day.paused_seconds // 60
        if minutes > rule.pause_allowance_minutes:
            pauses.append(f"{day.day:%m-%d} {minutes} 分钟")
    absences = Absence.objects.filter(
        center_id=center_id, officer_id=officer_id, day__gte=first, day__lt=end
    )
    return scoring.DisciplineFacts(
        days_signed_in=len(days),
        late_days=tuple(late),
        late_by_roster=late_by_roster,
        pause_excess_days=tuple(pauses),
        absences_unexcused=absences.filter(is_excused=False).count(),
        absences_excused=absences.filter(is_excused=True).count(),
    )


def _facts_dict(facts: Any) -> dict[str, Any] | None:
    if facts is None:
        return None
    return {
        key: list(value) if isinstance(value, tuple) else value
        for key, value in facts.__dict__.items()
    }


# --- computation -------------------------------------------------------------------------------


def _compute_one(
    *, center_id: int, officer: Any, first: date, rule_row: StarRule
) -> dict[str, Any]:
    rule = rule_of(rule_row)
    skill = skill_facts(center_id=center_id, officer_id=officer.pk, first=first)
    discipline = discipline_facts(
        center_id=center_id, officer_id=officer.pk, first=first, rule=rule
    )
    source = satisfaction_source()
    satisfaction = source(center_id, officer.pk, first) if source is not None else None
    stars = {
        "skill": scoring.skill_star(skill, rule),
        "discipline": scoring.discipline_star(discipline, rule),
        "satisfaction": scoring.satisfaction_star(satisfaction, rule),
    }
    return {
        "skill": stars["skill"].awarded,
        "discipline": stars["discipline"].awarded,
        "satisfaction": stars["satisfaction"].awarded,
        "skill_score": stars["skill"].score or Decimal(0),
        "explanations": {name: star.explanation for name, star in stars.items()},
        "facts": {
            "skill": _facts_dict(skill),
            "discipline": _facts_dict(discipline),
            "satisfaction": _facts_dict(satisfaction),
        },
    }


def _store(
    *,
    center_id: int,
    officer: Any,
    first: date,
    rule_row: StarRule,
    actor: StaffActor | None,
    reason: str,
) -> StarResult:
    values = _compute_one(center_id=center_id, officer=officer, first=first, rule_row=rule_row)
    previous = (
        StarResult.objects.select_for_update()
        .filter(officer=officer, month=first)
        .order_by("-revision")
        .first()
    )
    if previous is not None:
        StarResult.objects.filter(officer=officer, month=first, is_current=True).update(
            is_current=False
        )
    return StarResult.objects.create(
        center_id=center_id,
        officer=officer,
        month=first,
        revision=(previous.revision + 1) if previous else 1,
        rule=rule_row,
        computed_by=actor,  # type: ignore[misc]
        reason=reason,
        **values,
    )


@transaction.atomic
def stars_compute(
    *, actor: StaffActor | None, center_id: int | None = None, month: date, reason: str = ""
) -> list[StarResult]:
    """Compute (or recompute, keeping history) every window officer's stars for `month`.

    `actor` None is the monthly task; a person must hold STARS_MANAGE."""
    if actor is not None:
        center_id = require(actor, Perm.STARS_MANAGE)
    if center_id is None:
        raise DomainError(_("请指定中心。"), code=StandardsError.INVALID)
    first = month_start(month)
    if first > clock.today():
        raise DomainError(_("不能评定未来的月份。"), code=StandardsError.INVALID)
    rule_row = star_rule_current(center_id=center_id)
    officers = [s for s in staff_of_center(center_id=center_id) if s.role in STAR_ROLES]
    results = [
        _store(
            center_id=center_id,
            officer=officer,
            first=first,
            rule_row=rule_row,
            actor=actor,
            reason=reason.strip()[:200],
        )
        for officer in officers
    ]
    audit_record(
        actor=actor,
        action=AuditAction.STARS_COMPUTED,
        target_type="standards.starresult",
        target_id=f"{first:%Y-%m}",
        center_id=center_id,
        after={"month": f"{first:%Y-%m}", "officers": len(results), "rule": rule_row.version},
    )
    return results


@transaction.atomic
def star_recompute_officer(
    *, actor: StaffActor, officer_id: int, month: date, reason: str
) -> StarResult:
    """Recompute one officer's month (after an upheld objection); the old revision stays."""
    center_id = require(actor, Perm.STARS_MANAGE)
    if not reason.strip():
        raise DomainError(_("重新评定必须说明原因。"), code=StandardsError.REASON_REQUIRED)
    officer = staff_list(user=actor).filter(pk=officer_id).first()
    if officer is None:
        raise not_found(_("民警"))
    first = month_start(month)
    result = _store(
        center_id=center_id,
        officer=officer,
        first=first,
        rule_row=star_rule_current(center_id=center_id),
        actor=actor,
        reason=reason.strip()[:200],
    )
    audit_record(
        actor=actor,
        action=AuditAction.STARS_COMPUTED,
        target=result,
        after={"month": f"{first:%Y-%m}", "officer": officer.username, "reason": reason[:200]},
    )
    return result


# --- objections --------------------------------------------------------------------------------


def objection_deadline(result: StarResult) -> date:
    return add_workdays(clock.local(result.created_at).date(), OBJECTION_WORKDAYS)


@transaction.atomic
def star_objection_file(
    *, actor: StaffActor, result_id: int, star: str, text: str
) -> StarObjection:
    """The officer objects to one of their stars within 5 working days of the computation."""
    require(actor, Perm.STARS_VIEW)
    result = StarResult.objects.filter(pk=result_id, officer_id=actor.pk, is_current=True).first()
    if result is None or result.center_id != actor.center_id:
        raise not_found(_("评定结果"))
    if star not in STARS:
        raise DomainError(_("请选择对哪颗星有异议。"), code=StandardsError.INVALID)
    if not text.strip():
        raise DomainError(_("请写明异议理由。"), code=StandardsError.REASON_REQUIRED)
    deadline = objection_deadline(result)
    if clock.today() > deadline:
        raise DomainError(
            _("异议应在评定后 %(n)d 个工作日内（%(d)s 前）提出。")
            % {"n": OBJECTION_WORKDAYS, "d": deadline.isoformat()},
            code=StandardsError.OBJECTION_TOO_LATE,
        )
    objection = StarObjection.objects.create(
        center_id=result.center_id, result=result, star=star, text=text.strip()[:2000]
    )
    audit_record(
        actor=actor,
        action=AuditAction.STAR_OBJECTION_FILED,
        target=objection,
        after={"month": f"{result.month:%Y-%m}", "star": star},
    )
    return objection


@transaction.atomic
def star_objection_answer(
    *, actor: StaffActor, objection_id: int, upheld: bool, answer: str
) -> StarObjection:
    center_id = require(actor, Perm.STARS_MANAGE)
    objection = (
        StarObjection.objects.select_for_update()
        .select_related("result")
        .filter(pk=objection_id, center_id=center_id)
        .first()
    )
    if objection is None:
        raise not_found(_("异议"))
    if objection.status != ObjectionStatus.OPEN:
        raise DomainError(_("该异议已经答复。"), code=StandardsError.OBJECTION_ANSWERED, status=409)
    if not answer.strip():
        raise DomainError(_("请填写答复内容。"), code=StandardsError.REASON_REQUIRED)
    objection.status = ObjectionStatus.UPHELD if upheld else ObjectionStatus.DISMISSED
    objection.answer = answer.strip()[:2000]
    objection.answered_by = actor  # type: ignore[assignment]
    objection.answered_at = clock.now()
    objection.save(update_fields=["status", "answer", "answered_by", "answered_at", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.STAR_OBJECTION_ANSWERED,
        target=objection,
        after={"status": objection.status},
    )
    return objection


@transaction.atomic
def absence_record(
    *, actor: StaffActor, officer_id: int, day: date, is_excused: bool, note: str = ""
) -> Absence:
    """The shift leader records an absence (劳动纪律星)."""
    center_id = require(actor, Perm.ABSENCE_RECORD)
    officer = staff_list(user=actor).filter(pk=officer_id).first()
    if officer is None:
        raise not_found(_("民警"))
    if day > clock.today():
        raise DomainError(_("不能登记未来日期的缺勤。"), code=StandardsError.INVALID)
    absence, _created = Absence.objects.update_or_create(  # type: ignore[misc]
        officer=officer,
        day=day,
        defaults={
            "center_id": center_id,
            "is_excused": is_excused,
            "note": note.strip()[:200],
            "recorded_by": actor,
        },
    )
    audit_record(
        actor=actor,
        action=AuditAction.ABSENCE_RECORDED,
        target=officer,
        after={"day": day.isoformat(), "excused": is_excused},
    )
    return absence


# --- export ------------------------------------------------------------------------------------


def stars_export_xlsx(*, center_id: int, year: int) -> bytes:
    """The year's roll-up (评先评优) and every month's stars with explanations."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = f"{year}年汇总"
    sheet.append(["民警", "业务技能星", "劳动纪律星", "群众满意星", "合计"])
    for row in stars_annual(center_id=center_id, year=year):
        sheet.append([row.officer, row.skill, row.discipline, row.satisfaction, row.total])
    detail = book.create_sheet("各月明细")
    detail.append(
        [
            "月份",
            "民警",
            "业务技能星",
            "劳动纪律星",
            "群众满意星",
            "业务技能得分",
            "业务技能说明",
            "劳动纪律说明",
            "群众满意说明",
            "规则版本",
            "第几次评定",
        ]
    )
    for month in range(1, 13):
        for result in stars_for_month(center_id=center_id, month=date(year, month, 1)):
            detail.append(
                [
                    f"{result.month:%Y-%m}",
                    str(result.officer),
                    "★" if result.skill else "",
                    "★" if result.discipline else "",
                    "★" if result.satisfaction else "",
                    float(result.skill_score),
                    result.explanations.get("skill", ""),
                    result.explanations.get("discipline", ""),
                    result.explanations.get("satisfaction", ""),
                    result.rule.version,
                    result.revision,
                ]
            )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
