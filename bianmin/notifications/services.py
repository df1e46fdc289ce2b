"""Writes of the SMS platform: templates, enqueueing, exactly-once delivery, receipts, batches.

Delivery protocol (closing GOV.UK Notify's at-least-once gap, see the README section):

1. Every message row exists (status ``queued``, unique ``dedupe_key``, unique ``reference``)
   before anything is sent; it is created in the caller's transaction and the send task is
   scheduled on commit.
2. A worker *claims* the row with one conditional UPDATE (``WHERE status='queued' AND
   next_attempt_at <= now``) and checks the row count; only the single winner calls the gateway.
   Two workers, a replayed task or a double click can never both get past this line.
3. The gateway receives our ``reference`` (Alibaba ``OutId`` / Tencent ``SessionContext``).
4. The answer is written with another conditional UPDATE that also matches the claim token.
   An ambiguous answer (timeout after the request left) leaves the row in ``sending``.
5. A watchdog takes rows ``sending`` for longer than the client timeout can explain and *asks
   the gateway* (``gateway.query(reference=…)``) before anything is resent: found → sent /
   delivered / failed, not found → back to ``queued`` under a new claim.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from datetime import time as dt_time
from functools import partial
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from bianmin.audit.enums import AuditAction
from bianmin.audit.services import audit_record
from bianmin.core import clock
from bianmin.core.crypto import blind_index
from bianmin.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from bianmin.core.masking import mask_phone
from bianmin.core.permissions import Perm, has_perm
from bianmin.notifications import gateways, pipeline, wording
from bianmin.notifications.clients import (
    DeliveryState,
    GatewayError,
    MessageTooLongError,
    OutgoingSms,
    Receipt,
    SendResult,
    SignatureError,
    SmsGateway,
    count_segments,
    validate_signature,
)
from bianmin.notifications.enums import (
    AttemptOutcome,
    BatchKind,
    BatchRowStatus,
    BatchStatus,
    MessageStatus,
    SmsErrorCode,
    TemplateStatus,
)
from bianmin.notifications.models import (
    Batch,
    BatchRow,
    Message,
    MessageAttempt,
    SmsTemplate,
)

logger = logging.getLogger(__name__)

PHONE_RE = re.compile(r"^1[3-9]\d{9}$")
MAX_ATTEMPTS = 6
ACTIVE_STATUSES = (MessageStatus.SENDING, MessageStatus.SENT, MessageStatus.DELIVERED)


class SmsError(DomainError):
    code = "sms_invalid"


# ============================================================================================
# helpers


def _center_model() -> Any:
    # The Center model is reached through our own foreign key (string label "accounts.Center"),
    # so this context never imports another context's models module.
    return Message._meta.get_field("center").related_model


def _center_signature(center_id: int) -> str:
    row = _center_model().objects.filter(pk=center_id).values_list("sms_signature", flat=True)
    signature = row.first()
    if signature is None:
        raise NotFound(_("服务中心不存在。"), code="center_not_found")
    try:
        return validate_signature(signature)
    except SignatureError as exc:
        raise SmsError(
            _("本中心短信签名不合规：%(error)s") % {"error": exc},
            code=SmsErrorCode.SIGNATURE_INVALID,
        ) from exc


def _signatures_for_check() -> list[str]:
    found = list(
        _center_model()
        .objects.filter(is_active=True)
        .exclude(sms_signature="")
        .values_list("sms_signature", flat=True)
    )
    return found or [wording.WORST_CASE_SIGNATURE]


def clean_phone(phone: str) -> str:
    phone = re.sub(r"[\s-]", "", phone or "")
    if phone.startswith("+86"):
        phone = phone[3:]
    if not PHONE_RE.match(phone):
        raise SmsError(
            _("手机号码无效：应为11位大陆手机号，例如 13912345678。"),
            code=SmsErrorCode.INVALID_PHONE,
        )
    return phone


def phone_index(phone: str) -> str:
    # Same purpose string as the person registry, so the two indexes can be compared.
    return blind_index(phone, purpose="phone")


def local_now() -> datetime:
    return timezone.localtime(clock.now())


def quiet_hours() -> pipeline.QuietHours | None:
    """21:00–08:00 unless settings.SMS_QUIET_HOURS says otherwise (None switches it off)."""
    configured = getattr(settings, "SMS_QUIET_HOURS", (dt_time(21, 0), dt_time(8, 0)))
    if not configured:
        return None
    return pipeline.QuietHours(start=configured[0], end=configured[1])


def quiet_resume(now: datetime | None = None) -> datetime | None:
    """When sending may resume (aware), or None when it is allowed now."""
    hours = quiet_hours()
    if hours is None:
        return None
    return hours.resume_at(timezone.localtime(now or clock.now()))


def morning_after(now: datetime) -> datetime:
    hours = quiet_hours()
    return pipeline.next_morning(timezone.localtime(now), hours.end if hours else dt_time(8, 0))


def _schedule(message_id: int, at: datetime | None = None) -> None:
    from bianmin.notifications.tasks import sms_deliver_task  # tasks import services

    delay = (at - clock.now()).total_seconds() if at is not None else 0.0
    if delay > 0.5:
        sms_deliver_task.schedule(args=(message_id,), delay=delay)
    else:
        sms_deliver_task(message_id)


def _attempt(
    message_id: int,
    gateway: str,
    outcome: AttemptOutcome,
    *,
    provider_id: str = "",
    error_code: str = "",
    detail: str = "",
) -> None:
    MessageAttempt.objects.create(
        message_id=message_id,
        at=clock.now(),
        gateway=gateway,
        outcome=outcome,
        provider_id=provider_id[:64],
        error_code=error_code[:60],
        detail=detail[:300],
    )


# ============================================================================================
# templates


def template_get_approved(code: str) -> SmsTemplate | None:
    return SmsTemplate.objects.filter(code=code, status=TemplateStatus.APPROVED).first()


def template_check(*, body: str, max_segments: int) -> list[str]:
    """Validate a template for every center's signature; returns its variables.

    Raises SmsError with a Chinese explanation (unknown variable, 【】, too long)."""
    try:
        names = pipeline.check_body(body)
    except pipeline.RenderError as exc:
        raise SmsError(str(exc), code=SmsErrorCode.TEMPLATE_INVALID) from exc
    if not 1 <= max_segments <= 3:
        raise SmsError(_("允许条数应为 1～3 条。"), code=SmsErrorCode.TEMPLATE_INVALID)
    for signature in _signatures_for_check():
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
                code=SmsErrorCode.TEMPLATE_TOO_LONG,
            )
    return names


def template_save(
    *,
    actor: Any,
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
    if not has_perm(actor, Perm.SMS_TEMPLATE_EDIT):
        raise PermissionDenied(_("您没有编辑短信模板的权限。"))
    code = (code or "").strip()
    if not re.fullmatch(r"[a-z][a-z0-9_]{1,39}", code):
        raise SmsError(_("模板代码应为小写英文字母、数字和下划线。"), code="template_code")
    name = (name or "").strip()
    if not name:
        raise SmsError(_("请填写模板名称。"), code=SmsErrorCode.TEMPLATE_INVALID)
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
                created_by=actor,
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


def template_approve(*, actor: Any, template_id: int) -> SmsTemplate:
    """Approve a draft; the previously approved version of the code is retired."""
    if not has_perm(actor, Perm.SMS_TEMPLATE_EDIT):
        raise PermissionDenied(_("您没有审核短信模板的权限。"))
    with transaction.atomic():
        template = SmsTemplate.objects.select_for_update().filter(pk=template_id).first()
        if template is None:
            raise NotFound(_("短信模板不存在。"))
        if template.status != TemplateStatus.DRAFT:
            raise Conflict(_("只有草稿可以审核。"), code="template_not_draft")
        template_check(body=template.body, max_segments=template.max_segments)
        SmsTemplate.objects.filter(code=template.code, status=TemplateStatus.APPROVED).update(
            status=TemplateStatus.RETIRED
        )
        template.status = TemplateStatus.APPROVED
        template.approved_by = actor
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


@dataclass(frozen=True)
class _Built:
    message: Message


def _message_build(
    *,
    center_id: int,
    template: SmsTemplate,
    signature: str,
    phone: str,
    params: dict[str, str],
    dedupe_key: str,
    urgent: bool,
    case_id: int | None,
    actor: Any,
    now: datetime,
) -> Message:
    phone = clean_phone(phone)
    if any(pipeline.FULL_ID_NUMBER.search(str(v)) for v in params.values()):
        raise SmsError(
            _("短信中不得出现完整身份证号码，请使用办件编号或脱敏号码。"),
            code=SmsErrorCode.PARAMS_INVALID,
        )
    if params.get("item"):
        # Callers pass the catalogue's full item name; the SMS names what is collected.
        params = {**params, "item": wording.item_label(str(params["item"]))}
    dedupe_key = (dedupe_key or "").strip()
    if not dedupe_key or len(dedupe_key) > 200:
        raise SmsError(_("去重键不能为空且不超过200字符。"), code=SmsErrorCode.PARAMS_INVALID)
    try:
        text = pipeline.render(signature, template.body, params)
        characters, segments = count_segments(text)
    except (pipeline.RenderError, MessageTooLongError) as exc:
        raise SmsError(str(exc), code=SmsErrorCode.PARAMS_INVALID) from exc
    resume = None if urgent else quiet_resume(now)
    names = pipeline.placeholders(template.body)
    return Message(
        center_id=center_id,
        template=template,
        template_code=template.code,
        case_id=case_id,
        phone=phone,
        phone_index=phone_index(phone),
        phone_masked=mask_phone(phone),
        params={n: str(params[n]).strip() for n in names},
        text=text,
        characters=characters,
        segments=segments,
        dedupe_key=dedupe_key,
        reference=uuid.uuid4().hex,
        is_urgent=urgent,
        status=MessageStatus.QUEUED,
        next_attempt_at=resume or now,
        created_by=actor if getattr(actor, "pk", None) else None,
    )


def _insert_once(message: Message) -> bool:
    """Insert unless the dedupe key exists (checked, then guaranteed by the unique index)."""
    if Message.objects.filter(dedupe_key=message.dedupe_key).exists():
        return False
    try:
        with transaction.atomic():  # savepoint: a racing insert must not poison the caller
            message.save(force_insert=True)
    except IntegrityError:
        if Message.objects.filter(dedupe_key=message.dedupe_key).exists():
            return False
        raise
    return True


def sms_enqueue(
    *,
    center_id: int,
    template_code: str,
    phone: str,
    params: dict[str, str],
    dedupe_key: str,
    urgent: bool = False,
    case_id: int | None = None,
    actor: object | None = None,
) -> bool:
    """Create one queued Message (exactly once per dedupe_key, unique index) in the caller's
    transaction and schedule sending on commit. Returns False when dedupe_key already exists.

    Raises ``SmsError`` (a DomainError; codes ``invalid_phone``, ``template_not_approved``,
    ``params_invalid``, ``signature_invalid``) for bad input -- callers that treat the SMS as
    best effort catch ``DomainError``. Convention for case notices:
    ``dedupe_key=f"case:{case_id}:{template_code}"``. Outside 21:00–08:00 the message is sent
    at once; inside, it waits until 08:00 unless ``urgent``.
    """
    template = template_get_approved(template_code)
    if template is None:
        raise SmsError(
            _("短信模板“%(code)s”不存在或未审核，不能发送。") % {"code": template_code},
            code=SmsErrorCode.TEMPLATE_NOT_APPROVED,
        )
    signature = _center_signature(center_id)
    now = clock.now()
    with transaction.atomic():
        message = _message_build(
            center_id=center_id,
            template=template,
            signature=signature,
            phone=phone,
            params=params,
            dedupe_key=dedupe_key,
            urgent=urgent,
            case_id=case_id,
            actor=actor,
            now=now,
        )
        if not _insert_once(message):
            return False
        audit_record(
            actor=actor if getattr(actor, "pk", None) else None,
            action=AuditAction.SMS_QUEUED,
            target=message,
            center_id=center_id,
            after={
                "template": template.code,
                "version": template.version,
                "phone": message.phone_masked,
                "case_id": case_id,
                "urgent": urgent,
            },
        )
        transaction.on_commit(partial(_schedule, message.pk, message.next_attempt_at))
    return True


def case_notice_key(case_id: int, template_code: str) -> str:
    """The dedupe key of a case notice: one per (case, notice type), whoever sends it."""
    return f"case:{case_id}:{template_code}"


# ============================================================================================
# delivery (runs in workers)


def _backoff_or_fail(message_id: int, token: str, attempts: int, code: str, detail: str) -> str:
    now = clock.now()
    if attempts >= MAX_ATTEMPTS:
        Message.objects.filter(
            pk=message_id, status=MessageStatus.SENDING, claim_token=token
        ).update(
            status=MessageStatus.FAILED,
            failed_at=now,
            error_code=code,
            error_message=_("已重试 %(n)d 次仍未成功：%(detail)s")
            % {"n": attempts, "detail": detail},
        )
        return "failed"
    at = now + timedelta(seconds=pipeline.backoff_seconds(attempts))
    resume = quiet_resume(at)
    updated = Message.objects.filter(
        pk=message_id, status=MessageStatus.SENDING, claim_token=token
    ).update(
        status=MessageStatus.QUEUED,
        next_attempt_at=resume or at,
        claim_token="",
        error_code=code,
        error_message=detail[:300],
    )
    if updated:
        transaction.on_commit(partial(_schedule, message_id, resume or at))
    return "retry"


def _defer(message_id: int, at: datetime, code: str, detail: str) -> None:
    updated = Message.objects.filter(pk=message_id, status=MessageStatus.QUEUED).update(
        next_attempt_at=at, error_code=code, error_message=detail
    )
    if updated:
        _schedule(message_id, at)


def _over_daily_cap(row: Mapping[str, Any], now: datetime) -> bool:
    cap = int(getattr(settings, "SMS_DAILY_CAP_PER_NUMBER", 10))
    midnight = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    used = (
        Message.objects.filter(
            phone_index=row["phone_index"],
            template_code=row["template_code"],
            status__in=ACTIVE_STATUSES,
            claimed_at__gte=midnight,
        )
        .exclude(pk=row["pk"])
        .count()
    )
    return used >= cap


def message_deliver(*, message_id: int) -> str:
    """Send one queued message at most once; returns what happened (for logs and tests).

    Idempotent: any number of calls for the same id, from any number of workers, send at most
    one request to the gateway per claim.
    """
    row = (
        Message.objects.filter(pk=message_id)
        .values("pk", "status", "is_urgent", "next_attempt_at", "phone_index", "template_code")
        .first()
    )
    if row is None or row["status"] != MessageStatus.QUEUED:
        return "skipped"
    now = clock.now()
    if not row["is_urgent"]:
        resume = quiet_resume(now)
        if resume is not None:
            _defer(message_id, resume, "quiet_hours", _("夜间免打扰时段，次日08:00后发送。"))
            return "quiet_hours"
    if row["next_attempt_at"] > now + timedelta(seconds=1):
        _schedule(message_id, row["next_attempt_at"])
        return "not_due"
    if _over_daily_cap(row, now):
        _defer(
            message_id,
            morning_after(now),
            "daily_cap",
            _("已达该号码当日同类短信上限，顺延至次日发送。"),
        )
        return "daily_cap"

    gateway = gateways.active_gateway()
    # --- reserve a send slot and claim the row in one write transaction --------------------
    token = uuid.uuid4().hex
    with transaction.atomic():
        wait = gateways.rate_reserve(gateway.name)
        if wait is None:
            claimed = 0
        else:
            # The claim: one conditional UPDATE; only the winner may call the gateway.
            now = clock.now()
            claimed = Message.objects.filter(
                pk=message_id,
                status=MessageStatus.QUEUED,
                next_attempt_at__lte=now + timedelta(seconds=1),
            ).update(
                status=MessageStatus.SENDING,
                claim_token=token,
                claimed_at=now,
                attempts=F("attempts") + 1,
                gateway=gateway.name,
            )
    if wait is None:
        # The shared bucket is far behind: try again shortly instead of blocking a worker.
        _schedule(message_id, clock.now() + timedelta(seconds=1))
        return "throttled"
    if claimed != 1:
        return "lost_claim"
    if wait > 0:
        time.sleep(wait)
    message = Message.objects.select_related("template").get(pk=message_id)
    return _send_claimed(message, gateway, token, message.attempts)


def _outgoing(message: Message, gateway: SmsGateway) -> OutgoingSms:
    template = message.template
    if gateway.name == "aliyun":
        template_code = template.aliyun_code or template.code
    elif gateway.name == "tencent":
        template_code = template.tencent_id or template.code
    else:
        template_code = template.code
    signature = message.text[1 : message.text.index("】")] if message.text.startswith("【") else ""
    names = pipeline.placeholders(template.body)
    return OutgoingSms(
        reference=message.reference,
        phone=message.phone or "",
        template_code=template_code,
        params={n: str(message.params.get(n, "")) for n in names},
        signature=signature,
        text=message.text,
    )


def _send_claimed(message: Message, gateway: SmsGateway, token: str, attempts: int) -> str:
    try:
        result = gateway.send(_outgoing(message, gateway))
    except Exception as exc:
        logger.exception("SMS gateway %s raised", gateway.name)
        # We cannot know whether the request left: treat as ambiguous (watchdog queries).
        result = SendResult.failed("timeout", f"{type(exc).__name__}: {exc}"[:200], retryable=True)
    return _record_result(message, gateway, token, attempts, result)


def _record_result(
    message: Message, gateway: SmsGateway, token: str, attempts: int, result: SendResult
) -> str:
    now = clock.now()
    mine = Message.objects.filter(pk=message.pk, status=MessageStatus.SENDING, claim_token=token)
    with transaction.atomic():
        if result.accepted:
            provider_id = (result.provider_id or "")[:64]
            if gateways.is_console(gateway):
                updated = mine.update(
                    status=MessageStatus.DELIVERED,
                    provider_id=provider_id,
                    sent_at=now,
                    delivered_at=now,
                    receipt_code="CONSOLE",
                    error_code="",
                    error_message="",
                )
            else:
                updated = mine.update(
                    status=MessageStatus.SENT,
                    provider_id=provider_id,
                    sent_at=now,
                    error_code="",
                    error_message="",
                )
            if not updated:  # a receipt or the watchdog got there first; keep their status
                Message.objects.filter(pk=message.pk, provider_id="").update(
                    provider_id=provider_id, sent_at=now
                )
            _attempt(message.pk, gateway.name, AttemptOutcome.ACCEPTED, provider_id=provider_id)
            outcome = "sent"
        elif result.needs_query:
            mine.update(
                error_code=result.error_code or "timeout", error_message=(result.error or "")[:300]
            )
            _attempt(
                message.pk,
                gateway.name,
                AttemptOutcome.AMBIGUOUS,
                error_code=result.error_code or "",
                detail=result.error or "",
            )
            outcome = "ambiguous"
        elif result.retryable:
            _attempt(
                message.pk,
                gateway.name,
                AttemptOutcome.RETRY,
                error_code=result.error_code or "",
                detail=result.error or "",
            )
            outcome = _backoff_or_fail(
                message.pk, token, attempts, result.error_code or "retryable", result.error or ""
            )
        else:
            mine.update(
                status=MessageStatus.FAILED,
                failed_at=now,
                error_code=(result.error_code or SmsErrorCode.NOT_RETRYABLE)[:60],
                error_message=(result.error or "")[:300],
            )
            _attempt(
                message.pk,
                gateway.name,
                AttemptOutcome.REJECTED,
                error_code=result.error_code or "",
                detail=result.error or "",
            )
            outcome = "failed"
    gateway_ok = result.accepted or not (result.retryable or result.needs_query)
    if gateways.gateway_report(gateway.name, ok=gateway_ok):
        logger.warning("SMS gateway %s: repeated errors, switching to fallback", gateway.name)
    return outcome


# ============================================================================================
# watchdog


def _resolve_stuck(message: Message) -> str:
    token = message.claim_token
    now = clock.now()
    mine = Message.objects.filter(pk=message.pk, status=MessageStatus.SENDING, claim_token=token)
    gateway_name = message.gateway or gateways.primary_name()
    try:
        gateway = gateways.gateway_get(gateway_name)
        sent_on = timezone.localtime(message.claimed_at or now).date()
        state = gateway.query(
            reference=message.reference,
            phone=message.phone or "",
            provider_id=message.provider_id or None,
            sent_on=sent_on,
        )
    except (GatewayError, ValueError) as exc:
        _attempt(
            message.pk,
            gateway_name,
            AttemptOutcome.QUERIED,
            error_code="query_error",
            detail=str(exc),
        )
        return "query_error"
    _attempt(message.pk, gateway_name, AttemptOutcome.QUERIED, detail=f"state={state}")
    if state == DeliveryState.DELIVERED:
        mine.update(
            status=MessageStatus.DELIVERED,
            delivered_at=now,
            sent_at=message.claimed_at or now,
            error_code="",
            error_message="",
        )
        return "delivered"
    if state == DeliveryState.PENDING:
        mine.update(
            status=MessageStatus.SENT,
            sent_at=message.claimed_at or now,
            error_code="",
            error_message="",
        )
        return "sent"
    if state == DeliveryState.FAILED:
        mine.update(
            status=MessageStatus.FAILED,
            failed_at=now,
            error_code="operator_failed",
            error_message=_("短信平台已受理，但运营商报告未送达。"),
        )
        return "failed"
    # UNKNOWN: the gateway never received it (the worker died before the request left, or the
    # connection failed): resend under a new claim.
    with transaction.atomic():
        outcome = _backoff_or_fail(
            message.pk,
            token,
            message.attempts,
            "not_received",
            _("发送中断，短信平台查无此条，重新排队发送。"),
        )
        if outcome == "retry":  # no waiting: nothing was sent, so there is nothing to back off
            Message.objects.filter(pk=message.pk, status=MessageStatus.QUEUED).update(
                next_attempt_at=now
            )
    return "requeued" if outcome == "retry" else outcome


def messages_watchdog(
    *,
    stuck_after: float | None = None,
    replay_after: float = 60.0,
    limit: int = 10_000,
    copies: int = 1,
) -> dict[str, int]:
    """Periodic: resolve rows stuck in ``sending`` by asking the gateway, replay ``queued``
    rows whose task was lost (worker killed after dequeue), and close finished batches."""
    stuck_after = float(
        stuck_after
        if stuck_after is not None
        else getattr(settings, "SMS_STUCK_AFTER_SECONDS", 120)
    )
    now = clock.now()
    counts: dict[str, int] = {}
    stuck = Message.objects.filter(
        status=MessageStatus.SENDING, claimed_at__lt=now - timedelta(seconds=stuck_after)
    ).select_related("template")[:limit]
    for message in stuck:
        outcome = _resolve_stuck(message)
        counts[outcome] = counts.get(outcome, 0) + 1
    # A queued, due row whose task is neither waiting in the queue nor running was lost (a
    # worker died after dequeuing it). Only look while the queue is empty, so that a long batch
    # still draining is not enqueued a second time; a duplicate task would be harmless anyway
    # (the claim), only wasteful.
    lost: list[int] = []
    if _queue_is_empty():
        lost = list(
            Message.objects.filter(
                status=MessageStatus.QUEUED,
                next_attempt_at__lt=now - timedelta(seconds=replay_after),
            ).values_list("pk", flat=True)[:limit]
        )
    if not quiet_resume(now):
        for pk in lost:
            for _copy in range(copies):  # copies > 1 only to provoke races in fault tests
                _schedule(pk)
        counts["replayed"] = len(lost)
    else:
        urgent = Message.objects.filter(pk__in=lost, is_urgent=True).values_list("pk", flat=True)
        for pk in urgent:
            _schedule(pk)
        counts["replayed"] = len(urgent)
    counts["batches_finished"] = batches_finish()
    return counts


def _queue_is_empty() -> bool:
    from huey.contrib.djhuey import HUEY

    try:
        return int(HUEY.pending_count()) == 0
    except Exception:  # noqa: BLE001 -- a storage without counting: replay (claims protect)
        return True


def batches_finish() -> int:
    finished = 0
    for batch in Batch.objects.filter(status=BatchStatus.SENDING):
        open_count = batch.messages.filter(
            status__in=(MessageStatus.QUEUED, MessageStatus.SENDING)
        ).count()
        if open_count == 0:
            finished += Batch.objects.filter(pk=batch.pk, status=BatchStatus.SENDING).update(
                status=BatchStatus.DONE, finished_at=clock.now()
            )
    return finished


# ============================================================================================
# receipts


def receipts_process(*, gateway_name: str, receipts: Iterable[Receipt]) -> dict[str, int]:
    """Apply delivery receipts; duplicates and unknown ids change nothing."""
    counts = {"updated": 0, "duplicate": 0, "unknown": 0}
    for receipt in receipts:
        rows = Message.objects.none()
        if receipt.reference:
            rows = Message.objects.filter(reference=receipt.reference)
        if receipt.provider_id and not rows.exists():
            rows = Message.objects.filter(provider_id=receipt.provider_id, gateway=gateway_name)
        if not rows.exists():
            counts["unknown"] += 1
            continue
        open_rows = rows.filter(status__in=(MessageStatus.SENDING, MessageStatus.SENT))
        if receipt.delivered:
            updated = open_rows.update(
                status=MessageStatus.DELIVERED,
                delivered_at=receipt.at,
                receipt_code=receipt.code[:40],
                error_code="",
                error_message="",
            )
        else:
            updated = open_rows.update(
                status=MessageStatus.FAILED,
                failed_at=receipt.at,
                receipt_code=receipt.code[:40],
                error_code="operator_failed",
                error_message=_("运营商回执：未送达（%(code)s）") % {"code": receipt.code},
            )
        if updated:
            rows.filter(provider_id="").update(provider_id=receipt.provider_id[:64])
            rows.filter(sent_at__isnull=True).update(sent_at=receipt.at)
            counts["updated"] += updated
        else:
            counts["duplicate"] += 1
    return counts


# ============================================================================================
# staff actions


def message_retry(*, actor: Any, message_id: int) -> Message:
    """Staff button: put a failed message back in the queue (a conscious second send)."""
    if not has_perm(actor, Perm.SMS_SEND):
        raise PermissionDenied(_("您没有发送短信的权限。"))
    with transaction.atomic():
        message = (
            Message.objects.select_for_update()
            .filter(pk=message_id, center_id=actor.center_id)
            .first()
        )
        if message is None:
            raise NotFound(_("短信不存在。"))
        if message.status != MessageStatus.FAILED:
            raise Conflict(_("只有发送失败的短信可以重发。"), code="not_failed")
        now = clock.now()
        resume = None if message.is_urgent else quiet_resume(now)
        Message.objects.filter(pk=message.pk, status=MessageStatus.FAILED).update(
            status=MessageStatus.QUEUED,
            attempts=0,
            next_attempt_at=resume or now,
            claim_token="",
            error_code="",
            error_message="",
            failed_at=None,
        )
        if message.batch_id:
            Batch.objects.filter(pk=message.batch_id, status=BatchStatus.DONE).update(
                status=BatchStatus.SENDING, finished_at=None
            )
        audit_record(
            actor=actor,
            action=AuditAction.SMS_RETRIED,
            target=message,
            before={"status": message.status, "error": message.error_code},
            after={"status": MessageStatus.QUEUED},
        )
        transaction.on_commit(partial(_schedule, message.pk, resume or now))
    message.refresh_from_db()
    return message


# ============================================================================================
# batches: a previewed list of notices, sent with one click. What the rows are (an arrival
# list, …) is the caller's business: cases builds the rows and prepares each one at send time.

BATCH_TEMPLATES = {BatchKind.ARRIVAL_LIST: "pickup_ready", BatchKind.PLATES: "plate_ready"}


def _need_sms_send(actor: Any) -> None:
    if not has_perm(actor, Perm.SMS_SEND):
        raise PermissionDenied(_("您没有发送短信的权限。"))


def batch_template_code(kind: str) -> str:
    """The approved template a batch of this kind sends, or SmsError."""
    if kind not in BATCH_TEMPLATES:
        raise SmsError(_("未知的批量类型。"), code=SmsErrorCode.IMPORT_INVALID)
    template_code = BATCH_TEMPLATES[BatchKind(kind)]
    if template_get_approved(template_code) is None:
        raise SmsError(
            _("通知模板未审核，请先在“短信模板”中审核。"), code=SmsErrorCode.TEMPLATE_NOT_APPROVED
        )
    return template_code


def case_notice_sent(*, case_id: int, template_code: str) -> bool:
    """Whether this case's notice of this type exists already (it is never sent twice)."""
    return Message.objects.filter(dedupe_key=case_notice_key(case_id, template_code)).exists()


@dataclass(frozen=True)
class BatchRowDraft:
    """One previewed row, as the caller matched it (status is a BatchRowStatus value)."""

    row_number: int
    value_masked: str
    status: str
    reason: str = ""
    case_id: int | None = None
    case_number: str = ""
    item_name: str = ""
    phone_masked: str = ""


def batch_draft_create(*, actor: Any, kind: str, filename: str, rows: list[BatchRowDraft]) -> Batch:
    """Keep a previewed list as a draft batch. Nothing is sent here."""
    _need_sms_send(actor)
    template_code = batch_template_code(kind)
    batch_rows = [
        BatchRow(
            row_number=r.row_number,
            value_masked=r.value_masked[:40],
            status=r.status,
            reason=r.reason[:200],
            case_id=r.case_id,
            case_number=r.case_number,
            item_name=r.item_name[:60],
            phone_masked=r.phone_masked,
        )
        for r in rows
    ]
    with transaction.atomic():
        batch = Batch.objects.create(
            center_id=actor.center_id,
            kind=kind,
            template_code=template_code,
            filename=(filename or _("手工录入"))[:200],
            created_by=actor,
            rows_total=len(batch_rows),
            rows_matched=sum(r.status == BatchRowStatus.MATCHED for r in batch_rows),
            rows_unmatched=sum(r.status != BatchRowStatus.MATCHED for r in batch_rows),
        )
        for row in batch_rows:
            row.batch = batch
        BatchRow.objects.bulk_create(batch_rows)
        audit_record(
            actor=actor,
            action=AuditAction.SMS_BATCH_IMPORTED,
            target=batch,
            after={
                "rows": batch.rows_total,
                "matched": batch.rows_matched,
                "filename": batch.filename,
            },
        )
    return batch


@dataclass(frozen=True)
class Recipient:
    """One message of a batch, before it exists."""

    phone: str
    params: dict[str, str]
    dedupe_key: str
    case_id: int | None = None
    row_number: int | None = None


def messages_bulk_create(
    *, batch: Batch, template: SmsTemplate, recipients: list[Recipient], actor: Any = None
) -> list[Message]:
    """Create every message of a batch in the caller's transaction (none is sent yet) and
    schedule them all on commit. Existing dedupe keys are skipped (never sent twice)."""
    signature = _center_signature(batch.center_id)
    now = clock.now()
    keys = [r.dedupe_key for r in recipients]
    existing: set[str] = set()
    for start in range(0, len(keys), 500):
        existing.update(
            Message.objects.filter(dedupe_key__in=keys[start : start + 500]).values_list(
                "dedupe_key", flat=True
            )
        )
    built: list[Message] = []
    for recipient in recipients:
        if recipient.dedupe_key in existing:
            continue
        existing.add(recipient.dedupe_key)
        message = _message_build(
            center_id=batch.center_id,
            template=template,
            signature=signature,
            phone=recipient.phone,
            params=recipient.params,
            dedupe_key=recipient.dedupe_key,
            urgent=False,
            case_id=recipient.case_id,
            actor=actor,
            now=now,
        )
        message.batch = batch
        message.row_number = recipient.row_number
        built.append(message)
    try:
        with transaction.atomic():
            created = Message.objects.bulk_create(built, batch_size=500)
    except IntegrityError:  # a concurrent insert of one of the keys: fall back row by row
        created = [m for m in built if _insert_once(m)]
    if created and created[0].pk is None:  # backends without RETURNING
        created = list(
            Message.objects.filter(batch=batch, dedupe_key__in=[m.dedupe_key for m in built])
        )
    schedule = [(m.pk, m.next_attempt_at) for m in created]
    transaction.on_commit(partial(_schedule_many, schedule))
    return created


def _schedule_many(items: list[tuple[int, datetime]]) -> None:
    for pk, at in items:
        _schedule(pk, at)


@dataclass(frozen=True)
class PreparedNotice:
    """What the caller's `prepare` returns for one row at send time."""

    phone: str
    params: dict[str, str]


@transaction.atomic
def batch_dispatch(
    *, actor: Any, batch_id: int, prepare: Callable[[BatchRow], PreparedNotice]
) -> Batch:
    """The one click: in ONE transaction, `prepare` every matched row (the caller's own work,
    e.g. registering an arrival; a DomainError rejects that row with its message) and create
    every notice; they are sent after commit."""
    _need_sms_send(actor)
    batch = Batch.objects.select_for_update().filter(pk=batch_id, center_id=actor.center_id).first()
    if batch is None:
        raise NotFound(_("批次不存在。"))
    if batch.status != BatchStatus.DRAFT:
        raise Conflict(_("该批次已发送，不能重复发送。"), code="batch_already_sent")
    template = template_get_approved(batch.template_code)
    if template is None:
        raise SmsError(
            _("通知模板未审核，请先在“短信模板”中审核。"),
            code=SmsErrorCode.TEMPLATE_NOT_APPROVED,
        )
    recipients: list[Recipient] = []
    rows = list(batch.rows.filter(status=BatchRowStatus.MATCHED).order_by("row_number"))
    by_key: dict[str, BatchRow] = {}
    for row in rows:
        try:
            with transaction.atomic():
                notice = prepare(row)
        except DomainError as exc:
            row.status, row.reason = BatchRowStatus.UNMATCHED, exc.message[:200]
            row.save(update_fields=["status", "reason"])
            continue
        params = dict(notice.params)
        if batch.kind == BatchKind.PLATES:
            params = {"plate": row.reason}
        key = case_notice_key(row.case_id or 0, batch.template_code)
        recipients.append(
            Recipient(
                phone=notice.phone,
                params=params,
                dedupe_key=key,
                case_id=row.case_id,
                row_number=row.row_number,
            )
        )
        by_key[key] = row
    created = messages_bulk_create(
        batch=batch, template=template, recipients=recipients, actor=actor
    )
    for message in created:
        row = by_key[message.dedupe_key]
        row.message = message
    BatchRow.objects.bulk_update(list(by_key.values()), ["message"], batch_size=500)
    created_keys = {m.dedupe_key for m in created}
    for key, row in by_key.items():
        if key not in created_keys:
            row.status, row.reason = (
                BatchRowStatus.DUPLICATE,
                _("该办件已发送过通知，不会重复发送。"),
            )
            row.save(update_fields=["status", "reason"])
    batch.status = BatchStatus.SENDING if created else BatchStatus.DONE
    batch.confirmed_by, batch.confirmed_at = actor, clock.now()
    batch.messages_total = len(created)
    batch.rows_matched = batch.rows.filter(status=BatchRowStatus.MATCHED).count()
    batch.rows_unmatched = batch.rows_total - batch.rows_matched
    if not created:
        batch.finished_at = clock.now()
    batch.save()
    audit_record(
        actor=actor,
        action=AuditAction.SMS_BATCH_SENT,
        target=batch,
        after={"messages": len(created), "template": batch.template_code},
    )
    return batch


def batch_cancel(*, actor: Any, batch_id: int) -> Batch:
    if not has_perm(actor, Perm.SMS_SEND):
        raise PermissionDenied(_("您没有发送短信的权限。"))
    updated = Batch.objects.filter(
        pk=batch_id, center_id=actor.center_id, status=BatchStatus.DRAFT
    ).update(status=BatchStatus.CANCELLED)
    if not updated:
        raise Conflict(_("只有待确认的批次可以取消。"), code="batch_not_draft")
    return Batch.objects.get(pk=batch_id)


# ============================================================================================
# reminders


def pickup_reminders_send(*, workdays: int | None = None) -> int:
    """Periodic: a second notice for pickup notices sent N working days ago whose case is still
    not collected (one per case, dedupe key ``case:<id>:pickup_reminder``)."""
    from bianmin.core.workdays import workdays_between

    n = int(
        workdays if workdays is not None else getattr(settings, "SMS_PICKUP_REMINDER_WORKDAYS", 5)
    )
    today = clock.today()
    candidates = list(
        Message.objects.filter(
            template_code__in=("pickup_ready", "plate_ready"),
            status__in=(MessageStatus.SENT, MessageStatus.DELIVERED),
            case_id__isnull=False,
            sent_at__lt=clock.now() - timedelta(days=1),
        ).order_by("sent_at")
    )
    if not candidates:
        return 0
    already = set(
        Message.objects.filter(
            template_code="pickup_reminder", case_id__in=[m.case_id for m in candidates]
        ).values_list("case_id", flat=True)
    )
    durations: Callable[..., list[Any]] | None
    try:
        from bianmin.cases.selectors import case_pickup_durations as durations
    except ImportError:
        durations = None
    sent = 0
    by_center: dict[int, set[str]] = {}
    for message in candidates:
        if message.case_id in already:
            continue
        sent_on = timezone.localtime(message.sent_at).date() if message.sent_at else today
        if workdays_between(sent_on, today) < n:
            continue
        if message.center_id not in by_center:
            first_sent = candidates[0].sent_at or clock.now()
            earliest = timezone.localtime(first_sent).date() - timedelta(days=60)
            picked = durations(center_id=message.center_id, since=earliest) if durations else []
            by_center[message.center_id] = {p.number for p in picked}
        case_number = str(message.params.get("case_number", ""))
        if not case_number or case_number in by_center[message.center_id]:
            continue
        item = str(message.params.get("item") or "证件")
        try:
            sent += int(
                sms_enqueue(
                    center_id=message.center_id,
                    template_code="pickup_reminder",
                    phone=message.phone or "",
                    params={"item": item, "case_number": case_number},
                    dedupe_key=case_notice_key(message.case_id or 0, "pickup_reminder"),
                    case_id=message.case_id,
                )
            )
        except DomainError:
            logger.warning("pickup reminder for case %s not queued", message.case_id)
    return sent


def appointment_reminder_enqueue(
    *, center_id: int, appointment_id: int, phone: str, item: str, on: datetime
) -> bool:
    """Ready for the appointments feature: the reminder for one appointment (sent once)."""
    local = timezone.localtime(on)
    return sms_enqueue(
        center_id=center_id,
        template_code="appointment_reminder",
        phone=phone,
        params={
            "date": f"{local.month}月{local.day}日",
            "time": local.strftime("%H:%M"),
            "item": item,
        },
        dedupe_key=f"appointment:{appointment_id}:reminder",
    )


# ============================================================================================
# demo history


def notifications_demo_history(*, center: Any, rng: Any, days: int = 30) -> int:
    """Past messages with realistic statuses for the dashboard and statistics (demo only)."""
    notifications_load_reference()
    templates = {t.code: t for t in SmsTemplate.objects.filter(status=TemplateStatus.APPROVED)}
    signature = center.sms_signature or "潼关县公安局"
    now = clock.now()
    weights = [
        ("pickup_ready", 0.5),
        ("ticket_near", 0.25),
        ("missing_notice", 0.15),
        ("pickup_reminder", 0.1),
    ]
    samples = {
        "pickup_ready": lambda i: {
            "item": rng.choice(["居民身份证", "户口簿", "居住证", "驾驶证"]),
            "case_number": f"{center.code}-DEMO-{i:04d}",
        },
        "pickup_reminder": lambda i: {
            "item": "居民身份证",
            "case_number": f"{center.code}-DEMO-{i:04d}",
        },
        "missing_notice": lambda i: {
            "item": rng.choice(["居民身份证", "户口迁入", "居住证"]),
            "case_number": f"{center.code}-DEMO-{i:04d}",
            "count": str(rng.randint(1, 3)),
        },
        "ticket_near": lambda i: {
            "number": f"A{rng.randint(1, 199):03d}",
            "ahead": str(rng.randint(2, 5)),
            "center": center.name[:12],
        },
    }
    built: list[Message] = []
    i = 0
    for day in range(days, 0, -1):
        for _n in range(rng.randint(8, 30)):
            i += 1
            roll, acc, code = rng.random(), 0.0, "pickup_ready"
            for candidate, weight in weights:
                acc += weight
                if roll <= acc:
                    code = candidate
                    break
            template = templates.get(code)
            if template is None:
                continue
            at = now - timedelta(days=day, hours=rng.randint(-3, 6), minutes=rng.randint(0, 59))
            phone = f"1{rng.choice('3578')}{rng.randint(0, 9)}{rng.randint(10_000_000, 99_999_999)}"
            params = samples[code](i)
            text = pipeline.render(signature, template.body, params)
            characters, segments = count_segments(text)
            status = MessageStatus.DELIVERED if rng.random() < 0.97 else MessageStatus.FAILED
            built.append(
                Message(
                    center=center,
                    template=template,
                    template_code=code,
                    phone=phone,
                    phone_index=phone_index(phone),
                    phone_masked=mask_phone(phone),
                    params=params,
                    text=text,
                    characters=characters,
                    segments=segments,
                    dedupe_key=f"demo:{center.code}:{i}",
                    reference=uuid.uuid4().hex,
                    status=status,
                    attempts=1,
                    next_attempt_at=at,
                    claimed_at=at,
                    gateway="console",
                    provider_id=f"console:demo{i}",
                    sent_at=at,
                    delivered_at=at + timedelta(seconds=rng.randint(2, 40))
                    if status == MessageStatus.DELIVERED
                    else None,
                    failed_at=at if status == MessageStatus.FAILED else None,
                    receipt_code="DELIVERED" if status == MessageStatus.DELIVERED else "MK:0001",
                    error_code="" if status == MessageStatus.DELIVERED else "operator_failed",
                    error_message=""
                    if status == MessageStatus.DELIVERED
                    else "运营商回执：空号或停机",
                )
            )
    created = Message.objects.bulk_create(built, batch_size=500)
    # created_at is auto_now_add: move it to the send time so monthly totals look right
    for message in created:
        if message.sent_at is not None:
            message.created_at = message.sent_at
    if created and created[0].pk is not None:
        Message.objects.bulk_update(created, ["created_at"], batch_size=500)
    return len(created)


def center_signature_or_default(center_id: int | None) -> str:
    """The center's signature for previews; the longest allowed one when none is set."""
    if center_id:
        signature = (
            _center_model()
            .objects.filter(pk=center_id)
            .values_list("sms_signature", flat=True)
            .first()
        )
        if signature:
            return str(signature)
    return wording.WORST_CASE_SIGNATURE
