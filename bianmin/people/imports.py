"""Excel import of persons: every row checked first, then all rows written in one transaction
or none at all. Progress is visible while rows are checked (the slow part)."""

import io
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from bianmin.audit.enums import AuditAction
from bianmin.audit.services import audit_record
from bianmin.core.errors import DomainError, PermissionDenied
from bianmin.core.permissions import Perm, has_perm
from bianmin.people.enums import Gender, ImportStatus
from bianmin.people.models import PersonImport
from bianmin.people.services import PersonError, PersonInput, person_upsert, person_validate

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
PROGRESS_EVERY = 200


def person_import_start(*, actor: Any, filename: str, content: bytes) -> PersonImport:
    if not has_perm(actor, Perm.PERSON_IMPORT):
        raise PermissionDenied(_("您没有批量导入人口信息的权限"))
    if not filename.lower().endswith(".xlsx"):
        raise DomainError(_("请上传 Excel 文件（.xlsx）"), code="not_xlsx")
    job = PersonImport.objects.create(
        center=actor.center, uploaded_by=actor, filename=filename[:200], content=content
    )
    from bianmin.people.tasks import person_import_run_task

    transaction.on_commit(lambda: person_import_run_task(job.pk))
    return job


def _read_rows(content: bytes) -> list[tuple[int, dict[str, str]]]:
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a broken file
        raise DomainError(
            _("文件无法读取，请确认是有效的 Excel（.xlsx）文件"), code="unreadable"
        ) from exc
    sheet = book.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = next(rows, None)
    if not header:
        raise DomainError(_("文件是空的"), code="empty")
    names = [str(h).strip() if h is not None else "" for h in header]
    missing = [title for title, key in COLUMNS.items() if key in REQUIRED and title not in names]
    if missing:
        raise DomainError(_("第1行缺少列：%s") % "、".join(missing), code="missing_columns")
    index = {COLUMNS[title]: i for i, title in enumerate(names) if title in COLUMNS}
    out = []
    for number, row in enumerate(rows, start=2):
        if row is None or all(v in (None, "") for v in row):
            continue
        out.append(
            (
                number,
                {
                    key: "" if i >= len(row) or row[i] is None else str(row[i]).strip()
                    for key, i in index.items()
                },
            )
        )
        if len(out) > MAX_ROWS:
            raise DomainError(_("一次最多导入 %d 行") % MAX_ROWS, code="too_many_rows")
    return out


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
                raise PersonError(_("与第 %d 行的身份证号码重复") % seen[data.id_number])
            seen[data.id_number] = number
            valid.append(data)
        except PersonError as exc:
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
                actor=job.uploaded_by, data=data, center=job.center
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
