"""Excel import of persons: every row checked first, then all rows written in one transaction
or none at all. Progress is visible while rows are checked (the slow part)."""

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from bianmin.audit.enums import AuditAction
from bianmin.audit.services import audit_record
from bianmin.core.actors import StaffActor
from bianmin.core.errors import DomainError, PermissionDenied
from bianmin.core.permissions import Perm, has_perm
from bianmin.core.spreadsheets import Limits, SpreadsheetError, read_table
from bianmin.people.enums import Gender, ImportStatus
from bianmin.people.errors import PersonErrorCode
from bianmin.people.models import Person, PersonImport
from bianmin.people.services import (
    PersonError,
    PersonInput,
    id_number_index,
    person_check_write,
    person_upsert,
    person_validate,
)

COLUMNS = {
    "姓名": "name",
    "公民身份号码": "id_number",
    "性别": "gender",
    "手机号码": "phone",
    "住址": "address",
}
REQUIRED = ("name", "id_number", "gender")
GENDER_WORDS = {
    "男": Gender.MALE,
    "女": Gender.FEMALE,
    "male": Gender.MALE,
    "female": Gender.FEMALE,
}
MAX_ROWS = 50_000
LIMITS = Limits(max_bytes=20 * 1024 * 1024, max_rows=MAX_ROWS, max_columns=30, max_cell_chars=500)
PROGRESS_EVERY = 200


def person_import_start(*, actor: StaffActor, filename: str, content: bytes) -> PersonImport:
    if not has_perm(actor, Perm.PERSON_IMPORT):
        raise PermissionDenied(_("您没有批量导入人口信息的权限"))
    if not filename.lower().endswith(".xlsx"):
        raise DomainError(_("请上传 Excel 文件（.xlsx）"), code=SpreadsheetError.NOT_SPREADSHEET)
    job = PersonImport.objects.create(
        center=actor.center, uploaded_by_id=actor.pk, filename=filename[:200], content=content
    )
    from bianmin.people.tasks import person_import_run_task

    transaction.on_commit(lambda: person_import_run_task(job.pk))
    return job


def _read_rows(content: bytes) -> list[tuple[int, dict[str, str]]]:
    table = read_table(
        content, filename="import.xlsx", columns=COLUMNS, required=REQUIRED, limits=LIMITS
    )
    return [(number, row) for number, row in table if isinstance(row, dict)]


def person_import_run(*, import_id: int) -> PersonImport:
    """Idempotent: a finished import is left as it is."""
    job = PersonImport.objects.select_related("uploaded_by").get(pk=import_id)
    if job.status in (ImportStatus.DONE, ImportStatus.REJECTED):
        return job
    try:
        rows = _read_rows(job.content or b"")
    except DomainError as exc:
        job.status, job.errors = ImportStatus.REJECTED, [{"row": 1, "message": exc.message}]
        job.save(update_fields=["status", "errors", "updated_at"])
        return job
    job.status, job.rows_total, job.rows_done = ImportStatus.RUNNING, len(rows), 0
    job.save(update_fields=["status", "rows_total", "rows_done", "updated_at"])

    errors: list[dict[str, Any]] = []
    valid: list[PersonInput] = []
    seen: dict[str, int] = {}
    for done, (number, row) in enumerate(rows, start=1):
        try:
            gender = GENDER_WORDS.get(row.get("gender", ""), row.get("gender", ""))
            data = person_validate(
                PersonInput(
                    name=row.get("name", ""),
                    id_number=row.get("id_number", ""),
                    gender=gender,
                    phone=row.get("phone", ""),
                    address=row.get("address", ""),
                )
            )
            if data.id_number in seen:
                raise PersonError(
                    _("与第 %d 行的身份证号码重复") % seen[data.id_number],
                    code=PersonErrorCode.DUPLICATE_ROW,
                )
            seen[data.id_number] = number
            existing = Person.objects.filter(
                id_number_index=id_number_index(data.id_number)
            ).first()
            person_check_write(actor=job.uploaded_by, person=existing, data=data)  # type: ignore[arg-type]
            valid.append(data)
        except DomainError as exc:
            errors.append({"row": number, "message": exc.message})
        if done % PROGRESS_EVERY == 0:
            PersonImport.objects.filter(pk=job.pk).update(rows_done=done // 2)
    if errors:
        job.status, job.errors, job.rows_done = ImportStatus.REJECTED, errors, len(rows)
        job.content = None
        job.save(update_fields=["status", "errors", "rows_done", "content", "updated_at"])
        return job

    with transaction.atomic():
        created = updated = 0
        for data in valid:
            _person, was_created = person_upsert(
                actor=job.uploaded_by,  # type: ignore[arg-type]
                data=data,
                center=job.center,
            )
            created += was_created
            updated += not was_created
        job.status, job.rows_done = ImportStatus.DONE, len(rows)
        job.created_count, job.updated_count, job.content = created, updated, None
        job.save()
        audit_record(
            actor=job.uploaded_by,
            action=AuditAction.PERSON_IMPORTED,
            target=job,
            after={"created": created, "updated": updated, "rows": len(rows)},
        )
    return job
