"""Demo data of the fees context: last summer's campaign and recent days at the counters."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from typing import Any, cast

from django.db import transaction
from django.utils import timezone

from bianmin.accounts.selectors import staff_list
from bianmin.cases.enums import IdType
from bianmin.core import clock
from bianmin.core.actors import StaffActor
from bianmin.core.permissions import Role
from bianmin.core.workdays import is_workday
from bianmin.fees.enums import FeeKind, Group, PaymentMethod, PaymentStage
from bianmin.fees.models import FreeCopyCount, Payment
from bianmin.fees.quoting import Facts, ItemFee, quote
from bianmin.fees.selectors import campaign_rule, drawer_rows, item_fee, policy_list, policy_rule
from bianmin.fees.services import (
    CampaignInput,
    Payer,
    campaign_save,
    drawer_close,
    fees_load_reference,
    refund_decide,
    refund_request,
)
from bianmin.fees.services.payments import insert_payment
from bianmin.people.idnumber import age_on, make_id_number

_DEMO_SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶"
_DEMO_GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华玉萍红玲芬燕彬鹏辉晓东海春梅秋菊新宏文博涵轩诺怡浩然桐嘉思远"
_DEMO_REGIONS = ("610522", "610502", "610503", "610523", "610524", "610581", "610582")
# (item, variant, weight) of an ordinary day at the counters
_DEMO_MIX: tuple[tuple[str, str, int], ...] = (
    ("HZ02", "", 30),
    ("HZ03", "", 10),
    ("HZ04", "", 10),
    ("HZ10", "", 5),
    ("JG01", "", 10),
    ("JG03", "", 5),
    ("JG05", "", 5),
    ("CR01", "", 8),
    ("CR02", "", 8),
    ("CR03", "single", 3),
    ("CR03", "multi_1y", 2),
    ("JG04", "car_reflective", 3),
    ("JG04", "motorcycle", 1),
)
_DEMO_METHODS = (
    (PaymentMethod.CASH, 35),
    (PaymentMethod.WECHAT, 35),
    (PaymentMethod.ALIPAY, 20),
    (PaymentMethod.UNIONPAY, 10),
)


def fees_demo_history(*, center: Any, rng: random.Random, days: int = 30) -> dict[str, int]:
    """Payments of the last `days` days at the counters, last summer's student campaign with its
    results, a few refunds, drawer closes and free copies. Draws only from `rng`.

    Payments are standalone (walk-in): the demo cases keep their own fee panel for the window.
    Nothing is stamped today: today's drawers start empty, as a real morning does.
    """

    class _Viewer:
        center_id = center.pk

    officers = [cast(StaffActor, o) for o in staff_list(user=_Viewer(), role=Role.OFFICER)]
    director = cast(StaffActor | None, staff_list(user=_Viewer(), role=Role.DIRECTOR).first())
    if not officers or director is None:
        return {}
    fees_load_reference()
    today = clock.today()
    tz = timezone.get_current_timezone()
    year = today.year if today >= date(today.year, 9, 1) else today.year - 1
    campaign = campaign_save(
        actor=director,
        data=CampaignInput(
            name=f"{year}年暑期中小学生免费办证",
            starts_on=date(year, 7, 1),
            ends_on=date(year, 8, 31),
            item_codes=["HZ01", "HZ02", "HZ03"],
            min_age=6,
            max_age=18,
            extra_windows=["W11", "W12"],
            opens_at=time(8, 0),
            closes_at=time(18, 30),
            open_weekends=True,
            public_note="在校中小学生凭学生证或在校证明免费换领、补领居民身份证",
        ),
    )
    rules = [policy_rule(p) for p in policy_list(center_id=center.pk, active_only=True)]
    campaigns = [campaign_rule(campaign)]
    fees: dict[tuple[str, str], ItemFee] = {}

    def fee(code: str, variant: str) -> ItemFee:
        if (code, variant) not in fees:
            fees[code, variant] = item_fee(item_code=code, variant_code=variant)
        return fees[code, variant]

    def name() -> str:
        given = rng.choice(_DEMO_GIVEN) + (rng.choice(_DEMO_GIVEN) if rng.random() < 0.6 else "")
        return rng.choice(_DEMO_SURNAMES) + given

    def person(day: date, age: int) -> str:
        """Someone exactly `age` years old on `day`."""
        birth = day - timedelta(days=age * 365 + age // 4 + rng.randint(1, 360))
        return make_id_number(rng.choice(_DEMO_REGIONS), birth, rng.randint(0, 999))

    def pay(
        officer: Any,
        window: str,
        day: date,
        code: str,
        variant: str,
        age: int,
        groups: frozenset[str],
        evidence: dict[str, str],
        minute: int,
    ) -> Payment:
        id_number = person(day, age)
        q = quote(
            item=fee(code, variant),
            on_date=day,
            facts=Facts(age=age_on(id_number, day), groups=groups, evidence=evidence),
            policies=rules,
            campaigns=campaigns,
        )
        method = (
            PaymentMethod.NONE
            if q.payable_fen == 0
            else rng.choices([m for m, _w in _DEMO_METHODS], [w for _m, w in _DEMO_METHODS])[0]
        )
        at = datetime.combine(day, time(8, 30), tzinfo=tz) + timedelta(minutes=minute)
        with transaction.atomic():
            return insert_payment(
                actor=officer,
                center_id=center.pk,
                q=q,
                method=method,
                payer=Payer(
                    name=name(),
                    gender="male" if int(id_number[16]) % 2 else "female",
                    id_type=IdType.RESIDENT_ID,
                    id_number=id_number,
                ),
                groups=groups,
                evidence=evidence,
                key=f"demo-{rng.getrandbits(96):024x}",
                kind=FeeKind.ITEM,
                stage=PaymentStage.WALK_IN,
                case_id=None,
                case_number="",
                window_code=window,
                at=at,
            )

    counts = {"payments": 0, "campaign_payments": 0}
    shorted = False
    # last summer: students at the extra windows, every day including weekends
    day = campaign.starts_on
    while day <= campaign.ends_on:
        for _n in range(rng.randint(4, 11)):
            code = rng.choices(["HZ01", "HZ02", "HZ03"], [3, 5, 2])[0]
            officer = rng.choice(officers[:4])
            pay(
                officer,
                rng.choice(["W11", "W12"]),
                day,
                code,
                "",
                rng.randint(6, 18),
                frozenset({Group.STUDENT}),
                {Group.STUDENT: "学生证"},
                rng.randint(0, 560),
            )
            counts["campaign_payments"] += 1
        day += timedelta(days=1)
    # the last `days` days at the counters (working days only)
    for back in range(days, 0, -1):
        day = today - timedelta(days=back)
        if not is_workday(day):
            continue
        on_duty = rng.sample(officers, k=min(len(officers), 10))
        windows = {o.pk: f"W{i + 1:02d}" for i, o in enumerate(on_duty)}
        for _n in range(rng.randint(15, 30)):
            code, variant, _w = rng.choices(_DEMO_MIX, [w for *_x, w in _DEMO_MIX])[0]
            groups: frozenset[str] = frozenset()
            evidence: dict[str, str] = {}
            if code in ("HZ02", "HZ03") and rng.random() < 0.06:
                group = rng.choice([Group.DIBAO, Group.WUBAO, Group.YOUFU, Group.POVERTY])
                groups, evidence = frozenset({group}), {group: f"证号 {rng.randint(1000, 9999)}"}
            officer = rng.choice(on_duty)
            pay(
                officer,
                windows[officer.pk],
                day,
                code,
                variant,
                rng.randint(18, 80),
                groups,
                evidence,
                rng.randint(0, 480),
            )
            counts["payments"] += 1
        if 0 < back <= 3:
            for officer in on_duty:
                rows = drawer_rows(center_id=center.pk, day=day, officer_id=officer.pk)
                if not rows:
                    continue
                expected = sum(r.expected_cash_fen for r in rows)
                # one drawer in the demo is 0.50 元 short, explained in its note
                short = 50 if expected >= 50 and not shorted else 0
                shorted = shorted or bool(short)
                drawer_close(
                    actor=officer,
                    day=day,
                    window_code=windows[officer.pk],
                    counted_cash_fen=max(expected - short, 0),
                    note="找零差五角，已登记" if short and expected else "",
                )
    # refunds today: two approved, one waiting for the director
    paid = list(
        Payment.objects.filter(center=center, on_date__lt=today, payable_fen__gt=0).order_by(
            "-collected_at"
        )[:3]
    )
    for i, payment in enumerate(paid):
        refund = refund_request(
            actor=cast(StaffActor, payment.collected_by),
            payment=payment,
            amount_fen=payment.payable_fen,
            reason=["申请人撤回申请", "重复缴费", "收费类型选错"][i],
        )
        if i < 2:
            refund_decide(actor=director, refund=refund, approve=True, note="同意退费")
    # free copies made for recent cases
    FreeCopyCount.objects.bulk_create(
        [
            FreeCopyCount(
                center=center,
                case_number=f"{center.code}-{today - timedelta(days=d):%Y%m%d}-{k:04d}",
                copies=rng.randint(1, 6),
            )
            for d in range(days)
            for k in range(1, rng.randint(2, 6))
        ],
        ignore_conflicts=True,
    )
    return counts
