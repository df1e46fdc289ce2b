"""Ranking of the guide for the words a person types (pure: no DB).

The query is cut into words with jieba; each word is widened with the desk's synonyms
(公积金 = 住房公积金) and with the life events it names; each procedure scores by where the words
appear (name first, then the unit, the everyday keywords, the purpose, the materials). Chinese
has no spaces, so a word is found in a field by substring, which also catches words jieba cut
differently from the procedure text.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from bianmin.core import segmentation

# Words that carry no meaning in a question ("我想办理一下…怎么弄").
STOP_WORDS = frozenset(
    [
        "我",
        "想",
        "要",
        "的",
        "了",
        "吗",
        "呢",
        "啊",
        "吧",
        "怎么",
        "怎样",
        "如何",
        "怎么办",
        "办理",
        "办",
        "一下",
        "需要",
        "什么",
        "哪些",
        "哪里",
        "在哪",
        "去",
        "可以",
        "能",
        "能否",
        "是否",
        "请问",
        "你好",
        "您好",
        "我们",
        "他",
        "她",
        "家属",
        "手续",
        "流程",
        "问",
        "和",
        "与",
        "及",
        "给",
        "帮",
        "帮忙",
        "有",
        "没有",
        "多少",
        "多久",
        "时间",
        "带",
        "材料",
        "在",
    ]
)

WEIGHTS = {"name": 10.0, "unit": 4.0, "keywords": 6.0, "events": 5.0, "purpose": 2.0, "body": 1.0}


@dataclass(frozen=True)
class Doc:
    """The searchable text of one procedure."""

    id: int
    name: str
    unit: str
    keywords: str = ""
    events: str = ""  # Chinese labels of its life events
    purpose: str = ""
    body: str = ""  # eligibility, materials, place …


@dataclass
class Query:
    words: list[list[str]] = field(default_factory=list)  # each word with its synonyms
    text: str = ""


def synonym_map(groups: Iterable[Sequence[str]]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for group in groups:
        words = {w.strip() for w in group if w.strip()}
        for word in words:
            out.setdefault(word, set()).update(words)
    return out


def parse(text: str, *, synonyms: dict[str, set[str]], vocabulary: Iterable[str] = ()) -> Query:
    text = "".join((text or "").split())[:60]
    query = Query(text=text)
    if not text:
        return query
    tokenizer = segmentation.jieba()
    # Known desk words are cut whole (e.g. 住房公积金, 不动产登记) whatever jieba's dictionary says.
    words: list[str] = []
    rest = text
    for known in sorted({*synonyms, *vocabulary}, key=len, reverse=True):
        if len(known) >= 2 and known in rest:
            words.append(known)
            rest = rest.replace(known, " ")
    for chunk in rest.split():
        words.extend(w for w in tokenizer.lcut(chunk) if w.strip())
    seen: set[str] = set()
    for word in words:
        if word in STOP_WORDS or word in seen or not word.strip():
            continue
        seen.add(word)
        query.words.append(sorted(synonyms.get(word, set()) | {word}, key=len, reverse=True))
    return query


def score(doc: Doc, query: Query) -> float:
    if not query.words:
        return 0.0
    total = 0.0
    matched = 0
    for alternatives in query.words:
        best = 0.0
        for part, weight in WEIGHTS.items():
            text = getattr(doc, part)
            if any(word in text for word in alternatives):
                best = max(best, weight)
        if best:
            matched += 1
        # A single character (丢, 补) tells less than a word: it counts half.
        total += best / 2 if max(map(len, alternatives)) == 1 else best
    if matched == 0:
        return 0.0
    # A procedure matching every word beats one matching a single word very well.
    total *= matched / len(query.words)
    if query.text and query.text in doc.name:
        total += 20.0
    elif query.text and query.text in doc.keywords.split():
        total += 8.0  # the very phrase people use for it (办退休, 房产证过户)
    if any(doc.name == word for alternatives in query.words for word in alternatives):
        total += 10.0
    return total


def rank(docs: Iterable[Doc], query: Query) -> list[tuple[Doc, float]]:
    scored = [(doc, score(doc, query)) for doc in docs]
    hits = [(doc, s) for doc, s in scored if s > 0]
    # Shorter names first among equals: the general procedure before its special cases.
    hits.sort(key=lambda pair: (-pair[1], len(pair[0].name), pair[0].id))
    return hits
