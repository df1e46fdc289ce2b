"""Demo data of the desk: 35 units, 64 procedures written for the demo, synonyms, the desk
account ``desk01``, a few registered family members and requests in every state (dates
relative to today, deadlines by the working-day calendar)."""

import json
import random
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from bianmin.accounts.selectors import staff_list
from bianmin.accounts.services import staff_create
from bianmin.core import clock
from bianmin.core.masking import mask_phone
from bianmin.core.permissions import Role
from bianmin.core.workdays import add_workdays
from bianmin.family_desk import pipeline
from bianmin.family_desk.enums import (
    CustodyAction,
    MessageKind,
    Relation,
    RequestStatus,
    RequestType,
)
from bianmin.family_desk.models import (
    CustodyEntry,
    DeskRequest,
    FamilyMember,
    Procedure,
    RequestEvent,
    RequestMessage,
    Synonym,
    Unit,
)
from bianmin.family_desk.services.family import phone_key

DATA = Path(__file__).parent / "data"

SYNONYMS = [
    ["公积金", "住房公积金"],
    ["社保", "社会保险", "社会保障"],
    ["社保卡", "社会保障卡", "医保卡"],
    ["房产证", "不动产权证书", "房本"],
    ["过户", "转移登记"],
    ["买房", "购房"],
    ["生孩子", "生育"],
    ["上学", "入学"],
    ["个税", "个人所得税"],
    ["低保", "最低生活保障"],
    ["看病", "就医"],
    ["营业执照", "个体工商户设立登记"],
]


def guide_load(*, center: Any, today: Any = None) -> int:
    """Units, procedures and synonyms of the demo guide for `center`; returns procedures made."""
    today = today or clock.today()
    rng = random.Random(center.pk)
    units = {}
    for order, (name, location, phone, hours) in enumerate(
        json.loads((DATA / "units.json").read_text(encoding="utf-8")), start=1
    ):
        units[name] = Unit.objects.create(
            center=center, name=name, location=location, phone=phone, hours=hours, order=order
        )
    made = 0
    for row in json.loads((DATA / "procedures.json").read_text(encoding="utf-8")):
        unit = units[row["u"]]
        # Most were checked this year; a few have gone stale so the desk sees the flag.
        checked = today - timedelta(days=rng.choice([20, 45, 60, 90, 120, 150, 200, 250, 300, 400]))
        Procedure.objects.create(
            center=center,
            unit=unit,
            name=row["n"],
            purpose=row["p"],
            eligibility=row["e"],
            materials="\n".join(row["m"]),
            fee=row["f"],
            time_limit=row["t"],
            time_limit_workdays=row["w"],
            place=unit.location,
            online_channel=row["o"],
            legal_basis=row["b"],
            life_events=row["ev"],
            keywords=row["k"],
            last_checked_on=checked,
            last_checked_by="服务台",
        )
        made += 1
    Synonym.objects.bulk_create(Synonym(center=center, words="=".join(g)) for g in SYNONYMS)
    return made


def _at(day: Any, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def desk_demo_load(*, center: Any, password_hash: str, rng: random.Random) -> dict[str, int]:
    """The demo desk for the demo center (call once, on an empty desk)."""
    today = clock.today()
    with transaction.atomic():
        desk = staff_create(
            actor=None,
            username="desk01",
            full_name="惠民暖警服务台01",
            role=Role.DESK_OFFICER,
            center=center,
            password_hash=password_hash,
        )
        guide_load(center=center, today=today)
        officers = list(staff_list(user=desk).filter(role=Role.OFFICER)[:6])
        members = []
        for i, officer in enumerate(officers[:4]):
            phone = f"1390913{i:04d}"
            members.append(
                FamilyMember.objects.create(
                    center=center,
                    officer=officer,
                    relation=[Relation.SPOUSE, Relation.PARENT, Relation.SPOUSE, Relation.CHILD][i],
                    name=["李秀兰", "王建国", "赵丽娟", "刘晨"][i],
                    phone=phone,
                    phone_index=phone_key(phone),
                    phone_masked=mask_phone(phone),
                )
            )
        procedures = {p.name: p for p in Procedure.objects.filter(center=center)}
        plans = [
            # (days ago, type, procedure, question, final status, from family?)
            (
                40,
                RequestType.CONSULT,
                "购房提取住房公积金",
                "买二手房能不能提取我和爱人两个人的公积金？",
                RequestStatus.CLOSED,
                True,
            ),
            (
                35,
                RequestType.ON_BEHALF,
                "二手房转移登记",
                "我在外地值班回不来，想请服务台代办房屋过户。",
                RequestStatus.CLOSED,
                False,
            ),
            (
                28,
                RequestType.ASSISTED,
                "职工退休申请（基本养老金核定）",
                "明年退休，需要提前准备哪些材料？",
                RequestStatus.CLOSED,
                True,
            ),
            (
                21,
                RequestType.CONSULT,
                "异地就医备案",
                "父亲要去西安住院，怎么备案能直接结算？",
                RequestStatus.CLOSED,
                True,
            ),
            (
                16,
                RequestType.CONSULT,
                "出生医学证明办理",
                "孩子出生后出生证明和上户口一起办吗？",
                RequestStatus.CLOSED,
                False,
            ),
            (
                12,
                RequestType.ASSISTED,
                "生育医疗费用报销",
                "在外地生的孩子，报销单据怎么填？",
                RequestStatus.CLOSED,
                True,
            ),
            (
                9,
                RequestType.ON_BEHALF,
                "社会保障卡挂失补办",
                "母亲社保卡丢了，行动不便，请帮忙补办。",
                RequestStatus.IN_PROGRESS,
                True,
            ),
            (
                7,
                RequestType.CONSULT,
                "义务教育阶段转学",
                "调动工作后孩子转学需要哪些手续？",
                RequestStatus.AWAITING_INFO,
                False,
            ),
            (
                6,
                RequestType.ASSISTED,
                "个人所得税综合所得年度汇算",
                "专项附加扣除填错了能改吗？",
                RequestStatus.IN_PROGRESS,
                False,
            ),
            (
                4,
                RequestType.CONSULT,
                "内地居民结婚登记",
                "户口不在本县能在这里领结婚证吗？",
                RequestStatus.WITHDRAWN,
                True,
            ),
            (
                3,
                RequestType.CONSULT,
                "门诊慢特病待遇认定",
                "高血压能不能办慢病卡？",
                RequestStatus.PENDING,
                True,
            ),
            (
                1,
                RequestType.ASSISTED,
                "住房公积金贷款",
                "想用公积金贷款买房，能帮我看看材料吗？",
                RequestStatus.PENDING,
                False,
            ),
            (0, RequestType.CONSULT, "", "老家的宅基地证明在哪里开？", RequestStatus.PENDING, True),
        ]
        seq: dict[Any, int] = {}
        made = 0
        for days_ago, type_, name, question, final, by_family in plans:
            asked = today - timedelta(days=days_ago)
            procedure = procedures.get(name)
            seq[asked] = seq.get(asked, 0) + 1
            family = members[made % len(members)] if by_family and members else None
            requester = officers[(made + 1) % len(officers)] if officers else desk
            request = DeskRequest.objects.create(
                center=center,
                number=f"HM-{center.code}-{asked:%Y%m%d}-{seq[asked]:03d}",
                type=type_,
                procedure=procedure,
                procedure_text="" if procedure else "宅基地证明",
                question=question,
                status=final,
                requester_staff=None if family else requester,
                requester_family=family,
                handler=desk if final != RequestStatus.PENDING else None,
                created_on=asked,
                due_on=pipeline.due_on(
                    type=type_,
                    asked_on=asked,
                    procedure_workdays=procedure.time_limit_workdays if procedure else None,
                    add_workdays=add_workdays,
                ),
                rating=rng.choice([4, 5, 5, 5]) if final == RequestStatus.CLOSED else None,
                closed_at=_at(asked + timedelta(days=rng.randint(0, 3)), 16)
                if final == RequestStatus.CLOSED
                else None,
            )
            RequestEvent.objects.create(
                request=request, to_status=RequestStatus.PENDING, at=_at(asked, 9, 10)
            )
            if final != RequestStatus.PENDING:
                RequestEvent.objects.create(
                    request=request,
                    from_status=RequestStatus.PENDING,
                    to_status=final,
                    actor=desk,
                    at=_at(asked, 10, 30),
                )
                RequestMessage.objects.create(
                    request=request,
                    kind=MessageKind.NOTE,
                    body="已电话联系单位窗口确认办理要求。",
                    author_staff=desk,
                    at=_at(asked, 10, 0),
                )
                RequestMessage.objects.create(
                    request=request,
                    kind=MessageKind.REPLY,
                    body="您好，已为您向单位确认：请按办事指南准备材料，工作日到对应窗口即可办理，"
                    "有问题随时联系服务台。",
                    author_staff=desk,
                    at=_at(asked, 10, 20),
                )
            if type_ == RequestType.ON_BEHALF and final != RequestStatus.PENDING:
                holder = "申请人家属" if family else "申请民警"
                links = [
                    (CustodyAction.RECEIVED, holder, "惠民暖警服务台"),
                    (
                        CustodyAction.HANDED_TO_UNIT,
                        "惠民暖警服务台",
                        procedure.unit.name if procedure else "办理单位",
                    ),
                ]
                if final == RequestStatus.CLOSED:
                    links += [
                        (CustodyAction.RETURNED_FROM_UNIT, links[1][2], "惠民暖警服务台"),
                        (CustodyAction.RETURNED_TO_REQUESTER, "惠民暖警服务台", holder),
                    ]
                for n, (action, source, target) in enumerate(links, start=1):
                    CustodyEntry.objects.create(
                        request=request,
                        seq=n,
                        document="居民身份证复印件及授权委托书",
                        action=action,
                        from_party=source,
                        to_party=target,
                        signed_by="服务台01" if target == "惠民暖警服务台" else target,
                        at=_at(asked + timedelta(days=n - 1), 11),
                        recorded_by=desk,
                    )
            made += 1
    return {"units": Unit.objects.filter(center=center).count(), "requests": made}
