"""Demo data of the lost-and-found platform: a sanitation team, two collection points, about
300 found items over the last thirteen months in every state, and lost reports with matches.

Everything is dated relative to today (the center's day), so the demo stays consistent:
items published more than a year ago are past their claim deadline, documents whose owner is
in the registry were notified by SMS, and many were collected.
"""

from __future__ import annotations

import datetime as dt
import random
from types import SimpleNamespace
from typing import Any

from django.db import transaction
from django.utils import timezone

from bianmin.accounts.selectors import staff_list
from bianmin.core import clock
from bianmin.core.permissions import Role
from bianmin.lost_found.enums import (
    DisposalMethod,
    DisposalStatus,
    DocumentType,
    FoundCategory,
    FoundItemStatus,
    IdentityMethod,
    LostReportStatus,
    MatchStatus,
)
from bianmin.lost_found.models import (
    Claim,
    CollectionPoint,
    Disposal,
    FoundItem,
    FoundItemEvent,
    LostReport,
    Match,
    SanitationTeam,
)
from bianmin.lost_found.segment import tokens
from bianmin.lost_found.services.common import claim_deadline_for
from bianmin.lost_found.services.intake import index_item, public_description_of
from bianmin.lost_found.services.matching import match_report_against_items
from bianmin.people.idnumber import make_id_number, mask_id_number
from bianmin.people.selectors import person_list
from bianmin.people.services import id_number_index

PLACES = [
    "人民路与东风街交叉口",
    "城关镇汽车站候车厅",
    "潼关古城南门广场",
    "秦东镇农贸市场",
    "县医院门诊楼前",
    "黄河大道公交站",
    "金城大街超市门口",
    "太要镇中学门口",
    "西潼高速服务区",
    "县政务中心停车场",
]
DESCRIPTIONS: dict[str, list[str]] = {
    FoundCategory.WALLET: [
        "黑色皮质钱包，内有银行卡",
        "红色长款钱包",
        "棕色短款钱包，内有公交卡",
        "蓝色帆布零钱包",
    ],
    FoundCategory.ELECTRONICS: [
        "黑色华为手机",
        "白色苹果手机，碎屏",
        "蓝牙耳机一副",
        "银色笔记本电脑",
        "儿童电话手表",
    ],
    FoundCategory.KEYS: [
        "钥匙一串，挂蓝色小熊",
        "电动车钥匙",
        "门禁卡和三把钥匙",
        "汽车钥匙，大众车标",
    ],
    FoundCategory.BAG: ["红色双肩包，内有课本", "黑色手提包", "灰色电脑包", "编织袋，内有衣物"],
    FoundCategory.CLOTHING: ["蓝色羽绒服", "儿童红色外套", "黑色棉帽", "灰色围巾"],
    FoundCategory.OTHER: ["雨伞一把", "保温杯", "老花镜", "一袋水果", "儿童滑板车"],
}
WEIGHTS = [
    (FoundCategory.DOCUMENT, 22),
    (FoundCategory.WALLET, 14),
    (FoundCategory.ELECTRONICS, 14),
    (FoundCategory.KEYS, 14),
    (FoundCategory.BAG, 12),
    (FoundCategory.CLOTHING, 10),
    (FoundCategory.OTHER, 14),
]


def _at(day: dt.date, rng: random.Random, *, hour_from: int = 7, hour_to: int = 18) -> dt.datetime:
    local = dt.datetime.combine(day, dt.time(rng.randint(hour_from, hour_to), rng.randint(0, 59)))
    return timezone.make_aware(local)


def _staff(center: Any, role: Role) -> list[Any]:
    return list(staff_list(user=SimpleNamespace(center_id=center.pk), role=role))


def _event(item: FoundItem, to: str, at: dt.datetime, actor: Any, before: str = "") -> None:
    FoundItemEvent.objects.create(item=item, from_status=before, to_status=to, actor=actor, at=at)


@transaction.atomic
def lost_found_demo_history(*, center: Any, rng: random.Random, items: int = 300) -> dict[str, int]:
    """Call on a fresh demo center (after its staff and residents exist)."""
    today = clock.today()
    now = clock.now()
    workers = _staff(center, Role.SANITATION)
    officers = _staff(center, Role.OFFICER)[:6]
    leaders = _staff(center, Role.SHIFT_LEADER)
    if not workers or not officers or not leaders:
        return {"items": 0}
    team = SanitationTeam.objects.create(center=center, name="城关环卫一班")
    team.members.set(workers)
    points = [
        CollectionPoint.objects.create(
            center=center, code="P01", name="中心一楼失物招领柜", address=center.address
        ),
        CollectionPoint.objects.create(
            center=center, code="P02", name="城关派出所保管室", address="潼关县城关镇人民路"
        ),
    ]
    residents = _demo_people(center)
    categories = [c for c, _w in WEIGHTS]
    weights = [w for _c, w in WEIGHTS]
    created = 0
    for index in range(items):
        # The newest dozen arrived today (some still with the worker), the rest over 13 months.
        # and some were published more than a year ago (past their claim deadline).
        if index < 12:
            age = 0
        elif index < 40:
            age = rng.randint(368, 400)
        else:
            age = int(rng.triangular(0, 366, 45))
        found_on = today - dt.timedelta(days=age)
        found_at = _at(found_on, rng)
        if found_at > now:
            found_at = now - dt.timedelta(minutes=rng.randint(5, 300))
            found_on = clock.local(found_at).date()
        category = rng.choices(categories, weights)[0]
        worker = rng.choice(workers)
        officer = rng.choice(officers)
        item = FoundItem(
            center=center,
            number=f"SW-{found_on:%Y%m%d}-{index + 1:04d}",
            category=category,
            found_at=found_at,
            found_on=found_on,
            place=rng.choice(PLACES),
            finder_name=str(worker),
            finder_team=team.name,
            registered_by=worker,
        )
        if category == FoundCategory.DOCUMENT:
            item.document_type = rng.choice(
                [DocumentType.ID_CARD] * 4
                + [DocumentType.DRIVING_LICENCE, DocumentType.SOCIAL_SECURITY_CARD]
            )
            item.description = str(item.get_document_type_display())
            owner = rng.choice(residents) if residents and rng.random() < 0.7 else None
            number = (
                owner.id_number
                if owner
                else make_id_number(
                    "610522", dt.date(1980, 1, 1) + dt.timedelta(days=index), index % 1000
                )
            )
            item.document_number_index = id_number_index(number)
            item.document_number_masked = mask_id_number(number)
            if owner:
                item.owner_person = owner
                item.owner_notified_at = found_at + dt.timedelta(minutes=30)
        else:
            item.description = rng.choice(DESCRIPTIONS[category])
            item.is_perishable = "水果" in item.description
            if category == FoundCategory.WALLET and rng.random() < 0.5:
                item.cash_amount = rng.choice([20, 50, 100, 230, 500])
        item.public_description = public_description_of(
            category=category, description=item.description
        )
        _lifecycle(
            item,
            age=age,
            rng=rng,
            now=now,
            today=today,
            officer=officer,
            leader=rng.choice(leaders),
            point=rng.choice(points),
            worker=worker,
        )
        created += 1
    reports = _demo_reports(center, rng, today=today)
    return {"items": created, "reports": reports}


def _lifecycle(
    item: FoundItem,
    *,
    age: int,
    rng: random.Random,
    now: dt.datetime,
    today: dt.date,
    officer: Any,
    leader: Any,
    point: CollectionPoint,
    worker: Any,
) -> None:
    """Walk the item through the pipeline as far as its age and luck take it."""
    item.status = FoundItemStatus.REGISTERED
    item.save()
    _event(item, FoundItemStatus.REGISTERED, item.found_at, worker)
    if age <= 1 and rng.random() < 0.6:
        index_item(item)
        return
    received = min(item.found_at + dt.timedelta(hours=rng.randint(1, 20)), now)
    item.collection_point = point
    item.storage_location = f"{rng.choice('ABC')}柜{rng.randint(1, 5)}层"
    item.received_at, item.received_by = received, officer
    item.status = FoundItemStatus.STORED
    _event(item, FoundItemStatus.STORED, received, officer, FoundItemStatus.REGISTERED)
    owner_comes = item.owner_notified_at is not None and rng.random() < 0.8
    if item.is_perishable and age > 3:
        _dispose(
            item,
            DisposalMethod.DESTROY,
            received + dt.timedelta(days=3),
            officer,
            leader,
            "已拍照留存，变质销毁",
        )
        return
    if age >= 2:
        published = clock.local(received).date() + dt.timedelta(days=1)
        if published <= today:
            item.published_on = published
            item.claim_deadline = claim_deadline_for(published)
            item.status = FoundItemStatus.PUBLISHED
            _event(
                item,
                FoundItemStatus.PUBLISHED,
                received + dt.timedelta(days=1),
                officer,
                FoundItemStatus.STORED,
            )
    if (owner_comes or rng.random() < 0.3) and age >= 2:
        handed = min(received + dt.timedelta(days=rng.randint(1, min(age, 60))), now)
        item.save()
        Claim.objects.create(
            center=item.center,
            item=item,
            identity_method=rng.choice([IdentityMethod.ID_CARD, IdentityMethod.FACE]),
            claimant_id_index=item.document_number_index or f"demo-{item.number}",
            claimant_id_masked=item.document_number_masked or "610522********0000",
            control_answers="说明了物品特征，核对一致",
            officer=officer,
            handed_over_at=handed,
        )
        before = item.status
        item.status, item.closed_at = FoundItemStatus.RETURNED, handed
        _event(item, FoundItemStatus.RETURNED, handed, officer, before)
        item.save()
        index_item(item)
        return
    if item.claim_deadline and item.claim_deadline < today:
        luck = rng.random()
        method = (
            DisposalMethod.TREASURY
            if item.category == FoundCategory.WALLET
            else rng.choice([DisposalMethod.AUCTION, DisposalMethod.TREASURY])
        )
        if luck < 0.5:
            at = now - dt.timedelta(days=max((today - item.claim_deadline).days - 1, 0))
            _dispose(item, method, at, officer, leader, "认领期限届满无人认领")
            return
        if luck < 0.7:  # waiting for the shift leader
            item.status = FoundItemStatus.DISPOSAL_REQUESTED
            item.save()
            Disposal.objects.create(
                center=item.center,
                item=item,
                method=method,
                note="认领期限届满无人认领",
                requested_by=officer,
            )
            _event(
                item, FoundItemStatus.DISPOSAL_REQUESTED, now, officer, FoundItemStatus.PUBLISHED
            )
            index_item(item)
            return
    item.save()
    index_item(item)


def _dispose(
    item: FoundItem, method: str, at: dt.datetime, officer: Any, leader: Any, note: str
) -> None:
    before = item.status
    item.status, item.closed_at = FoundItemStatus.DISPOSED, at
    item.save()
    Disposal.objects.create(
        center=item.center,
        item=item,
        method=method,
        note=note,
        status=DisposalStatus.APPROVED,
        requested_by=officer,
        decided_by=leader,
        decided_at=at,
    )
    _event(item, FoundItemStatus.DISPOSAL_REQUESTED, at, officer, before)
    _event(item, FoundItemStatus.DISPOSED, at, leader, FoundItemStatus.DISPOSAL_REQUESTED)
    index_item(item)


def _demo_people(center: Any) -> list[Any]:
    return list(person_list(user=SimpleNamespace(center_id=center.pk))[:200])


def _demo_reports(center: Any, rng: random.Random, *, today: dt.date) -> int:
    count = 0
    for index in range(40):
        category = rng.choice([c for c, _w in WEIGHTS if c != FoundCategory.DOCUMENT])
        lost_on = today - dt.timedelta(days=int(rng.triangular(0, 120, 10)))
        description = rng.choice(DESCRIPTIONS[category])
        place = rng.choice(PLACES)
        phone = f"13{rng.randint(0, 9)}{rng.randint(10_000_000, 99_999_999)}"
        report = LostReport.objects.create(
            center=center,
            number=f"XW-{lost_on:%Y%m%d}-{index + 1:04d}",
            category=category,
            description=description,
            lost_on=lost_on,
            place=place,
            phone=phone,
            phone_masked=f"{phone[:3]}****{phone[-4:]}",
            tokens=list(tokens(f"{description} {place}")),
        )
        match_report_against_items(report)
        best = Match.objects.filter(lost_report=report).order_by("-score").first()
        if best is not None and rng.random() < 0.4:
            best.status = MatchStatus.CONFIRMED
            best.decided_at = clock.now()
            best.save()
            report.status = LostReportStatus.MATCHED
            report.save(update_fields=["status"])
        count += 1
    return count
