"""Reference data (every installation) and demo data (a fresh `make run`), with a fixed seed.

Each context owns its data; this module only calls their services, in dependency order.
"""

import datetime as dt
import random
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction

from bianmin.accounts.models import Center
from bianmin.accounts.services import staff_create
from bianmin.cases.services import cases_demo_history
from bianmin.catalogue.services import catalogue_load_reference
from bianmin.core import clock
from bianmin.core.permissions import Role
from bianmin.fees.services import fees_demo_history, fees_load_reference
from bianmin.hall.services import hall_demo_history
from bianmin.lost_found.demo import lost_found_demo_history
from bianmin.notifications.services import (
    notifications_demo_history,
    notifications_load_reference,
)
from bianmin.people.idnumber import make_id_number
from bianmin.people.models import Person
from bianmin.people.services import PersonInput, person_upsert

SEED = 20261128
DEMO_PASSWORD = getattr(settings, "DEMO_PASSWORD", "Bianmin@2026")
WEINAN_REGIONS = [
    "610502",
    "610503",
    "610522",
    "610523",
    "610524",
    "610525",
    "610526",
    "610527",
    "610528",
    "610581",
    "610582",
]
FAMILY_NAMES = list(
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
)
GIVEN_CHARS = list(
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬燕彬鹏辉建国建华志强晓东晓燕海燕春梅秋菊立新宏伟文博子涵梓轩一诺欣怡浩然雨桐嘉怡思远"
)

ACCOUNTS = [
    ("guide01", "导办员一", Role.GUIDE, False),
    ("leader01", "值班长", Role.SHIFT_LEADER, True),
    ("director01", "中心主任", Role.DIRECTOR, False),
    ("inspector01", "督察员", Role.INSPECTOR, False),
    ("backoffice01", "审核民警一", Role.BACK_OFFICE, True),
    ("backoffice02", "审核民警二", Role.BACK_OFFICE, True),
    ("sanitation01", "环卫人员", Role.SANITATION, False),
    ("admin", "系统管理员", Role.ADMINISTRATOR, False),
]


def reference_load() -> dict[str, int]:
    """Reference data every installation needs; safe to run on every start."""
    loaded = {"items": catalogue_load_reference()}
    loaded["sms_templates"] = notifications_load_reference()
    loaded["waiver_policies"] = fees_load_reference()
    # Contexts with reference data of their own add their loader here.
    return loaded


@dataclass(frozen=True)
class DemoSummary:
    center: Center
    accounts: list[str]
    residents: int


def _name(rng: random.Random) -> str:
    given = rng.choice(GIVEN_CHARS)
    if len(given) == 1 and rng.random() < 0.6:
        given += rng.choice(GIVEN_CHARS)[0]
    return rng.choice(FAMILY_NAMES) + given


def demo_people(rng: random.Random, *, count: int, today: date) -> list[PersonInput]:
    people: list[PersonInput] = []
    seen: set[str] = set()
    while len(people) < count:
        birth = today - timedelta(days=rng.randint(2 * 365, 92 * 365))
        sequence = rng.randint(0, 999)
        id_number = make_id_number(rng.choice(WEINAN_REGIONS), birth, sequence)
        if id_number in seen:
            continue
        seen.add(id_number)
        gender = "male" if sequence % 2 else "female"
        phone = f"1{rng.choice('3578')}{rng.randint(0, 9)}{rng.randint(10_000_000, 99_999_999)}"
        people.append(
            PersonInput(
                name=_name(rng),
                id_number=id_number,
                gender=gender,
                phone=phone,
                address="陕西省渭南市潼关县城关街道",
            )
        )
    return people


@transaction.atomic
def demo_load(*, residents: int = 2000, history_days: int = 30) -> DemoSummary:
    """The demo hall of contracts.md; call only on an empty database."""
    rng = random.Random(SEED)
    today = clock.today()
    center = Center.objects.create(
        code="TG",
        name="潼关县公安便民服务中心",
        address="陕西省渭南市潼关县人民之家一楼",
        phone="0913-3822110",
        sms_signature="潼关县公安局",
        # Open around the clock so that a newcomer can try the demo at any hour; a real center
        # sets its hours on the hall settings screen.
        opens_at=dt.time(0, 0),
        closes_at=dt.time(23, 59, 59),
    )
    from bianmin.hall.models import Window

    Window.objects.bulk_create(
        Window(center=center, code=f"W{i:02d}", name=f"{i}号窗口") for i in range(1, 13)
    )
    admin = None
    password_hash = make_password(DEMO_PASSWORD)
    for username, full_name, role, all_round in ACCOUNTS:
        staff = staff_create(
            actor=None,
            username=username,
            full_name=full_name,
            role=role,
            center=center,
            password_hash=password_hash,
            is_all_round=all_round,
        )
        if role == Role.ADMINISTRATOR:
            admin = staff
    for i in range(1, 21):
        staff_create(
            actor=None,
            username=f"officer{i:02d}",
            full_name=f"窗口民警{i:02d}",
            role=Role.OFFICER,
            center=center,
            password_hash=password_hash,
            is_all_round=True,
            badge_number=f"0{61000 + i}",
        )
    for data in demo_people(rng, count=residents, today=today):
        person_upsert(actor=admin, data=data, center=center)
    # Contexts with demo history of their own (hall events, cases, payments, messages) add it
    # here, drawing from `rng` so that the whole demo stays reproducible.
    hall_demo_history(center=center, rng=rng, days=history_days)
    cases_demo_history(center=center, rng=rng, days=history_days)
    notifications_demo_history(center=center, rng=rng, days=history_days)
    fees_demo_history(center=center, rng=rng, days=history_days)
    lost_found_demo_history(center=center, rng=rng)
    return DemoSummary(
        center=center,
        accounts=[a[0] for a in ACCOUNTS],
        residents=Person.objects.filter(center=center).count(),
    )
