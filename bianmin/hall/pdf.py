"""The printable 80 mm queue ticket as PDF (same content as the print page)."""

from __future__ import annotations

from typing import Any

from bianmin.core import clock
from bianmin.core.pdf import Document
from bianmin.hall.models import Ticket
from bianmin.hall.selectors import ticket_state


def _priority_line(ticket: Ticket) -> str:
    if ticket.priority_claim:
        return f"{ticket.get_priority_claim_display()}（请到导办台确认）"
    return str(ticket.get_priority_display())


def ticket_pdf_bytes(ticket: Ticket, *, position_url: str) -> bytes:
    state = ticket_state(ticket)
    items: list[Any] = [ti.item for ti in ticket.items.select_related("item")]
    doc = Document(title=f"取号凭条 {ticket.number}", page="receipt80")
    doc.heading(ticket.center.name)
    doc.big_number(ticket.number)
    ahead = state["position"]
    if ahead is not None:
        wait = state["estimated_wait_minutes"]
        line = f"您前面还有 {ahead} 人等候"
        if wait:
            line += f"，预计等候约 {wait} 分钟"
        doc.paragraph(line + "。请留意叫号屏幕与语音提示。", align="center")
    doc.rule()
    doc.field_rows(
        [
            ("办理事项", "、".join(item.name for item in items)),
            ("优先类别", _priority_line(ticket)),
            ("取号时间", clock.local(ticket.arrived_at).strftime("%Y-%m-%d %H:%M")),
        ]
    )
    doc.qr(position_url, size_mm=28, caption="微信扫码查看排队进度、登记到号短信提醒")
    doc.paragraph("过号请到导办台重新取号。本号当日有效。", align="center")
    return doc.output()
