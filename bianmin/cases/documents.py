"""The two printed documents of a case: the one-time missing-material notice (一次性告知单) and the
acceptance receipt (受理回执). Built from recorded data, so a reprint is identical."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

from django.http import HttpRequest
from django.urls import reverse

from bianmin.accounts.selectors import center_hours
from bianmin.cases.checklist import facts_summary
from bianmin.cases.enums import MaterialState
from bianmin.cases.models import Case, MissingNotice
from bianmin.cases.pipeline import promised_label
from bianmin.core import clock
from bianmin.core.pdf import Document
from bianmin.core.public_urls import public_url


def progress_url(case: Case, request: HttpRequest | None = None) -> str:
    """The public progress page of the case (QR codes): the configured public address, else the
    address the request came to (core.public_urls)."""
    path = f"{reverse('cases:progress')}?{urlencode({'number': case.number})}"
    return public_url(path, request)


def _hours_text(center_id: int, day: date) -> str:
    """Service hours as printed on a notice, from the center's hours (with the lunch break)."""
    hours = center_hours(center_id=center_id, day=day)
    if hours is None:
        return "请致电咨询"
    text = f"{hours.opens_at:%H:%M}–{hours.closes_at:%H:%M}"
    if hours.lunch_from and hours.lunch_to:
        text += f"（{hours.lunch_from:%H:%M}–{hours.lunch_to:%H:%M} 午休）"
    return text


def _officer(staff: object) -> str:
    if staff is None:
        return ""
    name = getattr(staff, "full_name", "") or str(staff)
    badge = getattr(staff, "badge_number", "")
    return f"{name}（警号 {badge}）" if badge else name


def _date(value: object) -> str:
    return value.strftime("%Y年%m月%d日") if value is not None else "—"  # type: ignore[attr-defined]


def notice_pdf(notice: MissingNotice, request: HttpRequest | None = None) -> bytes:
    case = notice.case
    center = case.center
    doc = Document(title=f"一次性告知单 {case.number}", page="a4")
    doc.heading(center.name)
    doc.heading("一次性告知单" if notice.seq == 1 else f"一次性告知单（补充告知 第{notice.seq}次）")
    doc.field_rows(
        [
            ("受理编号", case.number),
            ("申请人", case.applicant_name_masked),
            ("申请事项", f"{case.item.code} {case.item.name}"),
            ("告知日期", _date(clock.local(notice.created_at))),
            ("申请人情况", facts_summary(notice.facts) or "—"),
        ]
    )
    doc.paragraph(
        "您申请办理的事项经材料预审，尚缺以下材料或材料不符合要求。根据《中华人民共和国行政许可法》"
        "第三十二条，现一次性告知如下，请补齐后再来办理，我们将不再要求您提供本告知单以外的材料"
        "（申请人情况发生变化的除外）。",
        indent=True,
    )
    rows = [
        [
            str(i),
            entry["name"],
            "不符合要求" if entry["state"] == MaterialState.DEFECTIVE else "缺少",
            entry.get("reason") or "",
            entry.get("requirement") or "",
            entry.get("legal_basis") or case.item.legal_basis or "—",
        ]
        for i, entry in enumerate(notice.entries, start=1)
    ]
    doc.section(f"需补正材料（共 {len(rows)} 项）")
    doc.table(
        ["序号", "材料名称", "问题", "具体原因", "材料要求", "依据"],
        rows,
        widths=(0.9, 2.2, 1.8, 2.2, 2.6, 2.2),
    )
    if notice.facts_changed:
        doc.paragraph(
            "注：因申请人情况发生变化（已登记），本次补充告知包含首次告知后新增需要的材料。",
            size=10,
        )
    doc.section("补正方式")
    doc.paragraph(
        f"请携带上述材料原件到{center.name}（{center.address or '本中心'}）任一综合窗口办理，"
        f"出示本告知单或报受理编号 {case.number} 即可，无需重新排队取号预审。"
        f"工作时间：工作日 {_hours_text(center.pk, clock.local(notice.created_at).date())}。",
        indent=True,
    )
    doc.field_rows(
        [
            ("咨询电话", center.phone or "—"),
            ("告知民警", _officer(notice.issued_by)),
            ("办理进度查询", "扫描下方二维码，输入手机号后四位"),
        ]
    )
    doc.qr(progress_url(case, request), size_mm=28, caption="扫码查询办理进度")
    doc.signature_line("申请人签收")
    return doc.output()


def receipt_pdf(case: Case, request: HttpRequest | None = None) -> bytes:
    center = case.center
    doc = Document(title=f"受理回执 {case.number}", page="a4")
    doc.heading(center.name)
    doc.heading("受理回执（容缺受理）" if case.accepted_with_gaps else "受理回执")
    accepted = clock.local(case.accepted_at) if case.accepted_at else None
    rows = [
        ("受理编号", case.number),
        ("申请人", case.applicant_name_masked),
        ("申请事项", f"{case.item.code} {case.item.name}"),
        ("受理时间", accepted.strftime("%Y年%m月%d日 %H:%M") if accepted else "—"),
        ("承诺时限", promised_label(case.promised_workdays)),
        ("办结期限", _date(case.deadline)),
        ("受理民警", _officer(case.accepted_by)),
        ("咨询电话", center.phone or "—"),
    ]
    doc.field_rows(rows)
    if case.accepted_with_gaps:
        owed = [
            m.name
            for m in case.materials.all()
            if m.is_required and m.state != MaterialState.PROVIDED
        ]
        doc.section("容缺受理告知")
        doc.paragraph(
            f"本事项已容缺受理。请于 {_date(case.supplement_deadline)} 前补交："
            f"{'、'.join(owed) or '—'}。逾期未补交的，本次申请终止办理。申请人承诺：{case.gap_commitment}",
            indent=True,
        )
        if case.gap_signature:
            doc.signature_image("申请人签名：", case.gap_signature)
    doc.paragraph(
        "请妥善保管本回执，领取证件时请携带本回执和本人身份证件；委托他人代领的，代领人须携带"
        "本人身份证件和委托书。办结期限按国家法定工作日计算，节假日顺延。",
        indent=True,
    )
    doc.qr(
        progress_url(case, request),
        size_mm=32,
        caption=f"扫码查询办理进度（受理编号 {case.number}）",
    )
    doc.signature_line("申请人签收")
    return doc.output()
