"""The shared rate limiter: `hit(key, limit=, window_seconds=) -> Decision`.

Every process of a centre counts in the same place, so a limit holds however many web
processes (or machines) serve the requests: in Redis when `REDIS_URL` is set
(production), else in the database (`core.RateCounter`, the embedded mode's one SQLite
file). Windows are fixed: a bucket's hits are counted from the start of the current
`window_seconds` slice of Unix time until its end; `retry_after` is the seconds left in
it. A caller names its own buckets (`"api-token-fail:<ip>"`, `"cti-token:<ip>"`…).

    decision = ratelimit.hit(f"api-token-fail:{ip}", limit=20, window_seconds=60)
    if not decision.allowed:
        raise RateLimited(retry_after=decision.retry_after)

`peek` answers the same question without counting a hit (is this bucket over its limit
now?). `peek_many` / `hit_many` do the same for several buckets in one round trip to Redis
(a hot path checks two at once). `hit` counts in its own transaction: call it outside
`transaction.atomic()`, or a rollback of the caller's transaction takes the hit back (on
the database backend).

When Redis does not answer, the limiter lets the request through (and logs it): a Redis
outage must not lock everyone out.
"""

from __future__ import annotations

import hashlib
import logging
import math
import threading
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection, transaction

from postdesk.core.models import RateCounter

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    retry_after: int  # seconds until the window ends (0 when allowed)


def _bucket(key: str, window_seconds: int) -> str:
    bucket = f"{key}:{window_seconds}"
    if len(bucket) > 150:
        bucket = "sha256:" + hashlib.sha256(bucket.encode()).hexdigest()
    return getattr(settings, "POSTDESK_RATELIMIT_PREFIX", "") + bucket


def _window(window_seconds: int, now: float) -> tuple[int, int]:
    """(end of the current window in Unix seconds, seconds left in it, at least 1)."""
    end = (int(now) // window_seconds + 1) * window_seconds
    return end, max(1, math.ceil(end - now))


def hit(key: str, *, limit: int, window_seconds: int, now: float | None = None) -> Decision:
    """Count one hit on `key`; allowed while the window holds at most `limit` hits."""
    if limit < 0 or window_seconds < 1:
        raise ValueError("limit must be >= 0 and window_seconds >= 1")
    now = time.time() if now is None else now
    end, left = _window(window_seconds, now)
    hits = _backend().incr(_bucket(key, window_seconds), end, left)
    if hits is None or hits <= limit:
        return Decision(True, 0)
    return Decision(False, left)


def peek(key: str, *, limit: int, window_seconds: int, now: float | None = None) -> Decision:
    """Whether `key` is over `limit` in the current window, without counting a hit."""
    now = time.time() if now is None else now
    end, left = _window(window_seconds, now)
    hits = _backend().get(_bucket(key, window_seconds), end)
    if hits is None or hits <= limit:
        return Decision(True, 0)
    return Decision(False, left)


def peek_many(checks: list[tuple[str, int, int]], *, now: float | None = None) -> list[Decision]:
    """`peek` for each `(key, limit, window_seconds)`, in one round trip to Redis (MGET)."""
    now = time.time() if now is None else now
    windows = [_window(window, now) for _key, _limit, window in checks]
    names = [
        (_bucket(key, window), end)
        for (key, _l, window), (end, _) in zip(checks, windows, strict=True)
    ]
    counts = _backend().get_many(names)
    return [
        Decision(True, 0) if hits is None or hits <= limit else Decision(False, left)
        for hits, (_key, limit, _w), (_end, left) in zip(counts, checks, windows, strict=True)
    ]


def hit_many(checks: list[tuple[str, int, int]], *, now: float | None = None) -> list[Decision]:
    """`hit` for each `(key, limit, window_seconds)`, in one round trip to Redis (one
    MULTI … EXEC); on the database one upsert each."""
    for _key, limit, window in checks:
        if limit < 0 or window < 1:
            raise ValueError("limit must be >= 0 and window_seconds >= 1")
    now = time.time() if now is None else now
    windows = [_window(window, now) for _key, _limit, window in checks]
    names = [
        (_bucket(key, window), end, left)
        for (key, _l, window), (end, left) in zip(checks, windows, strict=True)
    ]
    counts = _backend().incr_many(names)
    return [
        Decision(True, 0) if hits is None or hits <= limit else Decision(False, left)
        for hits, (_key, limit, _w), (_end, left) in zip(counts, checks, windows, strict=True)
    ]


def purge_expired(*, now: float | None = None) -> int:
    """Delete the database's windows that have ended (Redis expires its own)."""
    now = time.time() if now is None else now
    deleted, _ = RateCounter.objects.filter(window_end__lt=int(now)).delete()
    return deleted


class _Database:
    def incr(self, bucket: str, end: int, left: int) -> int | None:
        table = RateCounter._meta.db_table
        # one statement on both databases (SQLite >= 3.35, PostgreSQL): the upsert is
        # atomic, so concurrent hits from any process are all counted. The table name is
        # our model's; the values are parameters.
        sql = (
            f"INSERT INTO {table} (bucket, window_end, hits) VALUES (%s, %s, 1) "  # noqa: S608 — our model's table; values bound
            f"ON CONFLICT (bucket, window_end) DO UPDATE SET hits = {table}.hits + 1 "
            "RETURNING hits"
        )
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [bucket, end])
            row = cursor.fetchone()
        return int(row[0]) if row else None

    def get(self, bucket: str, end: int) -> int | None:
        return (
            RateCounter.objects.filter(bucket=bucket, window_end=end)
            .values_list("hits", flat=True)
            .first()
        )

    def get_many(self, names: list[tuple[str, int]]) -> list[int | None]:
        rows = RateCounter.objects.filter(
            bucket__in={b for b, _ in names}, window_end__in={e for _, e in names}
        ).values_list("bucket", "window_end", "hits")
        found = {(b, e): h for b, e, h in rows}
        return [found.get(name) for name in names]

    def incr_many(self, names: list[tuple[str, int, int]]) -> list[int | None]:
        return [self.incr(bucket, end, left) for bucket, end, left in names]


class _Redis:
    def __init__(self, url: str) -> None:
        import redis

        self.url = url
        self.client: Any = redis.Redis.from_url(
            url, socket_timeout=1, socket_connect_timeout=1, health_check_interval=30
        )

    def incr(self, bucket: str, end: int, left: int) -> int | None:
        name = f"postdesk:rl:{bucket}:{end}"
        try:
            pipe = self.client.pipeline(transaction=True)  # MULTI … EXEC: one step
            pipe.incr(name)
            pipe.expire(name, left + 1)
            hits, _ = pipe.execute()
            return int(hits)
        except Exception as exc:  # Redis down: let the request through
            log.warning("rate limiter: Redis did not answer (%s); not limiting", exc)
            return None

    def get(self, bucket: str, end: int) -> int | None:
        try:
            value = self.client.get(f"postdesk:rl:{bucket}:{end}")
        except Exception as exc:
            log.warning("rate limiter: Redis did not answer (%s); not limiting", exc)
            return None
        return int(value) if value is not None else None

    def get_many(self, names: list[tuple[str, int]]) -> list[int | None]:
        try:
            values = self.client.mget([f"postdesk:rl:{b}:{e}" for b, e in names])
        except Exception as exc:
            log.warning("rate limiter: Redis did not answer (%s); not limiting", exc)
            return [None] * len(names)
        return [int(v) if v is not None else None for v in values]

    def incr_many(self, names: list[tuple[str, int, int]]) -> list[int | None]:
        try:
            pipe = self.client.pipeline(transaction=True)  # MULTI … EXEC: one step
            for bucket, end, left in names:
                pipe.incr(f"postdesk:rl:{bucket}:{end}")
                pipe.expire(f"postdesk:rl:{bucket}:{end}", left + 1)
            replies = pipe.execute()
        except Exception as exc:  # Redis down: let the request through
            log.warning("rate limiter: Redis did not answer (%s); not limiting", exc)
            return [None] * len(names)
        return [int(hits) for hits in replies[::2]]


_lock = threading.Lock()
_redis: _Redis | None = None


def _backend() -> _Database | _Redis:
    global _redis
    url = settings.REDIS_URL
    if not url:
        return _Database()
    with _lock:
        if _redis is None or _redis.url != url:
            _redis = _Redis(url)
        return _redis
