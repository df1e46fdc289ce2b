"""The receipt (收费收据): standard fee, every waiver with its reason, and the amount paid.

Built from the payment's own snapshot, so a later change of a policy or a fee never changes a
reprinted receipt.
"""

from __future__ import annotations

from bianmin.core import clock
from bianmin.core.pdf import Document, PageKind
from bianmin.fees.enums import FeeKind, PaymentMethod, PaymentStage
from bianmin.fees.models import Payment
from bianmin.fees.quoting import fmt_yuan, window_label


def receipt_pdf(payment: Payment, *, center_name: str, page: PageKind = "receipt80") -> bytes:
    doc = Document(title=f"收费收据 {payment.receipt_number}", page=page)
    doc.heading(center_name)
    doc.section("收费收据" if payment.payable_fen else "收费收据（免费）")
    rows: list[tuple[str, str]] = [("收据编号", payment.receipt_number)]
    if payment.case_number:
        rows.append(("办件编号", payment.case_number))
    item = payment.item_name + (f"（{payment.variant_name}）" if payment.variant_name else "")
    rows += [
        ("事项", f"{payment.item_code} {item}"),
        ("费用", str(FeeKind(payment.kind).label)),
        ("缴费人", payment.payer_name),
    ]
    if payment.payer_id_masked:
        rows.append(("证件号码", payment.payer_id_masked))
    rows.append(("标准工本费", fmt_yuan(payment.standard_fen)))
    for line in payment.lines:
        rows.append((f"减免：{line['policy_name']}", f"-{fmt_yuan(line['waived_fen'])}"))
    rows.append(("实收金额", fmt_yuan(payment.payable_fen)))
    rows.append(("付款方式", str(PaymentMethod(payment.method).label)))
    doc.field_rows(rows)
    if payment.lines:
        doc.section("减免理由")
        for line in payment.lines:
            doc.paragraph(line["explanation"])
    elif payment.standard_fen == 0:
        doc.paragraph("本事项不收取工本费。")
    if payment.refunded_fen:
        doc.paragraph(f"已退费 {fmt_yuan(payment.refunded_fen)}。")
    doc.rule()
    footer: list[tuple[str, str]] = [
        ("收费环节", str(PaymentStage(payment.stage).label)),
        ("收费时间", f"{clock.local(payment.collected_at):%Y-%m-%d %H:%M}"),
        ("收费人", str(payment.collected_by)),
    ]
    if payment.window_code:
        footer.append(("窗口", window_label(payment.window_code)))
    doc.field_rows(footer)
    if payment.waived_fen:
        doc.paragraph(f"本次为您节约 {fmt_yuan(payment.waived_fen)}。", align="center")
    return doc.output()


def receipt_filename(payment: Payment) -> str:
    return f"receipt-{payment.receipt_number}.pdf"
