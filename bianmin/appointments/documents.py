"""The printable day sheet of a mobile team's route (PDF through core.pdf). The sheet goes
with the team into the field, so it carries the full address (the team's own visits only)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django.utils.translation import gettext as _

from bianmin.appointments.models import HomeVisit, MobileTeam
from bianmin.core.pdf import Document


def day_sheet_pdf(*, team: MobileTeam, day: date, visits: Sequence[HomeVisit]) -> bytes:
    doc = Document(title=_("上门服务日程单"))
    doc.heading(_("出诊式上门服务日程单"))
    officers = "、".join(o.full_name for o in team.officers.all())
    doc.field_rows(
        [
            (_("日期"), f"{day:%Y年%m月%d日}"),
            (_("服务队"), team.name),
            (_("队员"), officers),
            (_("车辆"), team.vehicle),
            (_("设备"), "、".join(team.kit) or "—"),
            (_("户数"), str(len(visits))),
        ]
    )
    rows = []
    for visit in visits:
        window = (
            f"{visit.window_from:%H:%M}-{visit.window_to:%H:%M}"
            if visit.window_from and visit.window_to
            else "—"
        )
        rows.append(
            [
                str(visit.route_order or ""),
                window,
                visit.number,
                visit.name_masked,
                f"{visit.town}{visit.community}{visit.address or ''}"
                + (_("（县外）") if visit.is_out_of_area else ""),
                visit.get_reason_display(),
                "、".join(visit.item_codes),
                visit.contact_phone_masked,
            ]
        )
    doc.table(
        [
            _("序"),
            _("时间"),
            _("编号"),
            _("申请人"),
            _("地址"),
            _("原因"),
            _("事项"),
            _("联系人电话"),
        ],
        rows,
    )
    doc.spacer(6)
    doc.paragraph(
        _(
            "请逐户核对身份，拍照、采集指纹、签名后在平板上提交；无网络时数据保存在本机，恢复网络后自动发送。"
        )
    )
    doc.signature_line(_("带队民警签名"))
    return doc.output()
