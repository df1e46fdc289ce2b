"""The 代办 custody chain: every document handed to the desk, link by link, with no gaps.

A document's first link is the desk receiving it; every next link starts with whoever the last
link ended with, never earlier in time; once it is back with the requester the chain is closed.
"""

from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from bianmin.audit.enums import AuditAction
from bianmin.audit.services import audit_record
from bianmin.core import clock
from bianmin.core.actors import StaffActor
from bianmin.core.errors import Conflict
from bianmin.core.pdf import Document
from bianmin.family_desk.enums import CustodyAction, RequestType
from bianmin.family_desk.errors import DeskError
from bianmin.family_desk.models import CustodyEntry, DeskRequest
from bianmin.family_desk.pipeline import Party
from bianmin.family_desk.services.common import Asker, DeskInvalid, not_found
from bianmin.family_desk.services.requests import outstanding_documents, request_load


def _gap(message: str) -> DeskInvalid:
    return DeskInvalid(message, code=DeskError.CUSTODY_GAP)


def custody_record(
    *,
    actor: StaffActor,
    number: str,
    document: str,
    action: str,
    from_party: str,
    to_party: str,
    signed_by: str,
    at: datetime | None = None,
) -> CustodyEntry:
    """Add the next link of one document's chain."""
    document, from_party, to_party, signed_by = (
        (document or "").strip()[:100],
        (from_party or "").strip()[:60],
        (to_party or "").strip()[:60],
        (signed_by or "").strip()[:50],
    )
    if not (document and from_party and to_party and signed_by):
        raise DeskInvalid(_("请填写材料名称、交出方、接收方和签收人。"), code=DeskError.INVALID)
    if action not in CustodyAction.values:
        raise DeskInvalid(_("请选择交接环节。"), code=DeskError.INVALID)
    at = at or clock.now()
    if at > clock.now():
        raise DeskInvalid(_("交接时间不能晚于现在。"), code=DeskError.INVALID)
    with transaction.atomic():
        request, parties = request_load(number, Asker.of_staff(actor), lock=True)
        if not parties & {Party.DESK, Party.HANDLER}:
            raise not_found()
        if request.type != RequestType.ON_BEHALF:
            raise Conflict(_("只有代办诉求需要登记材料交接。"), code=DeskError.INVALID)
        last = (
            CustodyEntry.objects.filter(request=request, document=document).order_by("-seq").first()
        )
        if last is None and action != CustodyAction.RECEIVED:
            raise _gap(_("“%(d)s”尚未登记由服务台接收，请先登记接收。") % {"d": document})
        if last is not None:
            if last.action == CustodyAction.RETURNED_TO_REQUESTER:
                raise _gap(_("“%(d)s”已交还申请人，交接链已结束。") % {"d": document})
            if from_party != last.to_party:
                raise _gap(
                    _("交接链断开：“%(d)s”目前在“%(holder)s”处，交出方应为“%(holder)s”。")
                    % {"d": document, "holder": last.to_party}
                )
            if at < last.at:
                raise _gap(_("交接时间不能早于上一环节。"))
        entry = CustodyEntry.objects.create(
            request=request,
            seq=(last.seq + 1) if last else 1,
            document=document,
            action=action,
            from_party=from_party,
            to_party=to_party,
            signed_by=signed_by,
            at=at,
            recorded_by_id=actor.pk,
        )
        audit_record(
            actor=actor,
            action=AuditAction.DESK_CUSTODY_RECORDED,
            target=request,
            after={"document": document, "seq": entry.seq, "action": action},
        )
    return entry


def custody_chain(request: DeskRequest) -> dict[str, list[CustodyEntry]]:
    chains: dict[str, list[CustodyEntry]] = {}
    for entry in request.custody.order_by("document", "seq"):
        chains.setdefault(entry.document, []).append(entry)
    return chains


def custody_outstanding(request: DeskRequest) -> list[str]:
    """Documents not yet back with the requester."""
    return outstanding_documents(request)


def custody_pdf(*, request: DeskRequest, center_name: str) -> bytes:
    """The printable handover record (代办材料交接登记表)."""
    doc = Document(title=_("代办材料交接登记表"))
    doc.heading(center_name)
    doc.section(_("惠民暖警服务台 代办材料交接登记表"))
    doc.field_rows(
        [
            (_("诉求编号"), request.number),
            (_("办理事项"), request.procedure_label or "—"),
            (_("打印时间"), f"{clock.local(clock.now()):%Y-%m-%d %H:%M}"),
        ]
    )
    for document, links in custody_chain(request).items():
        doc.section(document)
        doc.table(
            [_("序号"), _("环节"), _("时间"), _("交出方"), _("接收方"), _("签收人")],
            [
                [
                    str(link.seq),
                    str(CustodyAction(link.action).label),
                    f"{clock.local(link.at):%Y-%m-%d %H:%M}",
                    link.from_party,
                    link.to_party,
                    link.signed_by,
                ]
                for link in links
            ],
            widths=(1, 2.4, 3, 2.4, 2.4, 2),
        )
    outstanding = custody_outstanding(request)
    doc.paragraph(
        _("尚未交还申请人：%(d)s") % {"d": "、".join(outstanding)}
        if outstanding
        else _("全部材料已交还申请人。")
    )
    doc.signature_line(_("服务台经办人签字"))
    doc.signature_line(_("申请人签字"))
    return doc.output()
