"""The suite on several pytest-xdist workers (`make test`): each worker has a Redis
database of its own, REDIS_URL's number plus the worker's; a process that a worker
starts keeps the URL it is handed (ARCHITECTURE.md, "Testing")."""

from __future__ import annotations

import os
import subprocess
import sys

CODE = (
    "import os; os.environ['DJANGO_SETTINGS_MODULE'] = 'postdesk.settings';"
    "from django.conf import settings as s;"
    "print(s.REDIS_URL, s.CELERY_BROKER_URL, s.CACHES['default'].get('LOCATION'), sep='|')"
)
OURS = {"REDIS_URL", "PYTEST_XDIST_WORKER", "POSTDESK_TEST_CHILD", "TEST_DATABASE_NAME"}


def _redis_urls(**env: str) -> list[str]:
    """REDIS_URL, the broker's and the cache's URL that a fresh process gets from `env`."""
    clean = {k: v for k, v in os.environ.items() if k not in OURS}
    out = subprocess.run(
        [sys.executable, "-c", CODE],
        env={**clean, "DATABASE_URL": "sqlite:///:memory:", **env},
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return out.stdout.strip().splitlines()[-1].split("|")


def test_each_worker_has_a_redis_database_of_its_own():
    url = "redis://:secret@127.0.0.1:6379/3"
    assert _redis_urls(REDIS_URL=url) == [url] * 3
    assert _redis_urls(REDIS_URL=url, PYTEST_XDIST_WORKER="gw0") == [url] * 3
    second = "redis://:secret@127.0.0.1:6379/4"
    assert _redis_urls(REDIS_URL=url, PYTEST_XDIST_WORKER="gw1") == [second] * 3
    # no number in the URL is database 0
    assert (
        _redis_urls(REDIS_URL="redis://127.0.0.1:6379", PYTEST_XDIST_WORKER="gw1")
        == ["redis://127.0.0.1:6379/1"] * 3
    )


def test_a_process_a_worker_starts_keeps_the_url_it_is_given():
    url = "redis://127.0.0.1:6379/4"
    child = _redis_urls(REDIS_URL=url, PYTEST_XDIST_WORKER="gw1", POSTDESK_TEST_CHILD="1")
    assert child == [url] * 3


def test_without_redis_nothing_is_made_up():
    assert _redis_urls(PYTEST_XDIST_WORKER="gw1") == ["", "memory://", "None"]
