"""Approved, versioned SMS templates: the length check, saving, approving, previews."""

from __future__ import annotations

import logging
import re
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from bianmin.audit.enums import AuditAction
from bianmin.audit.services import audit_record
from bianmin.core import clock
from bianmin.core.actors import StaffActor, is_province_scope
from bianmin.core.errors import Conflict, NotFound, PermissionDenied
from bianmin.core.permissions import Perm, has_perm
from bianmin.notifications import pipeline, wording
from bianmin.notifications.enums import TemplateStatus
from bianmin.notifications.errors import NotificationError
from bianmin.notifications.models import SmsTemplate
from bianmin.notifications.services import common
from bianmin.notifications.services.common import SmsError

logger = logging.getLogger("bianmin.notifications.services")


def template_get_approved(code: str) -> SmsTemplate | None:
    return SmsTemplate.objects.filter(code=code, status=TemplateStatus.APPROVED).first()


PROVINCE_ONLY_MESSAGE = _(
    "短信模板全省统一，各中心的群众收到的都是同一套文字，只有省级账号可以修改和审核；"
    "如需调整，请联系省级管理员。"
)


def may_edit_templates(actor: object) -> bool:
    """The one set of templates serves every center: only a province-scope account holding the
    template permission writes or approves it; a center's director reads it."""
    return has_perm(actor, Perm.SMS_TEMPLATE_EDIT) and is_province_scope(actor)


def _require_template_editor(actor: StaffActor, refused: str) -> None:
    if not has_perm(actor, Perm.SMS_TEMPLATE_EDIT):
        raise PermissionDenied(refused)
    if not is_province_scope(actor):
        raise PermissionDenied(PROVINCE_ONLY_MESSAGE, code=NotificationError.PROVINCE_ONLY)


def template_check(*, body: str, max_segments: int) -> list[str]:
    """Validate a template for every center's signature; returns its variables.

    Raises SmsError with a Chinese explanation (unknown variable, 【】, too long)."""
    try:
        names = pipeline.check_body(body)
    except pipeline.RenderError as exc:
        raise SmsError(str(exc), code=NotificationError.TEMPLATE_INVALID) from exc
    if not 1 <= max_segments <= 3:
        raise SmsError(_("允许条数应为 1～3 条。"), code=NotificationError.TEMPLATE_INVALID)
    for signature in common.signatures_for_check():
        worst = pipeline.worst_case(signature, body.strip())
        if worst.characters > 500 or worst.segments > max_segments:
            raise SmsError(
                _(
                    "模板超长：加上签名【%(sig)s】并按变量最大长度计算共 %(chars)d 字，"
                    "需 %(segs)d 条短信计费，超过允许的 %(max)d 条"
                    "（单条70字，超过后每条67字）。请精简文字。"
                )
                % {
                    "sig": signature,
                    "chars": worst.characters,
                    "segs": worst.segments,
                    "max": max_segments,
                },
                code=NotificationError.TEMPLATE_TOO_LONG,
            )
    return names


def template_save(
    *,
    actor: StaffActor,
    code: str,
    name: str,
    body: str,
    max_segments: int = 1,
    purpose: str = "",
    aliyun_code: str = "",
    tencent_id: str = "",
) -> SmsTemplate:
    """Save a draft version: updates the newest version while it is a draft, otherwise creates
    the next version (approved versions are never changed)."""
    _require_template_editor(actor, _("您没有编辑短信模板的权限。"))
    code = (code or "").strip()
    if not re.fullmatch(r"[a-z][a-z0-9_]{1,39}", code):
        raise SmsError(
            _("模板代码应为小写英文字母、数字和下划线。"), code=NotificationError.TEMPLATE_CODE
        )
    name = (name or "").strip()
    if not name:
        raise SmsError(_("请填写模板名称。"), code=NotificationError.TEMPLATE_INVALID)
    body = (body or "").strip()
    variables = template_check(body=body, max_segments=max_segments)
    with transaction.atomic():
        latest = (
            SmsTemplate.objects.select_for_update().filter(code=code).order_by("-version").first()
        )
        fields = {
            "name": name[:60],
            "body": body,
            "variables": variables,
            "max_segments": max_segments,
            "purpose": purpose[:200],
            "aliyun_code": aliyun_code.strip()[:40],
            "tencent_id": tencent_id.strip()[:20],
        }
        if latest is not None and latest.status == TemplateStatus.DRAFT:
            before = {"body": latest.body}
            for key, value in fields.items():
                setattr(latest, key, value)
            latest.save()
            template = latest
        else:
            before = {"body": latest.body} if latest else {}
            template = SmsTemplate.objects.create(
                code=code,
                version=(latest.version + 1) if latest else 1,
                status=TemplateStatus.DRAFT,
                created_by_id=actor.pk,
                **fields,
            )
        audit_record(
            actor=actor,
            action=AuditAction.SMS_TEMPLATE_UPDATED,
            target=template,
            before=before,
            after={"code": code, "version": template.version, "body": body},
        )
    return template


def template_approve(*, actor: StaffActor, template_id: int) -> SmsTemplate:
    """Approve a draft; the previously approved version of the code is retired."""
    _require_template_editor(actor, _("您没有审核短信模板的权限。"))
    with transaction.atomic():
        template = SmsTemplate.objects.select_for_update().filter(pk=template_id).first()
        if template is None:
            raise NotFound(_("短信模板不存在。"))
        if template.status != TemplateStatus.DRAFT:
            raise Conflict(_("只有草稿可以审核。"), code=NotificationError.TEMPLATE_NOT_DRAFT)
        template_check(body=template.body, max_segments=template.max_segments)
        SmsTemplate.objects.filter(code=template.code, status=TemplateStatus.APPROVED).update(
            status=TemplateStatus.RETIRED
        )
        template.status = TemplateStatus.APPROVED
        template.approved_by_id = actor.pk
        template.approved_at = clock.now()
        template.save()
        audit_record(
            actor=actor,
            action=AuditAction.SMS_TEMPLATE_APPROVED,
            target=template,
            after={"code": template.code, "version": template.version},
        )
    return template


def notifications_load_reference() -> int:
    """Seed every wording template as approved version 1 when the code has no version yet.

    Safe to run on every start: the director's later versions are never touched."""
    created = 0
    with transaction.atomic():
        for wording_template in wording.TEMPLATES:
            if SmsTemplate.objects.filter(code=wording_template.code).exists():
                continue
            SmsTemplate.objects.create(
                code=wording_template.code,
                version=1,
                name=wording_template.name,
                purpose=wording_template.purpose,
                body=wording_template.body,
                variables=pipeline.placeholders(wording_template.body),
                max_segments=wording_template.max_segments,
                status=TemplateStatus.APPROVED,
                approved_at=clock.now(),
            )
            created += 1
    return created


def template_preview(
    *, body: str, signature: str, params: dict[str, str] | None = None
) -> dict[str, Any]:
    """Rendered sample text with its character/segment count (the editor's live preview)."""
    try:
        names = pipeline.check_body(body)
    except pipeline.RenderError as exc:
        return {
            "ok": False,
            "error": str(exc),
            "text": "",
            "characters": 0,
            "segments": 0,
            "worst_characters": 0,
            "worst_segments": 0,
        }
    sample = pipeline.sample_params(names) | (params or {})
    text = pipeline.render_text_unchecked(signature, body.strip(), sample)
    chars, segs = pipeline.count_or_overflow(text)
    worst = pipeline.worst_case(signature, body.strip())
    return {
        "ok": True,
        "error": "",
        "text": text,
        "characters": chars,
        "segments": segs,
        "worst_characters": worst.characters,
        "worst_segments": worst.segments,
        "variables": names,
    }


# ============================================================================================
# enqueue
