"""The per-process TTL cache: fresh entries answer, stale ones do not, size is bounded."""

from __future__ import annotations

from postdesk.core import ttlcache
from postdesk.core.ttlcache import TTLCache


def test_entries_expire_after_their_seconds(monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(ttlcache.time, "monotonic", lambda: clock[0])
    cache: TTLCache[str, int | None] = TTLCache(10)
    assert cache.get("a") == (False, None)
    cache.put("a", None)  # a remembered "none" is a hit, not a miss
    assert cache.get("a") == (True, None)
    clock[0] += 9.9
    assert cache.get("a") == (True, None)
    clock[0] += 0.2
    assert cache.get("a") == (False, None)


def test_size_is_bounded_and_clear_forgets(monkeypatch):
    cache: TTLCache[int, int] = TTLCache(60, max_size=3)
    for i in range(3):
        cache.put(i, i)
    cache.put(1, 10)  # replacing keeps the others
    assert [cache.get(i) for i in range(3)] == [(True, 0), (True, 10), (True, 2)]
    cache.put(3, 3)  # full: starts again rather than grow
    assert cache.get(0) == (False, None) and cache.get(3) == (True, 3)
    cache.put(4, 4)
    ttlcache.clear_all()
    assert cache.get(4) == (False, None)
