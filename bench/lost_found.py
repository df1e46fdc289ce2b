"""bench/lost_found: the public search over 100,000 found items (Chinese descriptions), p95
latency of the jieba word index against a plain indexed LIKE scan of the same table in the same
run, and matching one new lost report against all items. SQLite and PostgreSQL.

Each backend runs in a child process whose default database is a fresh bench database (so the
real selectors run unchanged): migrate, insert the items and their search words in bulk, then
time each query. Target: search p95 ≤ 50 ms.

    python -m bench lost_found                    # both backends, 100,000 items
    python -m bench.lost_found --rows 20000       # smaller
Environment: BIANMIN_BENCH_PG_URL (default postgres://postgres@127.0.0.1:5432/bianmin_bench_lost_found)
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from typing import Any

from bench._common import ROOT, analyze, backends_main, child_django_setup

RESULTS = ROOT / "bench" / "results" / "lost_found.json"
SQLITE_PATH = ROOT / "var" / "bench" / "lost_found.sqlite3"
PG_URL = os.environ.get(
    "BIANMIN_BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/bianmin_bench_lost_found"
)
TODAY = date(2026, 11, 30)
QUERIES = 60
TARGET_P95_MS = 50.0

COLOURS = [
    "黑色",
    "白色",
    "红色",
    "蓝色",
    "灰色",
    "棕色",
    "粉色",
    "绿色",
    "黄色",
    "紫色",
    "银色",
    "金色",
]
THINGS = {
    "wallet": ["钱包", "长款钱包", "零钱包", "卡包", "皮夹"],
    "electronics": [
        "手机",
        "华为手机",
        "苹果手机",
        "耳机",
        "充电宝",
        "平板电脑",
        "电话手表",
        "笔记本电脑",
    ],
    "keys": ["钥匙", "车钥匙", "电动车钥匙", "门禁卡", "钥匙串"],
    "bag": ["双肩包", "手提包", "书包", "电脑包", "行李箱", "帆布袋"],
    "clothing": ["羽绒服", "外套", "围巾", "帽子", "手套", "毛衣"],
    "other": ["雨伞", "保温杯", "眼镜", "滑板车", "玩具", "水杯", "书本"],
}
DETAILS = [
    "内有银行卡",
    "内有公交卡",
    "挂着小熊挂件",
    "有划痕",
    "贴有卡通贴纸",
    "内有课本",
    "带有学校名称",
    "屏幕碎裂",
    "装有充电器",
    "内有发票",
    "绣有字母",
    "带有钥匙扣",
    "内有雨伞",
]
PLACES = [
    "人民路公交站",
    "东风街口",
    "汽车站候车厅",
    "古城南门广场",
    "农贸市场",
    "县医院门诊楼",
    "黄河大道",
    "金城大街超市",
    "中学门口",
    "政务中心停车场",
    "火车站广场",
    "步行街",
]


def _description(rng: random.Random, category: str) -> str:
    return f"{rng.choice(COLOURS)}{rng.choice(THINGS[category])}，{rng.choice(DETAILS)}"


def _queries(rng: random.Random) -> list[tuple[str, str]]:
    """(words, category) a citizen might type: one or two words, sometimes a category."""
    out = []
    for _ in range(QUERIES):
        category = rng.choice(list(THINGS))
        words = rng.choice(
            [
                rng.choice(THINGS[category]),
                f"{rng.choice(COLOURS)}{rng.choice(THINGS[category])}",
                f"{rng.choice(THINGS[category])} {rng.choice(DETAILS)[2:]}",
            ]
        )
        out.append((words, category if rng.random() < 0.3 else ""))
    return out


# --- parent ----------------------------------------------------------------------------------------


def _table(results: dict[str, Any]) -> None:
    header = f"{'backend':<12}{'query':<24}{'p50':>10}{'p95':>10}{'max':>10}"
    print(header)
    print("-" * len(header))
    for backend, r in results["backends"].items():
        for name in ("jieba_index", "jieba_longest_word_first", "like_scan", "match_report"):
            t = r[name]
            print(
                f"{backend:<12}{name:<24}{t['p50_ms']:>7.2f} ms{t['p95_ms']:>7.2f} ms"
                f"{t['max_ms']:>7.2f} ms"
            )
        verdict = "met" if r["jieba_index"]["p95_ms"] <= TARGET_P95_MS else "MISSED"
        print(
            f"{backend}: {r['rows']:,} items, {r['tokens']:,} index rows, inserted in "
            f"{r['insert_seconds']} s; search p95 target {TARGET_P95_MS:.0f} ms {verdict}; "
            f"same top result as LIKE in {r['agreement']}"
        )


def main(argv: list[str] | None = None) -> int:
    return backends_main(
        argv,
        module="bench.lost_found",
        noun="items",
        default_rows=100_000,
        header=lambda rows: {
            "rows": rows,
            "queries": QUERIES,
            "target_p95_ms": TARGET_P95_MS,
            "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        },
        child=_child,
        table=_table,
        results_path=RESULTS,
        sqlite_path=SQLITE_PATH,
        pg_url=PG_URL,
    )


# --- child: one backend ------------------------------------------------------------------------------


def _child(rows: int) -> dict[str, Any]:
    child_django_setup()
    rng = random.Random(20261130)
    center, staff = _fixtures()
    started = time.perf_counter()
    tokens = _insert(rows, rng, center, staff)
    insert_seconds = round(time.perf_counter() - started, 1)
    analyze()
    queries = _queries(rng)
    jieba_times, like_times, longest_times, agreement = _measure(queries)
    match_times = _measure_matching(rng, center)
    return {
        "rows": rows,
        "tokens": tokens,
        "insert_seconds": insert_seconds,
        "jieba_index": _summary(jieba_times),
        "jieba_longest_word_first": _summary(longest_times),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "like_scan": _summary(like_times),
        "match_report": _summary(match_times),
        "agreement": agreement,
    }


def _fixtures() -> tuple[Any, Any]:
    from django.contrib.auth import get_user_model

    from bianmin.accounts.models import Center
    from bianmin.core.permissions import Role

    center = Center.objects.create(code="TG", name="潼关县公安便民服务中心")
    staff = get_user_model().objects.create(
        username="officer01", full_name="民警", role=Role.OFFICER, center=center
    )
    return center, staff


def _insert(rows: int, rng: random.Random, center: Any, staff: Any) -> int:
    from django.db import transaction

    from bianmin.lost_found.models import FoundItem, FoundItemToken
    from bianmin.lost_found.segment import tokens

    categories = list(THINGS)
    tokens_total = 0
    batch = 5000
    for start in range(0, rows, batch):
        items = []
        for i in range(start, min(start + batch, rows)):
            category = rng.choice(categories)
            found_on = TODAY - timedelta(days=rng.randint(0, 364))
            description = _description(rng, category)
            items.append(
                FoundItem(
                    center=center,
                    number=f"SW-{found_on:%Y%m%d}-{i:06d}",
                    category=category,
                    description=description,
                    public_description=description,
                    found_at=datetime.combine(found_on, datetime.min.time(), tzinfo=UTC),
                    found_on=found_on,
                    place=rng.choice(PLACES),
                    registered_by=staff,
                    status="published",
                    published_on=found_on,
                    claim_deadline=found_on + timedelta(days=366),
                )
            )
        with transaction.atomic():
            created = FoundItem.objects.bulk_create(items)
            words = []
            for item in created:
                for word in tokens(f"{item.public_description} {item.place}"):
                    words.append(
                        FoundItemToken(
                            item_id=item.pk,
                            center_id=center.pk,
                            token=word,
                            category=item.category,
                            found_on=item.found_on,
                            is_public=True,
                        )
                    )
            FoundItemToken.objects.bulk_create(words, batch_size=5000)
            tokens_total += len(words)
    return tokens_total


def _timed(fn: Any) -> tuple[float, Any]:
    started = time.perf_counter()
    value = fn()
    return (time.perf_counter() - started) * 1000, value


def _measure(
    queries: list[tuple[str, str]],
) -> tuple[list[float], list[float], list[float], str]:
    from bianmin.lost_found import selectors
    from bianmin.lost_found.models import FoundItem

    def like(words: str, category: str) -> list[str]:
        qs = FoundItem.objects.filter(status="published")
        for word in words.split():
            qs = qs.filter(description__contains=word)
        if category:
            qs = qs.filter(category=category)
        return list(qs.order_by("-found_on", "-pk").values_list("number", flat=True)[:50])

    selectors.public_search(q="钱包")  # warm the segmenter and the caches
    # The earlier walk (longest word first, no frequencies), in the same run, for comparison.
    ranked_by_frequency = selectors.word_frequency
    selectors.word_frequency = lambda word: 0  # type: ignore[assignment]
    longest_times = []
    try:
        for words, category in queries:
            ms, _found = _timed(
                lambda w=words, c=category: selectors.public_search(q=w, category=c)
            )
            longest_times.append(ms)
    finally:
        selectors.word_frequency = ranked_by_frequency  # type: ignore[assignment]
    jieba_times, like_times, same = [], [], 0
    for words, category in queries:
        ms, found = _timed(lambda w=words, c=category: selectors.public_search(q=w, category=c))
        jieba_times.append(ms)
        ms, baseline = _timed(lambda w=words, c=category: like(w, c))
        like_times.append(ms)
        if found and baseline and found[0].number in baseline:
            same += 1
    return jieba_times, like_times, longest_times, f"{same}/{len(queries)} queries"


def _measure_matching(rng: random.Random, center: Any) -> list[float]:
    from bianmin.lost_found.models import LostReport
    from bianmin.lost_found.segment import tokens
    from bianmin.lost_found.services.matching import match_report_against_items

    times = []
    for i in range(20):
        category = rng.choice(list(THINGS))
        description = _description(rng, category)
        place = rng.choice(PLACES)
        report = LostReport.objects.create(
            center=center,
            number=f"XW-20261130-{i:04d}",
            category=category,
            description=description,
            lost_on=TODAY - timedelta(days=rng.randint(0, 300)),
            place=place,
            phone="13800001111",
            phone_masked="138****1111",
            tokens=list(tokens(f"{description} {place}")),
        )
        ms, _count = _timed(lambda r=report: match_report_against_items(r))
        times.append(ms)
    return times


def _summary(times: list[float]) -> dict[str, float]:
    ordered = sorted(times)
    p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
    return {
        "p50_ms": round(statistics.median(ordered), 2),
        "p95_ms": round(p95, 2),
        "max_ms": round(ordered[-1], 2),
        "n": len(ordered),
    }


if __name__ == "__main__":
    sys.exit(main())
