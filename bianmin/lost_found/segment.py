"""Chinese word segmentation for search and matching (jieba, search mode).

The same function segments what is indexed and what is asked, so a query word always meets
the indexed word. Stop words and single characters that carry no meaning are dropped.
"""

from __future__ import annotations

import logging
import re
import threading
from functools import lru_cache

import jieba

jieba.setLogLevel(logging.WARNING)

MAX_TOKEN = 32
STOP_WORDS = frozenset(
    "的 了 在 和 与 及 或 是 有 一个 一 个 内 里 上 下 中 被 把 到 拾 拾到 捡到 丢失 遗失 丢 在 于 之".split()
)
_WORD = re.compile(r"[\w\u4e00-\u9fff]")
_lock = threading.Lock()
_ready = False


def _initialise() -> None:
    global _ready
    with _lock:
        if not _ready:
            jieba.initialize()
            _ready = True


@lru_cache(maxsize=4096)
def tokens(text: str) -> tuple[str, ...]:
    """Distinct search words of `text`, in order of first appearance."""
    if not _ready:
        _initialise()
    seen: dict[str, None] = {}
    for raw in jieba.cut_for_search((text or "").lower()):
        word = raw.strip()
        if not word or word in STOP_WORDS or not _WORD.search(word):
            continue
        if len(word) == 1 and not word.isalnum():
            continue
        seen.setdefault(word[:MAX_TOKEN], None)
    return tuple(seen)
