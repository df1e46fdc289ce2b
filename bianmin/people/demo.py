"""Demo residents for a fresh `make run`: plausible names, Weinan region codes, valid ID
numbers and mobile numbers, drawn from the caller's seeded random generator."""

import random
from datetime import date, timedelta

from bianmin.people.idnumber import make_id_number
from bianmin.people.services import PersonInput

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
