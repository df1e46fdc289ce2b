"""Printable documents: the handover record (交付记录) and the storage location label."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from bianmin.core import clock
from bianmin.core.pdf import Document
from bianmin.core.public_urls import public_url
from bianmin.lost_found.models import Claim, FoundItem


def _officer(staff: object) -> str:
    name = getattr(staff, "full_name", "") or str(staff)
    badge = getattr(staff, "badge_number", "")
    return f"{name}（警号 {badge}）" if badge else name


def handover_pdf(*, item: FoundItem, claim: Claim) -> bytes:
    """One A4 page the claimant signs: the item, the masked identity, the officer, the time."""
    doc = Document(title=_("拾得物交付记录"))
    doc.heading(str(item.center.name))
    doc.heading(_("拾得物交付记录"))
    handed = clock.local(claim.handed_over_at)
    rows = [
        (_("登记编号"), item.number),
        (_("物品类别"), item.get_category_display()),
        (
            _("物品描述"),
            item.description if not item.is_document else item.get_document_type_display(),
        ),
        (_("拾得时间"), f"{clock.local(item.found_at):%Y年%m月%d日 %H:%M}"),
        (_("拾得地点"), item.place),
        (_("招领公告日期"), f"{item.published_on:%Y年%m月%d日}" if item.published_on else "—"),
        (_("领取人证件号码"), claim.claimant_id_masked),
        (_("身份核验方式"), claim.get_identity_method_display()),
        (_("领取人所述特征"), claim.control_answers),
        (_("代领及书面委托"), claim.proxy_authorization if claim.is_proxy else _("本人领取")),
        (_("经办民警"), _officer(claim.officer)),
        (_("交付时间"), f"{handed:%Y年%m月%d日 %H:%M}"),
    ]
    if claim.keeping_cost_paid is not None:
        rows.append((_("支付保管费用"), f"{claim.keeping_cost_paid} 元"))
    if item.reward_note:
        rows.append((_("失主承诺的悬赏"), item.reward_note))
    doc.field_rows(rows)
    doc.paragraph(
        _(
            "领取人确认上述物品已如数领回，物品状况与登记相符。"
            "依照《中华人民共和国民法典》第三百一十七条，权利人领取遗失物时，"
            "应当向拾得人或者有关部门支付保管遗失物等支出的必要费用。"
        ),
        indent=True,
    )
    doc.spacer(6)
    doc.signature_line(_("领取人签名"))
    doc.signature_line(_("经办民警签名"))
    return doc.output()


def label_pdf(*, item: FoundItem, request: HttpRequest | None = None) -> bytes:
    """The 80 mm label stuck on the bag: number, location, and a QR to the staff page."""
    doc = Document(title=_("拾得物保管标签"), page="receipt80")
    doc.heading(_("拾得物保管标签"))
    doc.big_number(item.number.rsplit("-", 1)[-1])
    doc.field_rows(
        [
            (_("登记编号"), item.number),
            (_("类别"), item.get_category_display()),
            (_("拾得日期"), f"{item.found_on:%Y-%m-%d}"),
            (_("保管点"), item.collection_point.name if item.collection_point else "—"),
            (_("存放位置"), item.storage_location or "—"),
        ]
    )
    path = reverse("lost_found:item_detail", kwargs={"number": item.number})
    doc.qr(public_url(path, request), caption=_("民警扫码查看"))
    return doc.output()
