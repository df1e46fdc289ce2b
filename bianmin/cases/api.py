"""The cases API: contracts.md's `POST /cases` and public progress, plus what the pages need."""

from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from ninja import File, Form, Router, Status
from ninja.files import UploadedFile

from bianmin.accounts.api import staff_auth
from bianmin.cases import pipeline, selectors, services
from bianmin.cases.documents import notice_pdf, receipt_pdf
from bianmin.cases.errors import CaseError
from bianmin.cases.models import Case
from bianmin.cases.schemas import (
    AcceptIn,
    ArrivalBatchIn,
    ArrivalRowOut,
    CaseCreatedOut,
    CaseIn,
    CaseOut,
    ConfirmationIn,
    ErrorOut,
    PickupIn,
    ProgressOut,
    QueueItemOut,
    SendBackIn,
    TransitionIn,
)
from bianmin.cases.throttle import progress_lookup
from bianmin.core.actors import StaffActor
from bianmin.core.errors import DomainError, NotFound, PermissionDenied
from bianmin.core.permissions import Perm, has_perm
from bianmin.core.throttling import AnonWindowThrottle
from bianmin.notifications.schemas import BatchOut
from bianmin.notifications.selectors import batch_get, batch_report

MAX_LIST_BYTES = 5 * 1024 * 1024

router = Router(tags=["办件"])

NOT_FOUND_MESSAGE = "没有找到该办件，请核对受理编号和手机号后四位"


def _actor(request: HttpRequest, *perms: Perm) -> Any:
    user = request.auth  # type: ignore[attr-defined]
    if not any(has_perm(user, p) for p in perms):
        raise PermissionDenied("您没有执行此操作的权限")
    return user


def receipt_url(request: HttpRequest, case: Case) -> str | None:
    if case.accepted_at is None:
        return None
    return request.build_absolute_uri(reverse("api-1:case_receipt", kwargs={"number": case.number}))


def notice_url(request: HttpRequest, case: Case, seq: int) -> str:
    return request.build_absolute_uri(
        reverse("api-1:case_notice", kwargs={"number": case.number, "seq": seq})
    )


@router.post(
    "/cases",
    response={200: CaseCreatedOut, 400: ErrorOut, 403: ErrorOut},
    auth=staff_auth,
    summary="登记并预审办件：齐全即受理，不齐出具一次性告知单",
)
def case_create(request: HttpRequest, payload: CaseIn) -> dict[str, Any]:
    actor = _actor(request, Perm.CASE_ACCEPT)
    result = services.case_submit(
        actor=actor,
        item_code=payload.item_code,
        applicant=services.ApplicantInput(
            name=payload.applicant.name,
            id_number=payload.applicant.id_number,
            gender=payload.applicant.gender,
            phone=payload.applicant.phone,
        ),
        materials=dict(payload.materials),
        ticket_id=(payload.ticket_id or "").strip(),
    )
    case = result.case
    return {
        "number": case.number,
        "status": case.status,
        "deadline": case.deadline,
        "missing": result.missing,
        "missing_notice_url": notice_url(request, case, result.notice.seq)
        if result.notice
        else None,
        "receipt_url": receipt_url(request, case),
    }


@router.get(
    "/cases/{number}/progress",
    response={200: ProgressOut, 404: ErrorOut, 429: ErrorOut},
    summary="办理进度查询（公开）",
    description="受理编号加申请时登记的手机号后四位。编号不存在与手机号不符返回相同的 404；"
    "同一客户端对同一编号连续查询失败过多返回 429（逐次加长等待）；其他编号不受影响。",
    throttle=[AnonWindowThrottle("30/m")],
)
def case_progress(request: HttpRequest, number: str, phone_last4: str = "") -> Any:
    return progress_lookup(request=request, number=number, phone_last4=phone_last4)


def _case_out(request: HttpRequest, case: Case) -> dict[str, Any]:
    return {
        "number": case.number,
        "item_code": case.item.code,
        "item_name": case.item.name,
        "applicant_name_masked": case.applicant_name_masked,
        "status": case.status,
        "status_label": pipeline.progress_label(status=case.status, next_stage_=case.next_stage),
        "stage": case.stage,
        "next_stage": case.next_stage,
        "deadline": case.deadline,
        "is_urgent": case.is_urgent,
        "accepted_with_gaps": case.accepted_with_gaps,
        "gaps_open": case.gaps_open,
        "locked_by": str(case.locked_by) if case.locked_by_id else None,
        "materials": list(case.materials.all()),
        "notices": [notice_url(request, case, n.seq) for n in case.notices.order_by("seq")],
        "receipt_url": receipt_url(request, case),
        "events": [
            {
                "type": e.type,
                "from_stage": e.from_stage,
                "to_stage": e.to_stage,
                "actor": str(e.actor) if e.actor_id else None,
                "reason": e.reason,
                "created_at": e.created_at,
            }
            for e in selectors.case_events(case=case)
        ],
    }


STAFF_READ = (Perm.CASE_ACCEPT, Perm.CASE_PROCESS, Perm.CASE_MONITOR)


@router.get(
    "/cases/queue",
    response=list[QueueItemOut],
    auth=staff_auth,
    summary="后台待办队列（加急优先，其次按期限）",
)
def case_queue(
    request: HttpRequest, stage: str = "review", limit: int = 100
) -> list[dict[str, Any]]:
    actor = _actor(request, Perm.CASE_PROCESS)
    if stage not in selectors.QUEUE_STAGES:
        raise DomainError("环节不正确", code=CaseError.INVALID_STAGE)
    return [
        {
            "number": c.number,
            "item_name": c.item.name,
            "applicant_name_masked": c.applicant_name_masked,
            "next_stage": c.next_stage,
            "deadline": c.deadline,
            "is_urgent": c.is_urgent,
            "locked_by": str(c.locked_by) if c.locked_by_id else None,
        }
        for c in selectors.case_queue(user=actor, next_stage=stage)[: max(1, min(limit, 500))]
    ]


@router.post(
    "/cases/arrivals",
    response=list[ArrivalRowOut],
    auth=staff_auth,
    summary="批量到证登记（受理编号或身份证号码）",
)
def case_arrival_batch(request: HttpRequest, payload: ArrivalBatchIn) -> list[Any]:
    actor = _actor(request, Perm.CASE_PROCESS, Perm.CASE_ACCEPT)
    if len(payload.values) > 5000:
        raise DomainError("一次最多登记5000条", code=CaseError.TOO_MANY)
    return services.case_arrival_batch(
        actor=actor, values=payload.values, notify=payload.notify
    ).rows


@router.post(
    "/sms/batches",
    response=BatchOut,
    auth=staff_auth,
    summary="导入到证清单（预览，不登记、不发送）",
)
def arrival_list_preview(
    request: HttpRequest,
    kind: Form[Literal["arrival_list", "plates"]] = "arrival_list",  # type: ignore[assignment]
    lines: Form[str] = "",
    file: UploadedFile | None = File(None),  # noqa: B008 - ninja's parameter marker
) -> Any:
    actor = _actor(request, Perm.SMS_SEND)
    content, filename = b"", ""
    if file is not None:
        if file.size and file.size > MAX_LIST_BYTES:
            raise DomainError(
                "文件超过5MB，请拆分后分批导入。", code=CaseError.ARRIVAL_LIST_INVALID
            )
        content, filename = file.read(), file.name or "upload"
    batch_id = services.arrival_list_preview(
        actor=actor, kind=str(kind), filename=filename, content=content, text=lines
    )
    return _batch_out(actor, batch_id)


@router.post(
    "/sms/batches/{batch_id}/send",
    response=BatchOut,
    auth=staff_auth,
    summary="一键登记到证并发送批次中的全部领取通知",
)
def arrival_list_send(request: HttpRequest, batch_id: int) -> Any:
    actor = _actor(request, Perm.SMS_SEND)
    services.arrival_list_send(actor=actor, batch_id=batch_id)
    return _batch_out(actor, batch_id)


def _batch_out(actor: StaffActor, batch_id: int) -> dict[str, Any]:
    batch = batch_get(user=actor, batch_id=batch_id)
    if batch is None:
        raise NotFound("批次不存在。")
    return batch_report(batch=batch)


@router.get("/cases/{number}", response=CaseOut, auth=staff_auth, summary="办件详情")
def case_detail(request: HttpRequest, number: str) -> dict[str, Any]:
    actor = _actor(request, *STAFF_READ)
    return _case_out(request, selectors.case_get(user=actor, number=number))


@router.post(
    "/cases/{number}/accept", response=CaseOut, auth=staff_auth, summary="受理（含容缺受理）"
)
def case_accept(request: HttpRequest, number: str, payload: AcceptIn) -> dict[str, Any]:
    actor = _actor(request, Perm.CASE_ACCEPT)
    case = services.case_accept(
        actor=actor,
        case=selectors.case_get(user=actor, number=number),
        with_gaps=payload.with_gaps,
        commitment=payload.commitment,
    )
    return _case_out(request, case)


@router.post(
    "/cases/{number}/confirmations",
    response={204: None},
    auth=staff_auth,
    summary="申请人确认姓名、性别、证件类型和号码（填表、窗口、缴费）",
)
def case_confirm(request: HttpRequest, number: str, payload: ConfirmationIn) -> Status:
    actor = _actor(request, Perm.CASE_ACCEPT, Perm.FEE_COLLECT)
    services.case_confirmation_record(
        actor=actor,
        case_number=number,
        stage=payload.stage,
        name=payload.name,
        gender=payload.gender,
        id_type=payload.id_type,
        id_number=payload.id_number,
    )
    return Status(204, None)


@router.post(
    "/cases/{number}/transitions",
    response=CaseOut,
    auth=staff_auth,
    summary="完成当前待办环节（审核、审批、制证、办结）",
)
def case_transition(request: HttpRequest, number: str, payload: TransitionIn) -> dict[str, Any]:
    actor = _actor(request, Perm.CASE_PROCESS, Perm.CASE_ACCEPT)
    case = services.case_advance(
        actor=actor,
        case=selectors.case_get(user=actor, number=number),
        to_stage=payload.to_stage,
        note=payload.note,
    )
    return _case_out(request, case)


@router.post("/cases/{number}/send-back", response=CaseOut, auth=staff_auth, summary="退回上一环节")
def case_send_back(request: HttpRequest, number: str, payload: SendBackIn) -> dict[str, Any]:
    actor = _actor(request, Perm.CASE_PROCESS)
    case = services.case_send_back(
        actor=actor, case=selectors.case_get(user=actor, number=number), reason=payload.reason
    )
    return _case_out(request, case)


@router.post("/cases/{number}/claim", response=CaseOut, auth=staff_auth, summary="认领（锁定）办件")
def case_claim(request: HttpRequest, number: str) -> dict[str, Any]:
    actor = _actor(request, Perm.CASE_PROCESS, Perm.CASE_ACCEPT)
    case = services.case_claim(actor=actor, case=selectors.case_get(user=actor, number=number))
    return _case_out(request, case)


@router.post("/cases/{number}/release", response=CaseOut, auth=staff_auth, summary="释放办件")
def case_release(request: HttpRequest, number: str) -> dict[str, Any]:
    actor = _actor(request, Perm.CASE_PROCESS, Perm.CASE_ACCEPT, Perm.CASE_MONITOR)
    case = services.case_release(actor=actor, case=selectors.case_get(user=actor, number=number))
    return _case_out(request, case)


@router.post(
    "/cases/{number}/arrival",
    response=CaseOut,
    auth=staff_auth,
    summary="到证登记（notify=true 时同时发送领取通知短信）",
)
def case_arrival(request: HttpRequest, number: str, notify: bool = False) -> dict[str, Any]:
    actor = _actor(request, Perm.CASE_PROCESS, Perm.CASE_ACCEPT)
    if notify:
        _actor(request, Perm.SMS_SEND)
    case = services.case_register_arrival(
        actor=actor, case=selectors.case_get(user=actor, number=number), notify=notify
    )
    return _case_out(request, case)


@router.post(
    "/cases/{number}/pickup",
    response=CaseOut,
    auth=staff_auth,
    summary="领证（查验身份证件或刷脸；代领须登记委托）",
)
def case_pickup(request: HttpRequest, number: str, payload: PickupIn) -> dict[str, Any]:
    actor = _actor(request, Perm.CASE_ACCEPT)
    case = services.case_pickup(
        actor=actor,
        case=selectors.case_get(user=actor, number=number),
        method=payload.method,
        proxy_name=payload.proxy_name,
        proxy_id_number=payload.proxy_id_number,
        authorization_note=payload.authorization_note,
        face_check_id=payload.face_check_id,
    )
    return _case_out(request, case)


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@router.get(
    "/cases/{number}/receipt.pdf",
    auth=staff_auth,
    url_name="case_receipt",
    summary="受理回执 PDF（工作人员）",
)
def case_receipt(request: HttpRequest, number: str) -> HttpResponse:
    actor = _actor(request, *STAFF_READ)
    case = selectors.case_get(user=actor, number=number)
    if case.accepted_at is None:
        raise NotFound("该办件尚未受理，没有受理回执", code=CaseError.NO_RECEIPT)
    services.case_document_viewed(actor=actor, case=case, document="receipt")
    return _pdf(receipt_pdf(case, request), f"receipt-{case.number}.pdf")


@router.get(
    "/cases/{number}/notices/{seq}.pdf",
    auth=staff_auth,
    url_name="case_notice",
    summary="一次性告知单 PDF（工作人员）",
)
def case_notice(request: HttpRequest, number: str, seq: int) -> HttpResponse:
    actor = _actor(request, *STAFF_READ)
    case = selectors.case_get(user=actor, number=number)
    notice = selectors.case_notice_get(case=case, seq=seq)
    services.case_document_viewed(actor=actor, case=case, document=f"notice{seq}")
    return _pdf(notice_pdf(notice, request), f"notice-{case.number}-{seq}.pdf")
