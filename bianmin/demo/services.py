"""Reference data (every installation) and demo data (a fresh `make run`), with a fixed seed.

Each context owns its data; this module only calls their services, in dependency order.
"""

import random
from dataclasses import dataclass
from typing import cast

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction

from bianmin.accounts.models import Center
from bianmin.accounts.services import center_week_set_standard, staff_create
from bianmin.appointments.demo import appointments_demo_load
from bianmin.cases.demo import cases_demo_history
from bianmin.catalogue.services import catalogue_load_reference
from bianmin.core import clock
from bianmin.core.actors import StaffActor
from bianmin.core.permissions import Role
from bianmin.family_desk.demo import desk_demo_load
from bianmin.fees.demo import fees_demo_history
from bianmin.fees.services import fees_load_reference
from bianmin.hall.demo import hall_demo_history, hall_demo_windows
from bianmin.lost_found.demo import lost_found_demo_history
from bianmin.notifications.demo import notifications_demo_history
from bianmin.notifications.services import notifications_load_reference
from bianmin.people.demo import demo_people
from bianmin.people.selectors import person_count
from bianmin.people.services import person_upsert
from bianmin.ratings.demo import ratings_demo_history
from bianmin.reports.demo import reports_demo_load
from bianmin.standards.demo import standards_demo_load

SEED = 20261128
DEMO_PASSWORD = getattr(settings, "DEMO_PASSWORD", "Bianmin@2026")
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
PROVINCE_ACCOUNT = "province01"


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
    )
    # Real hours (Monday–Friday 08:30–12:00, 13:30–17:30); the director changes them on the
    # 服务时间 screen.
    center_week_set_standard(center=center)
    hall_demo_windows(center=center)
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
    # The province-scope account that edits the province-wide catalogue and calendar (ADR 0007).
    staff_create(
        actor=None,
        username=PROVINCE_ACCOUNT,
        full_name="省级事项管理员",
        role=Role.DIRECTOR,
        center=None,
        password_hash=password_hash,
    )
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
    registrar = cast(StaffActor, admin)
    for data in demo_people(rng, count=residents, today=today):
        person_upsert(actor=registrar, data=data, center=center)
    # Contexts with demo history of their own (hall events, cases, payments, messages) add it
    # here, drawing from `rng` so that the whole demo stays reproducible.
    hall_demo_history(center=center, rng=rng, days=history_days)
    cases_demo_history(center=center, rng=rng, days=history_days)
    notifications_demo_history(center=center, rng=rng, days=history_days)
    fees_demo_history(center=center, rng=rng, days=history_days)
    desk_demo_load(center=center, password_hash=password_hash, rng=rng)
    lost_found_demo_history(center=center, rng=rng)
    standards_demo_load(center=center, rng=rng)
    appointments_demo_load(center=center, rng=rng)
    ratings_demo_history(center=center, rng=rng, days=history_days)
    reports_demo_load(center=center)  # last, from everything above
    return DemoSummary(
        center=center,
        accounts=[*(a[0] for a in ACCOUNTS), PROVINCE_ACCOUNT],
        residents=person_count(center_id=center.pk),
    )
