from contextlib import contextmanager

import pytest
from django.db import connections

from bianmin.core.checks import AUTOVACUUM_OFF, autovacuum_check


class _Cursor:
    def __init__(self, setting: str) -> None:
        self.setting = setting
        self.asked: list[str] = []

    def execute(self, sql: str) -> None:
        self.asked.append(sql)

    def fetchone(self) -> tuple[str]:
        return (self.setting,)


@pytest.mark.parametrize(("setting", "warned"), [("off", True), ("on", False)])
def test_a_postgresql_server_without_autovacuum_is_named(monkeypatch, setting, warned) -> None:
    connection = connections["default"]
    cursor = _Cursor(setting)

    @contextmanager
    def fake_cursor():
        yield cursor

    monkeypatch.setattr(connection, "vendor", "postgresql")
    monkeypatch.setattr(connection, "cursor", fake_cursor)
    found = autovacuum_check(databases=["default"])
    assert cursor.asked == ["SHOW autovacuum"]
    assert [m.id for m in found] == ([AUTOVACUUM_OFF] if warned else [])
    if warned:
        assert "VACUUM ANALYZE" in found[0].hint


def test_other_databases_and_no_database_are_not_asked(monkeypatch) -> None:
    monkeypatch.setattr(connections["default"], "vendor", "sqlite")
    assert autovacuum_check(databases=["default"]) == []
    assert autovacuum_check(databases=None) == []
