"""A center's service hours: the ordinary week and single dates, set by its director."""

from dataclasses import asdict, dataclass
from datetime import date, time

from django.db import transaction
from django.utils.translation import gettext as _

from bianmin.accounts.errors import AccountsError
from bianmin.accounts.models import WEEKDAY_LABELS, Center, CenterDayHours, CenterWeekday
from bianmin.audit.enums import AuditAction
from bianmin.audit.services import audit_record
from bianmin.core.actors import StaffActor
from bianmin.core.errors import DomainError, PermissionDenied
from bianmin.core.permissions import Perm, has_perm

from .staff import ensure_same_center


@dataclass(frozen=True)
class HoursInput:
    is_open: bool
    opens_at: time | None = None
    closes_at: time | None = None
    lunch_from: time | None = None
    lunch_to: time | None = None

    def validate(self, where: str) -> "HoursInput":
        """The same input with the times dropped when closed; a Chinese error otherwise."""
        if not self.is_open:
            return HoursInput(is_open=False)

        def fail(message: str) -> DomainError:
            return DomainError(f"{where}：{message}", code=AccountsError.HOURS_INVALID)

        if self.opens_at is None or self.closes_at is None:
            raise fail(_("请填写上班和下班时间"))
        if self.closes_at <= self.opens_at:
            raise fail(_("下班时间应晚于上班时间"))
        if (self.lunch_from is None) != (self.lunch_to is None):
            raise fail(_("午休开始和结束时间须同时填写"))
        if self.lunch_from and self.lunch_to:
            if self.lunch_to <= self.lunch_from:
                raise fail(_("午休结束应晚于午休开始"))
            if not (self.opens_at < self.lunch_from and self.lunch_to < self.closes_at):
                raise fail(_("午休应在上班时间之内"))
        return self


STANDARD_WEEK = {
    **{
        weekday: HoursInput(True, time(8, 30), time(17, 30), time(12, 0), time(13, 30))
        for weekday in range(5)
    },
    5: HoursInput(False),
    6: HoursInput(False),
}


def _require(actor: StaffActor, center: Center) -> None:
    if not has_perm(actor, Perm.HALL_CONFIGURE):
        raise PermissionDenied(_("只有中心主任可以设置服务时间"))
    ensure_same_center(actor=actor, center_id=center.pk)


def _write_week(center: Center, week: dict[int, HoursInput]) -> dict[str, dict]:
    checked = {weekday: hours.validate(WEEKDAY_LABELS[weekday]) for weekday, hours in week.items()}
    for weekday, hours in checked.items():
        CenterWeekday.objects.update_or_create(
            center=center, weekday=weekday, defaults=asdict(hours)
        )
    return {WEEKDAY_LABELS[d]: _plain(h) for d, h in sorted(checked.items())}


def _plain(hours: HoursInput) -> dict[str, str | bool]:
    return {k: (v.strftime("%H:%M") if isinstance(v, time) else v) for k, v in asdict(hours).items() if v is not None}  # fmt: skip


@transaction.atomic
def center_week_set(*, actor: StaffActor, center: Center, week: dict[int, HoursInput]) -> None:
    """Replace the ordinary hours of the given weekdays (0 = Monday)."""
    _require(actor, center)
    before = {
        WEEKDAY_LABELS[row.weekday]: row.is_open for row in CenterWeekday.objects.filter(center=center)
    }  # fmt: skip
    after = _write_week(center, week)
    audit_record(
        actor=actor,
        action=AuditAction.CENTER_HOURS_UPDATED,
        target=center,
        center=center,
        before=before,
        after=after,
    )


@transaction.atomic
def center_week_set_standard(*, center: Center) -> None:
    """Monday to Friday 08:30–12:00 and 13:30–17:30, weekends closed (system set-up)."""
    _write_week(center, STANDARD_WEEK)


@transaction.atomic
def center_day_hours_set(
    *, actor: StaffActor, center: Center, day: date, hours: HoursInput, note: str = ""
) -> CenterDayHours:
    _require(actor, center)
    checked = hours.validate(day.isoformat())
    row, _created = CenterDayHours.objects.update_or_create(
        center=center, day=day, defaults={**asdict(checked), "note": note[:100]}
    )
    audit_record(
        actor=actor,
        action=AuditAction.CENTER_HOURS_UPDATED,
        target=center,
        center=center,
        after={"day": day.isoformat(), **_plain(checked), "note": note[:100]},
    )
    return row


@transaction.atomic
def center_day_hours_delete(*, actor: StaffActor, center: Center, day: date) -> None:
    _require(actor, center)
    deleted, _count = CenterDayHours.objects.filter(center=center, day=day).delete()
    if deleted:
        audit_record(
            actor=actor,
            action=AuditAction.CENTER_HOURS_UPDATED,
            target=center,
            center=center,
            before={"day": day.isoformat()},
        )
