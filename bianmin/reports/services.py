"""Writes of the reports context: generating (and keeping) the morning briefing, and the
audited export of any report."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from bianmin.accounts.selectors import center_ids_active, center_name
from bianmin.audit.enums import AuditAction
from bianmin.audit.services import audit_record
from bianmin.core import clock
from bianmin.core.actors import StaffActor, home_center_id
from bianmin.core.errors import DomainError
from bianmin.core.permissions import Perm, has_perm
from bianmin.core.workdays import WorkdayCalendar, is_workday
from bianmin.reports.errors import ReportError
from bianmin.reports.models import Briefing
from bianmin.reports.periods import Span, briefing_span
from bianmin.reports.render import report_pdf, report_xlsx
from bianmin.reports.selectors import Report, briefing_get, report_build


def _center_name(center_id: int) -> str:
    return center_name(center_id=center_id)


def require_report_view(actor: StaffActor) -> int:
    """The actor's center, when the actor may read reports (shift leader, director, inspector)."""
    if not has_perm(actor, Perm.REPORT_VIEW):
        raise DomainError(_("无权查看报表。"), code=ReportError.PERMISSION_DENIED, status=403)
    return home_center_id(actor)


def report_for(*, actor: StaffActor, span: Span) -> Report:
    center_id = require_report_view(actor)
    return report_build(center_id=center_id, center_name=_center_name(center_id), span=span)


def report_export_record(*, actor: StaffActor, report: Report, fmt: str) -> None:
    """Audit one export of a report file (who took which figures out of the system)."""
    audit_record(
        actor=actor,
        action=AuditAction.REPORT_EXPORTED,
        target_type="reports.report",
        target_id=f"{report.span.kind}:{report.span.start}:{report.span.end}",
        center_id=report.center_id,
        after={"format": fmt},
    )


def headlines_export_record(*, actor: StaffActor) -> None:
    audit_record(
        actor=actor,
        action=AuditAction.REPORT_EXPORTED,
        target_type="reports.headlines",
        target_id=clock.today().isoformat(),
        center_id=require_report_view(actor),
        after={"format": "xlsx"},
    )


def _briefing_create(
    *, center_id: int, day: date, actor: StaffActor | None, is_scheduled: bool
) -> Briefing:
    calendar = WorkdayCalendar(day - timedelta(days=45), day)
    span = briefing_span(day, is_workday=calendar.is_workday)
    report = report_build(center_id=center_id, center_name=_center_name(center_id), span=span)
    data = report.as_dict()
    pdf, xlsx = report_pdf(data), report_xlsx(data)
    with transaction.atomic():
        # Versions are numbered per center and day; the row lock on the newest keeps two
        # simultaneous regenerations from taking the same number (the unique constraint is
        # the last word).
        versions = list(
            Briefing.objects.select_for_update()
            .filter(center_id=center_id, day=day)
            .values_list("version", flat=True)
        )
        briefing = Briefing.objects.create(
            center_id=center_id,
            day=day,
            version=max(versions, default=0) + 1,
            start=span.start,
            end=span.end,
            previous_start=span.previous_start,
            previous_end=span.previous_end,
            data=data,
            pdf=pdf,
            xlsx=xlsx,
            is_scheduled=is_scheduled,
            generated_by_id=getattr(actor, "pk", None),
        )
        audit_record(
            actor=actor,
            action=AuditAction.BRIEFING_GENERATED,
            target=briefing,
            center_id=center_id,
            after={"day": day.isoformat(), "version": briefing.version},
        )
    return briefing


def require_briefing_view(actor: StaffActor) -> int:
    """The actor's center, when the actor may read the morning briefing."""
    if not has_perm(actor, Perm.BRIEFING_VIEW):
        raise DomainError(
            _("只有值班长和中心主任可以查看晨会通报。"),
            code=ReportError.PERMISSION_DENIED,
            status=403,
        )
    return home_center_id(actor)


def _check_briefing_day(day: date) -> None:
    if day > clock.today():
        raise DomainError(_("不能生成未来日期的晨会通报。"), code=ReportError.BAD_DATE)
    if not is_workday(day):
        raise DomainError(
            _("%(day)s 不是工作日，没有晨会通报（通报在工作日早上生成，含此前的休息日）。")
            % {"day": day.isoformat()},
            code=ReportError.NOT_A_WORKDAY,
        )


def briefing_ensure(*, actor: StaffActor, day: date) -> Briefing:
    """The kept briefing of `day` (newest version); generated once when none is kept yet."""
    center_id = require_briefing_view(actor)
    _check_briefing_day(day)
    kept = briefing_get(center_id=center_id, day=day)
    if kept is not None:
        return kept
    try:
        return _briefing_create(center_id=center_id, day=day, actor=actor, is_scheduled=False)
    except IntegrityError:  # a simultaneous request generated it first: that one is kept
        kept = briefing_get(center_id=center_id, day=day)
        if kept is None:
            raise
        return kept


def briefing_generate(*, actor: StaffActor, day: date | None = None) -> Briefing:
    """A new version of the actor's center's briefing for `day` (default today); the kept
    versions stay as they were."""
    center_id = require_briefing_view(actor)
    day = day or clock.today()
    _check_briefing_day(day)
    for _attempt in range(3):
        try:
            return _briefing_create(center_id=center_id, day=day, actor=actor, is_scheduled=False)
        except IntegrityError:  # a simultaneous generation took this version number: next one
            continue
    raise DomainError(_("通报正在生成，请稍后再试。"), code=ReportError.BAD_DATE, status=409)


def briefing_generate_scheduled(*, center_id: int, day: date) -> Briefing | None:
    """The 07:30 briefing of one center: once per working day, whatever the retries.

    Returns the new briefing, or None when the day is not a working day or the scheduled
    briefing of that day exists already (the partial unique constraint settles races).
    """
    if not is_workday(day):
        return None
    if Briefing.objects.filter(center_id=center_id, day=day, is_scheduled=True).exists():
        return None
    try:
        return _briefing_create(center_id=center_id, day=day, actor=None, is_scheduled=True)
    except IntegrityError:
        if Briefing.objects.filter(center_id=center_id, day=day, is_scheduled=True).exists():
            return None
        raise


def briefings_generate_due(*, day: date | None = None) -> list[Briefing]:
    """Every active center's scheduled briefing for `day` (default today)."""
    day = day or clock.today()
    made = [briefing_generate_scheduled(center_id=cid, day=day) for cid in center_ids_active()]
    return [b for b in made if b is not None]
