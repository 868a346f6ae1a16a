"""The shared rate limiter (`core.ratelimit`): a limit per fixed window, counted in the
database (embedded mode) or in Redis (production), and exact across processes."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
import uuid

import pytest

from conftest import need_service
from postdesk.core import ratelimit
from postdesk.core.models import RateCounter

pytestmark = pytest.mark.django_db

NOW = 1_800_000_000.0  # a fixed instant: 10 s into a 60-second window (…000 = 30 000 000 × 60)


def redis_url() -> str:
    url = os.environ.get("REDIS_URL") or os.environ.get("REDIS_TEST_URL")
    if not url:
        need_service("Redis", "neither REDIS_URL nor REDIS_TEST_URL is set")
    try:
        import redis

        redis.Redis.from_url(url, socket_timeout=2).ping()
    except Exception as exc:
        need_service("Redis", f"{url}: {exc}")
    return url


@pytest.fixture(params=["database", "redis"])
def backend(request, settings):
    settings.REDIS_URL = "" if request.param == "database" else redis_url()
    return request.param


def test_a_window_allows_its_limit_then_refuses_until_it_ends(backend):
    key = f"login:{uuid.uuid4()}"
    t = NOW + 10
    decisions = [ratelimit.hit(key, limit=3, window_seconds=60, now=t) for _ in range(5)]
    assert [d.allowed for d in decisions] == [True, True, True, False, False]
    assert [d.retry_after for d in decisions] == [0, 0, 0, 50, 50]
    # later in the same window: still refused, with less left to wait
    assert ratelimit.hit(key, limit=3, window_seconds=60, now=t + 45.5) == ratelimit.Decision(
        False, 5
    )
    # the next window starts afresh
    assert ratelimit.hit(key, limit=3, window_seconds=60, now=t + 50).allowed
    # another key is counted apart
    assert ratelimit.hit(key + "-other", limit=3, window_seconds=60, now=t).allowed


def test_peek_counts_nothing(backend):
    key = f"peek:{uuid.uuid4()}"
    for _ in range(10):
        assert ratelimit.peek(key, limit=1, window_seconds=60, now=NOW).allowed
    assert ratelimit.hit(key, limit=1, window_seconds=60, now=NOW).allowed
    assert ratelimit.peek(key, limit=1, window_seconds=60, now=NOW).allowed
    assert not ratelimit.hit(key, limit=1, window_seconds=60, now=NOW).allowed
    assert ratelimit.peek(key, limit=1, window_seconds=60, now=NOW) == ratelimit.Decision(False, 60)


def test_many_at_once_answers_what_one_by_one_answers(backend):
    t = NOW + 10
    a, b, c = (f"many-{n}:{uuid.uuid4()}" for n in "abc")
    checks = [(a, 2, 60), (b, 1, 60), (c, 0, 900), ("y" * 300, 1, 60)]  # a hashed key too
    ok, no = ratelimit.Decision(True, 0), ratelimit.Decision(False, 50)
    no_900 = ratelimit.Decision(False, 890)
    assert ratelimit.peek_many(checks, now=t) == [ok, ok, ok, ok]  # `peek` counts nothing
    rounds = [ratelimit.hit_many(checks, now=t) for _ in range(3)]
    assert rounds == [[ok, ok, no_900, ok], [ok, no, no_900, no], [no, no, no_900, no]]
    one_by_one = [ratelimit.peek(k, limit=n, window_seconds=w, now=t) for k, n, w in checks]
    assert ratelimit.peek_many(checks, now=t) == one_by_one == [no, no, no_900, no]
    assert ratelimit.peek_many([(a, 3, 60), (f"fresh:{uuid.uuid4()}", 0, 60)], now=t) == [ok, ok]
    assert ratelimit.hit(a, limit=3, window_seconds=60, now=t) == no  # the same counters
    with pytest.raises(ValueError):
        ratelimit.hit_many([(a, 1, 0)])


def test_a_zero_limit_refuses_at_once_and_long_keys_are_hashed(backend):
    key = "x" * 500
    assert not ratelimit.hit(key, limit=0, window_seconds=10, now=NOW).allowed
    assert ratelimit.hit(key + "y", limit=1, window_seconds=10, now=NOW).allowed
    with pytest.raises(ValueError):
        ratelimit.hit(key, limit=1, window_seconds=0)


def test_the_database_purges_ended_windows(settings):
    settings.REDIS_URL = ""
    ratelimit.hit("old", limit=5, window_seconds=60, now=time.time() - 3600)
    ratelimit.hit("current", limit=5, window_seconds=60)
    assert RateCounter.objects.count() == 2
    assert ratelimit.purge_expired() == 1
    assert list(RateCounter.objects.values_list("hits", flat=True)) == [1]


def test_redis_down_lets_requests_through(settings):
    from conftest import free_port

    settings.REDIS_URL = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    assert all(ratelimit.hit("k", limit=0, window_seconds=60).allowed for _ in range(2))
    assert ratelimit.peek("k", limit=0, window_seconds=60).allowed
    assert all(d.allowed for d in ratelimit.hit_many([("k", 0, 60), ("j", 0, 60)]))
    assert all(d.allowed for d in ratelimit.peek_many([("k", 0, 60), ("j", 0, 60)]))


WORKER = textwrap.dedent(
    """
    import django, sys
    django.setup()
    from postdesk.core import ratelimit
    if sys.argv[1] == "create":
        from django.db import connection
        from postdesk.core.models import RateCounter
        with connection.schema_editor() as editor:
            editor.create_model(RateCounter)
        sys.exit(0)
    allowed = sum(
        ratelimit.hit(sys.argv[1], limit=50, window_seconds=3600, now=1_800_000_000.0).allowed
        for _ in range(40)
    )
    print(allowed)
    """
)


def _run_processes(env: dict[str, str], key: str, n: int = 4) -> int:
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, key], env=env, stdout=subprocess.PIPE, text=True
        )
        for _ in range(n)
    ]
    outputs = [p.communicate(timeout=120)[0] for p in procs]
    assert all(p.returncode == 0 for p in procs), outputs
    return sum(int(out.strip().splitlines()[-1]) for out in outputs)


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"TEST_DATABASE_NAME", "REDIS_URL"}}
    env.update(DJANGO_SETTINGS_MODULE="postdesk.settings", **extra)
    return env


def test_four_processes_share_one_sqlite_file(tmp_path):
    env = _env(DATABASE_URL=f"sqlite:///{tmp_path}/rl.sqlite3", POSTDESK_VAR_DIR=str(tmp_path))
    subprocess.run([sys.executable, "-c", WORKER, "create"], env=env, check=True, timeout=60)
    # 4 processes × 40 hits on one key with a limit of 50: exactly 50 allowed
    assert _run_processes(env, f"mp:{uuid.uuid4()}") == 50


def test_four_processes_share_redis(tmp_path):
    env = _env(
        DATABASE_URL=f"sqlite:///{tmp_path}/unused.sqlite3",
        POSTDESK_VAR_DIR=str(tmp_path),
        REDIS_URL=redis_url(),
    )
    assert _run_processes(env, f"mp:{uuid.uuid4()}") == 50
