"""A served request reads the process-wide cache generations (tokens, hours, guide, hall
settings) once, together (`core.middleware.GenerationSnapshotMiddleware`)."""

from typing import Any

from django.core.cache import cache

from bianmin.core import caching


def test_an_issue_reads_the_process_wide_generations_in_one_round_trip(
    hall, clock, guide, api_client_for, monkeypatch
) -> None:
    client = api_client_for(guide)
    body = {"item_code": "HZ02"}
    assert client.post("/api/v1/tickets", body, content_type="application/json").status_code == 200
    together = set(caching._READ_TOGETHER)
    reads: list[Any] = []
    real_get_many, real_get_or_set = cache.get_many, cache.get_or_set

    def get_many(keys: list[str], *args: Any, **kwargs: Any) -> Any:
        reads.extend(["together"] if set(keys) == together else [])
        return real_get_many(keys, *args, **kwargs)

    def get_or_set(key: str, *args: Any, **kwargs: Any) -> Any:
        reads.extend([key] if key in together else [])
        return real_get_or_set(key, *args, **kwargs)

    monkeypatch.setattr(cache, "get_many", get_many)
    monkeypatch.setattr(cache, "get_or_set", get_or_set)
    response = client.post("/api/v1/tickets", body, content_type="application/json")
    assert response.status_code == 200
    # token, hours, guide and settings generations: one read for all of them, none on its own
    assert reads == ["together"]
