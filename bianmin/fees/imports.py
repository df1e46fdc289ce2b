"""A school's class list (Excel) → persons (upserted) and batch appointments for a campaign.

Every row is checked first; then all rows are written in one transaction, or none at all. The
rejected file is kept as a record with its per-row errors (no personal data in them).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from bianmin.audit.enums import AuditAction
from bianmin.audit.services import audit_record
from bianmin.core import clock
from bianmin.core.actors import StaffActor
from bianmin.core.errors import DomainError, NotFound, PermissionDenied
from bianmin.core.permissions import Perm, has_perm
from bianmin.core.spreadsheets import Limits, RowError, SpreadsheetError, read_table, text_cell
from bianmin.fees.errors import FeeError
from bianmin.fees.models import Campaign, CampaignAppointment, ClassList
from bianmin.people.idnumber import age_on
from bianmin.people.services import PersonError, PersonInput, person_upsert, person_validate

COLUMNS = {
    "姓名": "name",
    "公民身份号码": "id_number",
    "性别": "gender",
    "学校": "school",
    "班级": "class_name",
    "手机号码": "phone",
}
REQUIRED = ("name", "id_number", "gender", "school", "class_name")
GENDER_WORDS = {"男": "male", "女": "female", "male": "male", "female": "female"}
MAX_ROWS = 2000
LIMITS = Limits(max_rows=MAX_ROWS, max_columns=30, max_cell_chars=200)


_RowError = RowError


class _Rollback(Exception):
    pass


def _cell(value: Any, key: str) -> str:
    if key == "id_number" and isinstance(value, int | float) and not isinstance(value, bool):
        raise _RowError(_("公民身份号码须设为文本格式（数字格式会丢失末尾数字）"))
    return text_cell(value, key)


def _read(content: bytes) -> list[tuple[int, dict[str, str] | str]]:
    """(row number, values) per non-empty row, or (row number, error) for an unreadable row."""
    out = read_table(
        content,
        filename="class-list.xlsx",
        columns=COLUMNS,
        required=REQUIRED,
        limits=LIMITS,
        cell=_cell,
        too_many_rows=_("一份名单最多 %d 行") % MAX_ROWS,
    )
    if not out:
        raise DomainError(_("名单中没有学生"), code=SpreadsheetError.EMPTY)
    return out


def _check_row(row: dict[str, str], campaign: Campaign, on: date) -> tuple[PersonInput, str, str]:
    gender = GENDER_WORDS.get(row.get("gender", ""), row.get("gender", ""))
    data = person_validate(
        PersonInput(
            name=row.get("name", ""),
            id_number=row.get("id_number", ""),
            gender=gender,
            phone=row.get("phone", ""),
        )
    )
    school, class_name = row.get("school", ""), row.get("class_name", "")
    if not school or len(school) > 60:
        raise _RowError(_("请填写学校（不超过60字）"))
    if not class_name or len(class_name) > 30:
        raise _RowError(_("请填写班级（不超过30字）"))
    age = age_on(data.id_number, on)
    low, high = campaign.min_age, campaign.max_age
    if (low is not None and age < low) or (high is not None and age > high):
        raise _RowError(
            _("预约日年龄%(age)d周岁，不在活动的%(low)s至%(high)s周岁范围内")
            % {
                "age": age,
                "low": low if low is not None else 0,
                "high": high if high is not None else "—",
            }
        )
    return data, school, class_name


def class_list_import(
    *, actor: StaffActor, campaign: Campaign, filename: str, content: bytes, appointment_date: date
) -> ClassList:
    """Import a class list as batch appointments; a file with any bad row imports nothing."""
    if not has_perm(actor, Perm.PERSON_EDIT):
        raise PermissionDenied(_("导入学生名单需要维护人口信息的权限（窗口民警或值班长）"))
    if campaign.center_id != actor.center_id:
        raise NotFound(_("没有找到这个活动"), code=FeeError.UNKNOWN_CAMPAIGN)
    if campaign.is_cancelled:
        raise DomainError(_("活动已取消，不能再预约"), code=FeeError.CAMPAIGN_CANCELLED)
    if not filename.lower().endswith(".xlsx"):
        raise DomainError(_("请上传 Excel 文件（.xlsx）"), code=FeeError.NOT_XLSX)
    if not campaign.starts_on <= appointment_date <= campaign.ends_on:
        raise DomainError(
            _("预约日期须在活动期间内（%(start)s至%(end)s）")
            % {"start": campaign.starts_on, "end": campaign.ends_on},
            code=FeeError.DATE_OUTSIDE_CAMPAIGN,
        )
    if appointment_date < clock.today():
        raise DomainError(_("预约日期不能早于今天"), code=FeeError.DATE_IN_PAST)
    rows = _read(content)
    errors: list[dict[str, Any]] = []
    valid: list[tuple[int, PersonInput, str, str]] = []
    seen: dict[str, int] = {}
    for number, row in rows:
        try:
            if isinstance(row, str):
                raise _RowError(row)
            data, school, class_name = _check_row(row, campaign, appointment_date)
            if data.id_number in seen:
                raise _RowError(_("与第 %d 行的身份证号码重复") % seen[data.id_number])
            seen[data.id_number] = number
            valid.append((number, data, school, class_name))
        except (_RowError, PersonError) as exc:
            errors.append({"row": number, "message": exc.message})
    record: dict[str, Any] = {
        "campaign": campaign,
        "uploaded_by": actor,
        "filename": filename[:200],
        "appointment_date": appointment_date,
        "rows_total": len(rows),
    }
    if errors:
        return ClassList.objects.create(**record, is_rejected=True, errors=errors)
    try:
        with transaction.atomic():
            class_list = ClassList.objects.create(**record)
            for number, data, school, class_name in valid:
                person, _created = person_upsert(actor=actor, data=data, center=campaign.center)
                booked = CampaignAppointment.objects.filter(
                    campaign=campaign, person=person
                ).first()
                if booked is not None:
                    errors.append(
                        {
                            "row": number,
                            "message": _("该学生已预约本活动（%(day)s，%(school)s%(class)s）")
                            % {
                                "day": booked.appointment_date,
                                "school": booked.school,
                                "class": booked.class_name,
                            },
                        }
                    )
                    continue
                CampaignAppointment.objects.create(
                    campaign=campaign,
                    class_list=class_list,
                    person=person,
                    school=school,
                    class_name=class_name,
                    appointment_date=appointment_date,
                )
            if errors:
                raise _Rollback
            class_list.appointments_created = len(valid)
            class_list.save(update_fields=["appointments_created", "updated_at"])
            audit_record(
                actor=actor,
                action=AuditAction.CLASS_LIST_IMPORTED,
                target=class_list,
                after={
                    "campaign": campaign.pk,
                    "rows": len(rows),
                    "appointments": len(valid),
                    "date": appointment_date.isoformat(),
                },
            )
    except _Rollback:
        return ClassList.objects.create(**record, is_rejected=True, errors=errors)
    return class_list
