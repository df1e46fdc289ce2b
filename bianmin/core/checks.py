"""System checks of the database server the product runs on (`manage.py check --database
default`; `serve` runs them at start).

The hall's hot queries (the people ahead of a ticket, the pool's head) rely on the planner
knowing how many tickets of the day are waiting: a PostgreSQL server with autovacuum off never
refreshes its statistics, takes a table loaded this morning for empty, and counts the people
ahead by walking every ticket of the day (12 ms instead of 3 ms with 11,000 tickets, measured
by bench/hall_load's setup).
"""

from __future__ import annotations

from typing import Any

from django.core.checks import CheckMessage, Tags, Warning, register
from django.db import connections
from django.utils.translation import gettext as _

AUTOVACUUM_OFF = "bianmin.W001"


@register(Tags.database)
def autovacuum_check(databases: Any = None, **kwargs: Any) -> list[CheckMessage]:
    found: list[CheckMessage] = []
    for alias in databases or []:
        connection = connections[alias]
        if connection.vendor != "postgresql":
            continue
        with connection.cursor() as cursor:
            cursor.execute("SHOW autovacuum")
            (setting,) = cursor.fetchone()
        if setting != "on":
            found.append(
                Warning(
                    _(
                        "PostgreSQL 的 autovacuum 已关闭：统计信息不会更新，排队人数等查询会走错"
                        "索引、越来越慢，已删除的行也不会回收。"
                    ),
                    hint=_(
                        "在 postgresql.conf 中设置 autovacuum = on 并重新加载；"
                        "或至少每天营业前对本库执行一次 VACUUM ANALYZE。"
                    ),
                    obj=f"DATABASES[{alias!r}]",
                    id=AUTOVACUUM_OFF,
                )
            )
    return found
