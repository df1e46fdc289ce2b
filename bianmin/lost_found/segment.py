"""Chinese word segmentation for search and matching (jieba, search mode).

The same function segments what is indexed and what is asked, so a query word always meets
the indexed word. Stop words and single characters that carry no meaning are dropped.
"""

from __future__ import annotations

import re
from functools import lru_cache

from bianmin.core import segmentation

MAX_TOKEN = 32
STOP_WORDS = frozenset(
    [
        "的",
        "了",
        "在",
        "和",
        "与",
        "及",
        "或",
        "是",
        "有",
        "一个",
        "一",
        "个",
        "内",
        "里",
        "上",
        "下",
        "中",
        "被",
        "把",
        "到",
        "拾",
        "拾到",
        "捡到",
        "丢失",
        "遗失",
        "丢",
        "在",
        "于",
        "之",
    ]
)
_WORD = re.compile(r"[\w\u4e00-\u9fff]")


@lru_cache(maxsize=4096)
def tokens(text: str) -> tuple[str, ...]:
    """Distinct search words of `text`, in order of first appearance."""
    seen: dict[str, None] = {}
    for raw in segmentation.jieba().cut_for_search((text or "").lower()):
        word = raw.strip()
        if not word or word in STOP_WORDS or not _WORD.search(word):
            continue
        if len(word) == 1 and not word.isalnum():
            continue
        seen.setdefault(word[:MAX_TOKEN], None)
    return tuple(seen)


# Common family names: a word jieba tags as a person name (nr) is masked only when it starts
# with one of these, so that things such as 双肩包 are not taken for a name.
SURNAMES = frozenset(
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡"
    "贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段"
    "雷钱汤尹黎易常武乔贺赖龚文欧司上诸"
)


def mask_person_names(text: str) -> str:
    """Replace what looks like a person's name with ＊＊ (public text must not name anyone)."""
    out: list[str] = []
    masking = False
    for pair in segmentation.posseg().cut(text or ""):
        word, flag = pair.word, pair.flag
        is_name = flag.startswith("nr") and (word[0] in SURNAMES or masking)
        if is_name:
            if not masking:
                out.append("＊＊")
            masking = True
            continue
        masking = False
        out.append(word)
    return "".join(out)
