"""Requests to the desk: asking, taking, replies and notes, status changes, rating.

Privacy: a request is open to its requester, the desk (``desk_officer`` of its center) and its
handler; to anybody else it does not exist (404, the same as an unknown number). Every read of
a request goes through :func:`request_open`, which writes an audit entry.
"""

import logging
from dataclasses import dataclass
from typing import Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from bianmin.accounts.selectors import staff_list
from bianmin.audit.enums import AuditAction
from bianmin.audit.services import audit_record
from bianmin.core import clock
from bianmin.core.actors import StaffActor
from bianmin.core.errors import Conflict, DomainError
from bianmin.core.events import publish
from bianmin.core.permissions import Perm, has_perm
from bianmin.core.workdays import add_workdays
from bianmin.family_desk import pipeline
from bianmin.family_desk.enums import (
    ContactPreference,
    CustodyAction,
    MessageKind,
    RequestStatus,
    RequestType,
)
from bianmin.family_desk.errors import DeskError
from bianmin.family_desk.events import DeskRequestClosed
from bianmin.family_desk.models import (
    Attachment,
    DeskRequest,
    Procedure,
    RequestEvent,
    RequestMessage,
)
from bianmin.family_desk.pipeline import Action, Party
from bianmin.family_desk.services.common import (
    Asker,
    DeskInvalid,
    not_found,
    parties_of,
    require_perm,
)
from bianmin.notifications.services import sms_enqueue

logger = logging.getLogger(__name__)

MAX_QUESTION = 2000
MAX_ATTACHMENTS = 5
MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024
# What each allowed type must start with; the name's extension must agree with the content.
SIGNATURES = {
    "image/jpeg": (b"\xff\xd8\xff", (".jpg", ".jpeg")),
    "image/png": (b"\x89PNG\r\n\x1a\n", (".png",)),
    "application/pdf": (b"%PDF-", (".pdf",)),
}


@dataclass(frozen=True)
class Upload:
    name: str
    content: bytes


def check_upload(upload: Upload) -> str:
    """The real content type of an attachment, or a Chinese refusal."""
    name = (upload.name or "").lower()
    if len(upload.content) > MAX_ATTACHMENT_BYTES:
        raise DeskInvalid(
            _("附件“%(n)s”超过5MB。") % {"n": upload.name[:40]}, code=DeskError.BAD_ATTACHMENT
        )
    for content_type, (magic, extensions) in SIGNATURES.items():
        if upload.content.startswith(magic):
            if not name.endswith(extensions):
                break
            return content_type
    raise DeskInvalid(
        _("附件“%(n)s”不是有效的照片（JPG、PNG）或 PDF 文件，或文件名与内容不符。")
        % {"n": upload.name[:40]},
        code=DeskError.BAD_ATTACHMENT,
    )


def _new_number(center_code: str) -> str:
    day = clock.today()
    prefix = f"HM-{center_code}-{day:%Y%m%d}-"
    last = (
        DeskRequest.objects.filter(number__startswith=prefix)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    seq = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{seq:03d}"


def _insert_numbered(center_code: str, **fields: Any) -> DeskRequest:
    for _attempt in range(5):
        try:
            with transaction.atomic():  # a savepoint: a clash costs only this insert
                return DeskRequest.objects.create(number=_new_number(center_code), **fields)
        except IntegrityError:
            continue  # two requests took the same number at once: take the next one
    raise Conflict(_("系统繁忙，请稍后重试。"), code=DeskError.INVALID)


def _event(request: DeskRequest, before: str, actor: Any) -> None:
    RequestEvent.objects.create(
        request=request,
        from_status=before,
        to_status=request.status,
        actor=actor if getattr(actor, "pk", None) else None,
        at=clock.now(),
    )


def request_create(
    *,
    asker: Asker,
    type: str,
    question: str,
    procedure_id: int | None = None,
    procedure_text: str = "",
    contact: str = ContactPreference.PHONE,
    uploads: list[Upload] | None = None,
) -> DeskRequest:
    """An officer or a registered family member asks the desk (咨询 / 帮办 / 代办)."""
    if asker.family is None and (asker.staff is None or not has_perm(asker.staff, Perm.DESK_ASK)):
        raise DomainError(
            _("惠民暖警服务台只受理民警及其登记家属的诉求。"),
            code=DeskError.PERMISSION_DENIED,
            status=403,
        )
    if asker.family is not None and not asker.family.is_active:
        raise DomainError(
            _("该家属登记已失效，请联系民警本人。"), code=DeskError.PERMISSION_DENIED, status=403
        )
    if type not in RequestType.values:
        raise DeskInvalid(_("请选择咨询、帮办或代办。"), code=DeskError.INVALID)
    question = (question or "").strip()
    if not question:
        raise DeskInvalid(_("请写下您要问的问题。"), code=DeskError.EMPTY_QUESTION)
    if len(question) > MAX_QUESTION:
        raise DeskInvalid(_("问题描述不超过2000字。"), code=DeskError.INVALID)
    if contact not in ContactPreference.values:
        raise DeskInvalid(_("请选择联系方式。"), code=DeskError.INVALID)
    procedure = None
    if procedure_id is not None:
        procedure = Procedure.objects.filter(
            pk=procedure_id, center_id=asker.center_id, is_active=True
        ).first()
        if procedure is None:
            raise DeskInvalid(
                _("指南中没有这个事项，请重新选择，或直接填写要办的事。"),
                code=DeskError.UNKNOWN_PROCEDURE,
            )
    procedure_text = (procedure_text or "").strip()[:100]
    uploads = uploads or []
    if len(uploads) > MAX_ATTACHMENTS:
        raise DeskInvalid(_("附件最多5个。"), code=DeskError.BAD_ATTACHMENT)
    checked = [(upload, check_upload(upload)) for upload in uploads]
    today = clock.today()
    due = pipeline.due_on(
        type=type,
        asked_on=today,
        procedure_workdays=procedure.time_limit_workdays if procedure else None,
        add_workdays=add_workdays,
    )
    with transaction.atomic():
        request = _insert_numbered(
            asker.center_code,
            center_id=asker.center_id,
            type=type,
            procedure=procedure,
            procedure_text="" if procedure else procedure_text,
            question=question,
            contact=contact,
            requester_staff_id=getattr(asker.staff, "pk", None),
            requester_family=asker.family,
            created_on=today,
            due_on=due,
        )
        _event(request, "", asker.staff)
        for upload, content_type in checked:
            attachment = Attachment(
                request=request,
                original_name=upload.name[:120],
                content_type=content_type,
                size=len(upload.content),
                at=clock.now(),
            )
            attachment.file.save(upload.name[-60:], ContentFile(upload.content), save=False)
            attachment.save()
        audit_record(
            actor=asker.audit_actor,
            action=AuditAction.DESK_REQUEST_CREATED,
            target=request,
            center_id=asker.center_id,
            after={
                "number": request.number,
                "type": type,
                "procedure": procedure.pk if procedure else None,
                "asker": asker.label,
                "attachments": len(checked),
            },
        )
    return request


def request_load(
    number: str, asker: Asker, *, lock: bool = False
) -> tuple[DeskRequest, frozenset[Party]]:
    """The request `number` of the asker's center if the asker is party to it (else 404).

    Not audited: writes use it; reads go through :func:`request_open`."""
    qs = DeskRequest.objects.select_related("procedure__unit", "handler", "requester_staff")
    if lock:
        # Lock only the request row: PostgreSQL refuses FOR UPDATE on the nullable side of the
        # outer joins that select_related makes.
        qs = qs.select_for_update(of=("self",))
    request = qs.filter(number=str(number)[:30], center_id=asker.center_id).first()
    if request is None:
        raise not_found()
    parties = parties_of(request, asker)
    if not parties:
        raise not_found()
    return request, parties


def request_open(*, asker: Asker, number: str) -> tuple[DeskRequest, frozenset[Party]]:
    """Read one request (audited): its requester, the desk and its handler only."""
    request, parties = request_load(number, asker)
    audit_record(
        actor=asker.audit_actor,
        action=AuditAction.DESK_REQUEST_VIEWED,
        target=request,
        center_id=request.center_id,
        after={"as": sorted(parties), "asker": asker.label},
    )
    return request, parties


def _transition(
    request: DeskRequest, parties: frozenset[Party], action: Action, actor: Any
) -> None:
    try:
        target = pipeline.next_status(status=request.status, action=action, parties=parties)
    except pipeline.TransitionRefused as exc:
        raise Conflict(str(exc), code=DeskError.BAD_TRANSITION) from exc
    before = request.status
    request.status = target
    if target == RequestStatus.CLOSED:
        request.closed_at = clock.now()
    request.save()
    _event(request, before, actor)
    audit_record(
        actor=actor if getattr(actor, "pk", None) else None,
        action=AuditAction.DESK_REQUEST_TRANSITIONED,
        target=request,
        center_id=request.center_id,
        before={"status": before},
        after={"status": target, "action": action, "handler": request.handler_id},
    )
    if target == RequestStatus.CLOSED:
        publish(
            DeskRequestClosed(
                center_id=request.center_id,
                request_id=request.pk,
                number=request.number,
                officer_id=request.handler_id,
                at=request.closed_at or clock.now(),
            )
        )


def request_take(*, actor: StaffActor, number: str) -> DeskRequest:
    """A desk officer takes a waiting request; when two take it at once, one wins."""
    require_perm(actor, Perm.DESK_HANDLE, _("只有服务台可以受理诉求。"))
    asker = Asker.of_staff(actor)
    with transaction.atomic():
        request, _parties = request_load(number, asker, lock=True)
        # The conditional UPDATE is the arbiter (also where row locks are not available).
        won = DeskRequest.objects.filter(
            pk=request.pk, status=RequestStatus.PENDING, handler__isnull=True
        ).update(handler_id=actor.pk, status=RequestStatus.IN_PROGRESS, updated_at=clock.now())
        if not won:
            raise Conflict(_("该诉求已被其他人受理。"), code=DeskError.ALREADY_TAKEN)
        request.refresh_from_db()
        _event(request, RequestStatus.PENDING, actor)
        audit_record(
            actor=actor,
            action=AuditAction.DESK_REQUEST_TRANSITIONED,
            target=request,
            before={"status": RequestStatus.PENDING},
            after={"status": request.status, "action": Action.TAKE, "handler": actor.pk},
        )
    return request


def request_assign(*, actor: StaffActor, number: str, handler_id: int) -> DeskRequest:
    """The desk hands a request to a handler of its center."""
    require_perm(actor, Perm.DESK_HANDLE, _("只有服务台可以分派诉求。"))
    with transaction.atomic():
        request, parties = request_load(number, Asker.of_staff(actor), lock=True)
        handler = staff_list(user=actor).filter(pk=handler_id).first()
        if handler is None or not has_perm(handler, Perm.DESK_ASK):
            raise DeskInvalid(_("本中心没有这名经办人。"), code=DeskError.UNKNOWN_HANDLER)
        request.handler = handler
        if request.status == RequestStatus.IN_PROGRESS:
            request.save(update_fields=["handler", "updated_at"])
            audit_record(
                actor=actor,
                action=AuditAction.DESK_REQUEST_TRANSITIONED,
                target=request,
                after={"handler": handler.pk, "action": Action.ASSIGN},
            )
        else:
            _transition(request, parties, Action.ASSIGN, actor)
    return request


def _message(
    request: DeskRequest, *, kind: str, body: str, asker: Asker, sms: bool
) -> RequestMessage:
    body = (body or "").strip()
    if not body:
        raise DeskInvalid(_("请填写内容。"), code=DeskError.EMPTY_QUESTION)
    if len(body) > MAX_QUESTION:
        raise DeskInvalid(_("内容不超过2000字。"), code=DeskError.INVALID)
    message = RequestMessage.objects.create(
        request=request,
        kind=kind,
        body=body,
        author_staff_id=getattr(asker.staff, "pk", None),
        author_family=asker.family,
        at=clock.now(),
    )
    audit_record(
        actor=asker.audit_actor,
        action=AuditAction.DESK_REQUEST_MESSAGE,
        target=request,
        center_id=request.center_id,
        after={"kind": kind, "message": message.pk, "asker": asker.label},
    )
    if sms and kind == MessageKind.REPLY:
        _reply_sms(request, message)
    return message


def _requester_phone(request: DeskRequest) -> str:
    if request.requester_family_id and request.requester_family:
        return request.requester_family.phone or ""
    return ""


def _reply_sms(request: DeskRequest, message: RequestMessage) -> None:
    """Tell the family member a reply is waiting (officers see it on their own screen).

    The message row is queued in this transaction (sent after commit); an SMS problem (template
    withdrawn, phone rejected) is logged and never blocks the reply itself.
    """
    phone = _requester_phone(request)
    if not phone:
        return
    try:
        with transaction.atomic():
            sms_enqueue(
                center_id=request.center_id,
                template_code="desk_reply",
                phone=phone,
                params={"case_number": request.number},
                dedupe_key=f"desk:reply:{message.pk}",
            )
    except DomainError:
        logger.warning("desk reply SMS not queued for request %s", request.pk, exc_info=True)


def request_reply(
    *, actor: StaffActor, number: str, body: str, visible: bool = True
) -> RequestMessage:
    """A reply the requester sees (and is texted about), or an internal note."""
    asker = Asker.of_staff(actor)
    with transaction.atomic():
        request, parties = request_load(number, asker, lock=True)
        if not parties & {Party.DESK, Party.HANDLER}:
            raise not_found()
        if request.status not in {RequestStatus.IN_PROGRESS, RequestStatus.AWAITING_INFO} and (
            visible
        ):
            raise Conflict(
                _("诉求当前为“%(s)s”，不能答复。") % {"s": request.get_status_display()},
                code=DeskError.BAD_TRANSITION,
            )
        kind = MessageKind.REPLY if visible else MessageKind.NOTE
        return _message(request, kind=kind, body=body, asker=asker, sms=True)


def outstanding_documents(request: DeskRequest) -> list[str]:
    """代办 documents whose last custody link is not the return to the requester."""
    last: dict[str, str] = {}
    for document, action in request.custody.order_by("document", "seq").values_list(
        "document", "action"
    ):
        last[document] = action
    return [d for d, action in last.items() if action != CustodyAction.RETURNED_TO_REQUESTER]


def _staff_step(actor: StaffActor, number: str, action: Action, body: str) -> DeskRequest:
    asker = Asker.of_staff(actor)
    with transaction.atomic():
        request, parties = request_load(number, asker, lock=True)
        held = outstanding_documents(request) if action == Action.CLOSE else []
        if held and parties & {Party.DESK, Party.HANDLER}:
            raise Conflict(
                _("还有材料未交还申请人（%(d)s），请先登记交还再办结。") % {"d": "、".join(held)},
                code=DeskError.CUSTODY_GAP,
            )
        _transition(request, parties, action, actor)
        _message(request, kind=MessageKind.REPLY, body=body, asker=asker, sms=True)
    return request


def request_ask_info(*, actor: StaffActor, number: str, body: str) -> DeskRequest:
    """Ask the requester for more (a visible reply) and wait: 待补充."""
    return _staff_step(actor, number, Action.ASK_INFO, body)


def request_close(*, actor: StaffActor, number: str, body: str) -> DeskRequest:
    """Conclude with a final visible reply."""
    return _staff_step(actor, number, Action.CLOSE, body)


def _load_as_requester(number: str, asker: Asker) -> tuple[DeskRequest, frozenset[Party]]:
    request, parties = request_load(number, asker, lock=True)
    if Party.REQUESTER not in parties:
        raise not_found()
    return request, parties


def request_add_info(*, asker: Asker, number: str, body: str) -> DeskRequest:
    """The requester answers: a message from them; 待补充 goes back to 处理中."""
    with transaction.atomic():
        request, parties = _load_as_requester(number, asker)
        if request.status in {RequestStatus.CLOSED, RequestStatus.WITHDRAWN}:
            raise Conflict(_("诉求已结束，如有新问题请重新提出。"), code=DeskError.BAD_TRANSITION)
        _message(request, kind=MessageKind.REPLY, body=body, asker=asker, sms=False)
        if request.status == RequestStatus.AWAITING_INFO:
            _transition(request, parties, Action.SUPPLY_INFO, asker.staff)
    return request


def request_withdraw(*, asker: Asker, number: str) -> DeskRequest:
    with transaction.atomic():
        request, _parties = _load_as_requester(number, asker)
        _transition(request, frozenset({Party.REQUESTER}), Action.WITHDRAW, asker.staff)
    return request


def request_rate(*, asker: Asker, number: str, rating: int) -> DeskRequest:
    """The requester's satisfaction (1–5) once the request is concluded; once only."""
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        raise DeskInvalid(_("满意度为1到5分。"), code=DeskError.BAD_RATING)
    with transaction.atomic():
        request, _parties = _load_as_requester(number, asker)
        if request.status != RequestStatus.CLOSED:
            raise Conflict(_("办结后才能评价。"), code=DeskError.BAD_RATING)
        if request.rating is not None:
            raise Conflict(_("您已评价过，谢谢。"), code=DeskError.BAD_RATING)
        request.rating = rating
        request.save(update_fields=["rating", "updated_at"])
        audit_record(
            actor=asker.audit_actor,
            action=AuditAction.DESK_REQUEST_MESSAGE,
            target=request,
            center_id=request.center_id,
            after={"rating": rating, "asker": asker.label},
        )
    return request
