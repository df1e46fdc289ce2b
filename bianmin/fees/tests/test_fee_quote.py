"""The quote against the loaded catalogue: every fee row of catalogue.md, and bad input."""

from datetime import date

import pytest

from bianmin.core.errors import DomainError
from bianmin.fees.selectors import FEES_DATA_FROM, fee_quote

# catalogue.md: code → standard fee in yuan (an adult, no groups, outside any campaign);
# FREE-HOUSEHOLD makes HZ04 and HZ10 free at the window.
CATALOGUE_FEES = {
    "HZ01": (0, 0),
    "HZ02": (20, 20),
    "HZ03": (40, 40),
    "HZ04": (10, 0),
    "HZ05": (0, 0),
    "HZ06": (0, 0),
    "HZ07": (0, 0),
    "HZ08": (0, 0),
    "HZ09": (0, 0),
    "HZ10": (8, 0),
    "HZ11": (0, 0),
    "HZ12": (0, 0),
    "JG01": (10, 10),
    "JG02": (10, 10),
    "JG03": (10, 10),
    "JG04": (100, 100),
    "JG05": (5, 5),
    "JG06": (100, 100),
    "JG07": (0, 0),
    "JG08": (0, 0),
    "ZA01": (0, 0),
    "ZA02": (0, 0),
    "ZA03": (0, 0),
    "ZA04": (0, 0),
    "ZA05": (0, 0),
    "ZA06": (0, 0),
    "ZA07": (0, 0),
    "ZA08": (0, 0),
    "CR01": (120, 120),
    "CR02": (60, 60),
    "CR03": (15, 15),
    "CR04": (60, 60),
    "JD01": (0, 0),
    "JD02": (0, 0),
    "WA01": (0, 0),
    "WA02": (0, 0),
}
VARIANT_FEES = {
    ("CR03", "single"): 15,
    ("CR03", "two_trips"): 30,
    ("CR03", "multi_1y"): 80,
    ("CR03", "multi_2y"): 120,
    ("CR03", "multi_3y"): 160,
    ("CR03", "multi_long"): 240,
    ("CR04", "permit"): 60,
    ("CR04", "endorse_single"): 15,
    ("CR04", "endorse_multi"): 80,
    ("JG04", "car_reflective"): 100,
    ("JG04", "car_plain"): 80,
    ("JG04", "motorcycle"): 70,
    ("JG04", "trailer"): 50,
    ("JG06", "car_reflective"): 100,
    ("JG06", "motorcycle"): 70,
}
ON = date(2026, 7, 15)


def test_the_table_covers_all_36_items():
    assert len(CATALOGUE_FEES) == 36


def test_every_item_of_the_catalogue(policies, pinned, center, id_of_age):
    adult = id_of_age(40)

    quoted = {}
    for code in CATALOGUE_FEES:
        result = fee_quote(center_id=center.pk, item_code=code, on_date=ON, id_number=adult)
        assert result.waived_fen + result.payable_fen == result.standard_fen
        quoted[code] = (result.standard_fen // 100, result.payable_fen // 100)

    assert quoted == CATALOGUE_FEES


def test_every_fee_variant(policies, pinned, center):
    quoted = {}
    for code, variant in VARIANT_FEES:
        result = fee_quote(center_id=center.pk, item_code=code, variant_code=variant, on_date=ON)
        assert result.item.variant_code == variant
        assert result.payable_fen == result.standard_fen
        quoted[code, variant] = result.standard_fen // 100

    assert quoted == VARIANT_FEES


def test_a_student_in_the_summer_campaign_renews_for_free(summer, pinned, center, id_of_age):
    result = fee_quote(
        center_id=center.pk,
        item_code="HZ02",
        on_date=ON,
        id_number=id_of_age(15),
        groups=["student"],
    )

    assert (result.payable_fen, result.campaign_id) == (0, summer.pk)
    assert [line.policy_code for line in result.lines] == ["STUDENT-HOLIDAY"]


def test_a_cancelled_campaign_waives_nothing(summer, pinned, center, id_of_age):
    summer.is_cancelled = True
    summer.save()

    result = fee_quote(
        center_id=center.pk,
        item_code="HZ02",
        on_date=ON,
        id_number=id_of_age(15),
        groups=["student"],
    )

    assert result.payable_fen == 2000


def test_another_centers_campaign_does_not_apply(summer, pinned, other_center, id_of_age):
    result = fee_quote(
        center_id=other_center.pk,
        item_code="HZ02",
        on_date=ON,
        id_number=id_of_age(15),
        groups=["student"],
    )

    assert result.payable_fen == 2000


@pytest.mark.parametrize(
    ("kwargs", "code", "message"),
    [
        ({"item_code": "XX99"}, "unknown_item", "没有编码为 XX99 的事项"),
        ({"item_code": ""}, "unknown_item", "请提供事项编码"),
        (
            {"item_code": "CR03", "variant_code": "forever"},
            "unknown_variant",
            "事项 CR03 没有收费类型 forever，可选：single（一次有效签注）、two_trips（二次有效签注）、"
            "multi_1y（一年以下多次签注）、multi_2y（一年以上两年以下多次签注）、"
            "multi_3y（两年以上三年以下多次签注）、multi_long（三年以上多次签注）",
        ),
        (
            {"item_code": "HZ02", "variant_code": "single"},
            "unknown_variant",
            "事项 HZ02 没有收费类型之分，不能指定 single",
        ),
        (
            {"item_code": "HZ02", "on_date": date(2019, 5, 31)},
            "date_out_of_range",
            "2019年5月31日 早于收费标准数据的起始日期 2019年6月1日，无法计算",
        ),
        (
            {"item_code": "HZ02", "on_date": date(2027, 7, 17)},
            "date_out_of_range",
            "2027年7月17日 超出可计算的范围：收费标准最远只能计算到 2027年7月16日",
        ),
        (
            {"item_code": "HZ02", "id_number": "610522199001011234"},
            "invalid_id_number",
            "身份证号码无效：校验位错误，应为 9",
        ),
        (
            {"item_code": "HZ02", "groups": ["vip"]},
            "unknown_group",
            "未知的人群类别：vip。可选：low_income（特困群体）、wubao（五保户）、poverty（贫困户）、"
            "relief（定期救济户）、dibao（城市低保）、youfu（优抚对象）、student（中小学生）",
        ),
    ],
)
def test_bad_input_gets_a_clear_chinese_message(policies, pinned, center, kwargs, code, message):
    kwargs = {"on_date": ON, **kwargs}

    with pytest.raises(DomainError) as caught:
        fee_quote(center_id=center.pk, **kwargs)

    assert (caught.value.status, caught.value.code, caught.value.message) == (400, code, message)


def test_the_data_window_starts_with_the_reference_fees():
    assert date(2019, 6, 1) == FEES_DATA_FROM
