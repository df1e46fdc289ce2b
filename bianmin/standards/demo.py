"""Demo data of standard management, consistent with today (Asia/Shanghai): a question bank for
a few items (imported through the Excel path), exams and courses, officers at different
certification levels (the board shows gaps), last month's stars from the demo history, and one
published 双随机 inspection."""

import io
import random
from datetime import datetime, time, timedelta
from typing import Any

from django.utils import timezone
from openpyxl import Workbook

from bianmin.accounts.selectors import center_hours, staff_of_center
from bianmin.catalogue.selectors import item_list
from bianmin.core import clock
from bianmin.core.permissions import Role
from bianmin.core.workdays import is_workday
from bianmin.standards.enums import AttemptStatus, CertificateSource
from bianmin.standards.models import Certificate, Course, DutyShift, ExamAttempt, StaffProfile
from bianmin.standards.services import (
    certificates_expire,
    draw_create,
    draw_finish,
    draw_publish,
    draw_run,
    exam_create,
    finding_record,
    questions_import,
    stars_compute,
)

HEADER = [
    "题型",
    "事项编码",
    "业务类别",
    "题目",
    "选项A",
    "选项B",
    "选项C",
    "选项D",
    "答案",
    "解析",
]
BANK = [
    [
        "案例",
        "HZ01",
        "",
        "16 岁公民首次申领居民身份证，需要哪些材料？",
        "居民户口簿",
        "监护人陪同",
        "结婚证",
        "房产证",
        "AB",
        "未满 16 周岁由监护人代为申请；16 岁本人申请，仍应提交户口簿",
    ],
    [
        "单选",
        "HZ01",
        "",
        "首次申领居民身份证收取工本费多少元？",
        "0 元",
        "20 元",
        "40 元",
        "10 元",
        "A",
        "2018 年 4 月 1 日起首次申领免费",
    ],
    ["判断", "HZ01", "", "未满 16 周岁的公民可以自愿申领居民身份证。", "", "", "", "", "对", ""],
    [
        "单选",
        "HZ01",
        "",
        "居民身份证首次申领的承诺时限是？",
        "7 个工作日",
        "30 个工作日",
        "当场",
        "60 个工作日",
        "A",
        "",
    ],
    [
        "单选",
        "HZ02",
        "",
        "居民身份证到期换领的工本费是？",
        "20 元",
        "40 元",
        "10 元",
        "免费",
        "A",
        "",
    ],
    [
        "多选",
        "HZ02",
        "",
        "到期换领居民身份证需要？",
        "本人到场采集人像",
        "交回原证",
        "户口簿",
        "结婚证",
        "ABC",
        "",
    ],
    ["判断", "HZ02", "", "证件到期前 3 个月内可以申请换领。", "", "", "", "", "对", ""],
    [
        "单选",
        "HZ03",
        "",
        "居民身份证丢失补领的工本费是？",
        "40 元",
        "20 元",
        "10 元",
        "免费",
        "A",
        "",
    ],
    [
        "单选",
        "",
        "户政",
        "一次性告知单应在何时出具？",
        "材料不全时当场一次性告知",
        "受理后",
        "办结后",
        "群众要求时",
        "A",
        "",
    ],
    ["判断", "", "户政", "容缺受理只适用于次要材料。", "", "", "", "", "对", ""],
    [
        "单选",
        "JG01",
        "",
        "驾驶证期满换证应在有效期满前多少日内申请？",
        "90 日",
        "30 日",
        "180 日",
        "1 年",
        "A",
        "",
    ],
    ["单选", "JG01", "", "驾驶证期满换证的工本费是？", "10 元", "20 元", "免费", "50 元", "A", ""],
    [
        "多选",
        "JG01",
        "",
        "期满换证需要哪些材料？",
        "身份证明",
        "原驾驶证",
        "身体条件证明",
        "房产证",
        "ABC",
        "",
    ],
    ["判断", "JG03", "", "驾驶证遗失补证可当场办结。", "", "", "", "", "对", ""],
    [
        "单选",
        "",
        "交管",
        "机动车注册登记反光号牌工本费是？",
        "100 元/副",
        "80 元/副",
        "50 元/副",
        "免费",
        "A",
        "",
    ],
]


def _bank_xlsx() -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER)
    for row in BANK:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _certify(officer: Any, items: list[Any], issued: Any, years: int = 2) -> None:
    for item in items:
        Certificate.objects.create(
            center_id=officer.center_id,
            number=f"{officer.center.code}-{issued:%Y}-D{officer.pk:04d}-{item.code}",
            officer=officer,
            item=item,
            source=CertificateSource.EXAM,
            issued_on=issued,
            expires_on=issued.replace(year=issued.year + years),
        )


def _roster(*, center: Any, officers: list[Any], first: Any, today: Any) -> None:
    """Last month's and this week's duty shifts of the window officers on working days: the
    center's opening hours, split at the lunch break (the demo officers sign in at opening)."""
    monday = today - timedelta(days=today.weekday())
    days = [first + timedelta(days=n) for n in range((monday - first).days + 7)]
    days = [d for d in days if d < today.replace(day=1) or d >= monday]
    shifts = []
    for day in days:
        hours = center_hours(center_id=center.pk, day=day) if is_workday(day) else None
        if hours is None:
            continue
        if hours.lunch_from and hours.lunch_to:
            spans = [(hours.opens_at, hours.lunch_from), (hours.lunch_to, hours.closes_at)]
        else:
            spans = [(hours.opens_at, hours.closes_at)]
        shifts += [
            DutyShift(center=center, officer=officer, day=day, start=start, end=end)
            for officer in officers
            for start, end in spans
        ]
    DutyShift.objects.bulk_create(shifts)


def standards_demo_load(*, center: Any, rng: random.Random) -> None:
    today = clock.today()
    director = staff_of_center(center_id=center.pk, role=Role.DIRECTOR).first()
    assert director is not None
    questions_import(actor=director, filename="题库.xlsx", content=_bank_xlsx())
    item_exam = exam_create(
        actor=director,
        name="居民身份证首次申领上岗考试",
        scope="item",
        item_code="HZ01",
        question_count=5,
        time_limit_minutes=20,
        pass_mark=80,
    )
    exam_create(
        actor=director,
        name="户政类业务考试",
        scope="category",
        category="household",
        question_count=8,
        time_limit_minutes=30,
        pass_mark=80,
    )
    exam_create(
        actor=director,
        name="交管类业务考试",
        scope="category",
        category="traffic",
        question_count=5,
        time_limit_minutes=20,
        pass_mark=80,
    )
    exam_create(
        actor=director,
        name="全科综合考试",
        scope="all_round",
        question_count=12,
        time_limit_minutes=40,
        pass_mark=85,
    )
    items = list(item_list())
    by_code = {item.code: item for item in items}
    Course.objects.create(
        center=center,
        title="居民身份证首次申领",
        item=by_code["HZ01"],
        material="一、申请人：16 周岁以上本人申请，未满 16 周岁由监护人代为申请。\n二、材料：居民户口簿；"
        "监护人的身份证件。\n三、首次申领免收工本费。",
        video_url="https://example.com/training/hz01",
    )
    Course.objects.create(
        center=center,
        title="驾驶证期满换证",
        item=by_code["JG01"],
        material="有效期满前 90 日内申请；提交身份证明、身体条件证明。",
        video_url="",
    )
    Course.objects.create(
        center=center,
        title="一次性告知与容缺受理",
        category="household",
        material="材料不全时当场出具一次性告知单，列明全部缺少的材料；次要材料可容缺受理。",
    )
    officers = list(staff_of_center(center_id=center.pk, role=Role.OFFICER))
    household = [i for i in items if i.category == "household"]
    traffic = [i for i in items if i.category == "traffic"]
    # 8 all-round officers certified over the last year (the path chart climbs), 6 for household
    # and traffic, 6 for household only: the board shows the gaps in the other categories.
    for n, officer in enumerate(officers):
        if n < 8:
            _certify(officer, items, today - timedelta(days=330 - n * 40))
        elif n < 14:
            _certify(officer, household, today - timedelta(days=200 + n))
            # officer10's traffic certificates expire in 20 days: the notice shows
            issued = today - timedelta(days=730 - 20) if n == 9 else today - timedelta(days=150)
            _certify(officer, traffic, issued)
        else:
            _certify(officer, household, today - timedelta(days=90 + n))
    certificates_expire(today=today)
    # exam attempts of last month (the skill star reads them)
    first = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    zone = timezone.get_current_timezone()
    for officer in officers[14:]:
        started = datetime.combine(first + timedelta(days=rng.randint(2, 25)), time(9), tzinfo=zone)
        score = rng.choice([60, 80, 100])
        ExamAttempt.objects.create(
            center=center,
            exam=item_exam,
            officer=officer,
            status=AttemptStatus.PASSED if score >= 80 else AttemptStatus.FAILED,
            question_ids=[],
            started_at=started,
            deadline_at=started + timedelta(minutes=20),
            submitted_at=started + timedelta(minutes=15),
            score=score,
        )
    _roster(center=center, officers=officers, first=first, today=today)
    stars_compute(actor=None, center_id=center.pk, month=first)
    # recusal data and one published inspection
    inspector = staff_of_center(center_id=center.pk, role=Role.INSPECTOR).first()
    assert inspector is not None
    # the pool: the inspector account and a named shift leader (双随机 "named staff")
    second = staff_of_center(center_id=center.pk, role=Role.SHIFT_LEADER).first()
    assert second is not None
    StaffProfile.objects.create(center=center, staff=second, team="值班组", window_code="W12")
    StaffProfile.objects.create(
        center=center, staff=inspector, team="督察大队", relatives=["officer05"]
    )
    draw = draw_create(
        actor=director,
        name=f"{first.year}年{first.month}月窗口规范化检查",
        object_type="window",
        objects=[f"W{i:02d}" for i in range(1, 12)],
        k=3,
        inspectors_k=2,
        inspectors=[inspector.username, second.username],
    )
    draw = draw_run(actor=director, draw_id=draw.pk)
    lead = inspector  # the inspector account records; the named leader accompanies
    for n, key in enumerate(draw.selected_objects):
        finding_record(
            actor=lead,
            draw_id=draw.pk,
            object_key=key,
            checklist={"sign": True, "uniform": True, "conduct": True, "signin": n != 0},
            text="上午 8:40 窗口仍无人签到" if n == 0 else "",
            evidence=["检查照片 1 张"] if n == 0 else [],
            rectify_workdays=3 if n == 0 else 0,
        )
    draw_finish(actor=director, draw_id=draw.pk)
    draw_publish(
        actor=director,
        draw_id=draw.pk,
        summary="随机抽查 3 个窗口，检查人员 2 名；发现 1 个窗口开门后未按时签到，已责令 3 个工作日内整改。",
    )
