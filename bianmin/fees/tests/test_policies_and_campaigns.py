"""Policies as data (new ones without code, with history), campaigns, class lists, free copies."""

import io
from datetime import date, time

import pytest
from openpyxl import Workbook

from bianmin.core.errors import DomainError, PermissionDenied
from bianmin.fees.imports import class_list_import
from bianmin.fees.models import CampaignAppointment, ClassList, WaiverPolicy
from bianmin.fees.quoting import PolicyRule
from bianmin.fees.selectors import campaign_active, fee_quote, policy_revisions
from bianmin.fees.services import (
    CampaignInput,
    campaign_save,
    fees_load_reference,
    free_copies_add,
    policy_save,
    yuan_to_fen,
)
from bianmin.people.selectors import person_list

ON = date(2026, 7, 15)


def test_the_reference_policies_load_once_and_keep_the_directors_edits(catalogue, director):
    assert fees_load_reference() == 3
    policy = WaiverPolicy.objects.get(code="LOW-INCOME")
    policy.name = "困难群众减免"
    policy.save()

    assert fees_load_reference() == 0
    assert WaiverPolicy.objects.get(code="LOW-INCOME").name == "困难群众减免"
    assert sorted(WaiverPolicy.objects.values_list("code", "precedence")) == [
        ("FREE-HOUSEHOLD", 10),
        ("LOW-INCOME", 20),
        ("STUDENT-HOLIDAY", 30),
    ]


def test_a_new_policy_applies_without_code_and_keeps_its_history(
    policies, pinned, director, center, id_of_age
):
    policy = policy_save(
        actor=director,
        reason="县政府常务会议纪要",
        data=PolicyRule(
            code="senior-70",
            name="七十岁以上老人驾驶证换证半价",
            reason="敬老：七十周岁以上换证减半",
            targets=["JG01", "JG02"],
            min_age=70,
            kind="percent",
            percent=50,
            valid_from=date(2026, 7, 1),
        ),
    )
    policy_save(
        actor=director,
        policy=policy,
        reason="扩大到遗失补证",
        data=PolicyRule(
            code=policy.code,
            name=policy.name,
            reason=policy.reason,
            targets=["JG01", "JG02", "JG03"],
            min_age=70,
            kind="percent",
            percent=50,
            valid_from=date(2026, 7, 1),
        ),
    )

    old = fee_quote(center_id=center.pk, item_code="JG03", on_date=ON, id_number=id_of_age(75))
    young = fee_quote(center_id=center.pk, item_code="JG03", on_date=ON, id_number=id_of_age(69))
    assert (old.payable_fen, young.payable_fen) == (500, 1000)
    history = policy_revisions(policy=WaiverPolicy.objects.get(code="SENIOR-70"))
    assert [(h["revision"].reason, h["changed"]) for h in history] == [
        ("扩大到遗失补证", ["适用事项"]),
        ("县政府常务会议纪要", []),
    ]


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"targets": ["XX01"]}, "unknown_item"),
        ({"targets": ["CR03/forever"]}, "unknown_variant"),
        ({"targets": []}, "targets_required"),
        ({"reason": ""}, "reason_required"),
        ({"valid_from": date(2026, 8, 1), "valid_until": date(2026, 7, 1)}, "period_order"),
        ({"min_age": 20, "max_age": 10}, "age_order"),
        ({"percent": 120, "kind": "percent"}, "invalid_amount"),
        ({"kind": "amount", "amount_fen": 0}, "invalid_amount"),
        ({"groups_any": ["vip"]}, "unknown_group"),
    ],
)
def test_a_bad_policy_is_refused_and_nothing_changes(policies, director, changes, code):
    data = PolicyRule(
        **{"code": "TEST-1", "name": "测试", "reason": "测试", "targets": ["HZ02"], **changes}
    )

    with pytest.raises(DomainError) as caught:
        policy_save(actor=director, reason="测试", data=data)

    assert caught.value.code == code
    assert not WaiverPolicy.objects.filter(code="TEST-1").exists()


def test_only_the_director_edits_policies(policies, officer):
    with pytest.raises(PermissionDenied):
        policy_save(
            actor=officer,
            reason="测试",
            data=PolicyRule(code="X-1", name="x", reason="x", targets=("HZ02",)),
        )


@pytest.mark.parametrize(
    ("text", "fen"),
    [("12", 1200), ("12.5", 1250), ("0.01", 1), ("1,200.00", 120000), ("20元", 2000)],
)
def test_yuan_are_parsed_exactly(text, fen):
    assert yuan_to_fen(text) == fen


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("abc", "金额“abc”不是数字，请输入例如 12.50"),
        ("-1", "金额不能为负数"),
        ("1.005", "金额最多精确到分（两位小数）"),
        (1.5, "金额须以数字文本或整数分传入"),
        ("NaN", "金额不是有效数字"),
    ],
)
def test_bad_amounts_get_a_chinese_message(value, message):
    with pytest.raises(DomainError) as caught:
        yuan_to_fen(value)

    assert caught.value.message == message


def summer_input(**changes):
    return CampaignInput(
        **{
            "name": "2026年暑期中小学生免费办证",
            "starts_on": date(2026, 7, 1),
            "ends_on": date(2026, 8, 31),
            "item_codes": ["HZ01", "hz02", "HZ03"],
            "extra_windows": ["w11", "W12"],
            "opens_at": time(8, 0),
            "closes_at": time(18, 30),
            "open_weekends": True,
            "public_note": "学生凭学生证免费换领、补领身份证",
            **changes,
        }
    )


def test_the_director_sets_up_a_summer_campaign(policies, pinned, director, center, id_of_age):
    campaign = campaign_save(actor=director, data=summer_input())

    assert (campaign.item_codes, campaign.extra_windows, campaign.policy.code) == (
        ["HZ01", "HZ02", "HZ03"],
        ["W11", "W12"],
        "STUDENT-HOLIDAY",
    )
    assert campaign_active(center_id=center.pk, on=ON) == campaign
    assert campaign_active(center_id=center.pk, on=date(2026, 9, 1)) is None
    assert (
        fee_quote(
            center_id=center.pk,
            item_code="HZ03",
            on_date=ON,
            id_number=id_of_age(10),
            groups=["student"],
        ).payable_fen
        == 0
    )


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"ends_on": date(2026, 6, 1)}, "period_order"),
        ({"policy_code": "LOW-INCOME"}, "policy_not_campaign"),
        ({"policy_code": "NOPE"}, "unknown_policy"),
        ({"item_codes": ["HZ99"]}, "unknown_item"),
        ({"item_codes": []}, "items_required"),
        ({"extra_windows": ["十一号"]}, "invalid_window"),
        ({"closes_at": None}, "hours_incomplete"),
        ({"opens_at": time(19, 0)}, "hours_order"),
        ({"name": " "}, "name_required"),
    ],
)
def test_a_bad_campaign_is_refused(policies, director, changes, code):
    with pytest.raises(DomainError) as caught:
        campaign_save(actor=director, data=summer_input(**changes))

    assert caught.value.code == code


def workbook(rows, header=("姓名", "公民身份号码", "性别", "学校", "班级", "手机号码")):
    book = Workbook()
    sheet = book.active
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_a_class_list_books_the_whole_class(summer, pinned, officer, id_of_age):
    content = workbook(
        [
            ("王小明", id_of_age(15, sequence=11), "男", "潼关中学", "初三(2)班", "13912345678"),
            ("李小红", id_of_age(14, sequence=22), "女", "潼关中学", "初三(2)班", None),
        ]
    )

    result = class_list_import(
        actor=officer,
        campaign=summer,
        filename="初三2班.xlsx",
        content=content,
        appointment_date=date(2026, 7, 20),
    )

    assert (result.is_rejected, result.appointments_created, result.rows_total) == (False, 2, 2)
    booked = CampaignAppointment.objects.order_by("person__name")
    assert [(a.person.name, a.school, a.class_name, a.appointment_date) for a in booked] == [
        ("李小红", "潼关中学", "初三(2)班", date(2026, 7, 20)),
        ("王小明", "潼关中学", "初三(2)班", date(2026, 7, 20)),
    ]


def test_a_class_list_with_a_bad_row_imports_nothing(summer, pinned, officer, id_of_age):
    good = id_of_age(15, sequence=11)
    content = workbook(
        [
            ("王小明", good, "男", "潼关中学", "初三(2)班", None),
            ("李小红", id_of_age(14, sequence=21), "女", "潼关中学", "初三(2)班", None),
            ("赵大", id_of_age(25, sequence=31), "男", "潼关中学", "初三(2)班", None),
            ("钱二", good, "男", "潼关中学", "初三(2)班", None),
            ("孙三", "610522201201011234", "男", "潼关中学", "", None),
            ("周四", 610522201103011230, "男", "潼关中学", "初三(2)班", None),
        ]
    )

    result = class_list_import(
        actor=officer,
        campaign=summer,
        filename="名单.xlsx",
        content=content,
        appointment_date=date(2026, 7, 20),
    )

    assert result.is_rejected
    assert result.errors == [
        {"row": 3, "message": "性别与身份证号码不符：号码第17位表示男性"},
        {"row": 4, "message": "预约日年龄25周岁，不在活动的6至18周岁范围内"},
        {"row": 5, "message": "与第 2 行的身份证号码重复"},
        {"row": 6, "message": "校验位错误，应为 3"},
        {"row": 7, "message": "公民身份号码须设为文本格式（数字格式会丢失末尾数字）"},
    ]
    assert (person_list(user=officer).count(), CampaignAppointment.objects.count()) == (0, 0)


def test_a_student_already_booked_rolls_the_whole_list_back(summer, pinned, officer, id_of_age):
    first = workbook([("王小明", id_of_age(15, sequence=11), "男", "潼关中学", "初三(2)班", None)])
    class_list_import(
        actor=officer,
        campaign=summer,
        filename="a.xlsx",
        content=first,
        appointment_date=date(2026, 7, 20),
    )
    second = workbook(
        [
            ("张三", id_of_age(13, sequence=41), "男", "潼关中学", "初一(1)班", None),
            ("王小明", id_of_age(15, sequence=11), "男", "潼关中学", "初三(2)班", None),
        ]
    )

    result = class_list_import(
        actor=officer,
        campaign=summer,
        filename="b.xlsx",
        content=second,
        appointment_date=date(2026, 7, 21),
    )

    assert result.errors == [
        {"row": 3, "message": "该学生已预约本活动（2026-07-20，潼关中学初三(2)班）"}
    ]
    assert CampaignAppointment.objects.count() == 1
    assert not person_list(user=officer, text="张三").exists()


@pytest.mark.parametrize(
    ("content", "filename", "day", "code"),
    [
        (b"not a workbook", "a.xlsx", date(2026, 7, 20), "unreadable"),
        (None, "a.csv", date(2026, 7, 20), "not_xlsx"),
        (None, "a.xlsx", date(2026, 9, 20), "date_outside_campaign"),
        (None, "a.xlsx", date(2026, 7, 10), "date_in_past"),
        ("missing", "a.xlsx", date(2026, 7, 20), "missing_columns"),
    ],
)
def test_a_bad_file_is_refused(summer, pinned, officer, content, filename, day, code):
    if content is None:
        content = workbook([])
    elif content == "missing":
        content = workbook([], header=("姓名", "性别"))

    with pytest.raises(DomainError) as caught:
        class_list_import(
            actor=officer, campaign=summer, filename=filename, content=content, appointment_date=day
        )

    assert caught.value.code == code
    assert ClassList.objects.count() == 0


def test_free_copies_are_counted_per_case(policies, officer, center):
    free_copies_add(actor=officer, case_number="TG-1", copies=3)

    assert free_copies_add(actor=officer, case_number="TG-1") == 4
    with pytest.raises(DomainError):
        free_copies_add(actor=officer, case_number="TG-1", copies=0)
