"""Search quality on the demo guide: ten everyday questions, the right procedure first."""

import pytest

from bianmin.family_desk.demo import guide_load
from bianmin.family_desk.selectors import procedure_search


@pytest.fixture
def demo_guide(center):
    guide_load(center=center)
    return center


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("提取公积金买房", "购房提取住房公积金"),
        ("社保卡丢了", "社会保障卡挂失补办"),
        ("生孩子报销", "生育医疗费用报销"),
        ("结婚登记", "内地居民结婚登记"),
        ("办退休", "职工退休申请（基本养老金核定）"),
        ("房产证过户", "二手房转移登记"),
        ("出生证明", "出生医学证明办理"),
        ("去西安看病怎么备案", "异地就医备案"),
        ("个税汇算", "个人所得税综合所得年度汇算"),
        ("开店办营业执照", "个体工商户设立登记"),
        ("残疾证", "残疾人证办理"),
        ("孩子转学", "义务教育阶段转学"),
    ],
)
def test_everyday_questions_find_the_right_procedure_first(demo_guide, query, first):
    results = procedure_search(center_id=demo_guide.pk, q=query)
    assert results, query
    assert results[0].name == first


def test_synonyms_the_desk_keeps_widen_the_search(demo_guide):
    # "房本" appears in no procedure text: only the synonym group 房产证=不动产权证书=房本 finds it.
    results = procedure_search(center_id=demo_guide.pk, q="房本")
    assert results
    assert "不动产" in results[0].unit.name or "不动产权证书" in results[0].materials


def test_filters_by_unit_and_life_event(demo_guide):
    from bianmin.family_desk.models import Unit

    fund = Unit.objects.get(center=demo_guide, name="住房公积金管理部")
    by_unit = procedure_search(center_id=demo_guide.pk, unit_id=fund.pk)
    assert {p.unit_id for p in by_unit} == {fund.pk}
    births = procedure_search(center_id=demo_guide.pk, event="birth")
    assert births
    assert all("birth" in p.life_events for p in births)
    both = procedure_search(center_id=demo_guide.pk, q="报销", event="birth")
    assert both[0].name == "生育医疗费用报销"


def test_nonsense_finds_nothing(demo_guide):
    assert procedure_search(center_id=demo_guide.pk, q="火星签证") == []


def test_the_guide_of_another_center_is_not_searched(demo_guide, other_center):
    assert procedure_search(center_id=other_center.pk, q="公积金") == []
