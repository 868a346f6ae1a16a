"""Bounded waits on the broker and the cache: a hung Redis (SIGSTOP: connections are
accepted, nothing answers) costs a caller about a second once, then nothing while the
breaker is open; what could not be queued stays for the outbox sweep."""

from __future__ import annotations

import time

import pytest
from django.db import transaction

from postdesk.core import bounded
from postdesk.core.background import enqueue

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def hung_broker(own_redis, settings, celery_broker):
    celery_broker(own_redis.url)
    settings.BACKGROUND_MODE = "celery"
    settings.REDIS_COOLDOWN = 1.0
    bounded.broker.reset()
    yield own_redis
    own_redis.resume()
    bounded.broker.reset()


def test_a_publish_to_a_hung_broker_is_bounded_then_skipped(hung_broker):
    import redis

    from postdesk.notify.tasks import outbox_sweep

    enqueue(outbox_sweep)  # connects while Redis answers
    hung_broker.hang()
    started = time.monotonic()
    enqueue(outbox_sweep)
    first = time.monotonic() - started
    started = time.monotonic()
    for _ in range(20):
        enqueue(outbox_sweep)
    skipped = time.monotonic() - started
    assert first < 1.2, first
    assert skipped < 0.1, skipped
    assert bounded.broker.skipped >= 20

    hung_broker.resume()
    time.sleep(1.1)  # the cooldown passes: the next publish tries, and gets through
    enqueue(outbox_sweep)
    assert not bounded.broker.broken
    client = redis.Redis(port=hung_broker.port)
    assert client.llen("notifications") >= 2  # before the hang, and after it


def test_work_recorded_while_the_broker_hangs_is_committed_and_left_for_the_sweep(
    hung_broker, staff, settings
):
    from postdesk.notify.models import Notification, OutboxMessage
    from postdesk.notify.services import notify_users, outbox_sweep

    hung_broker.hang()
    started = time.monotonic()
    with transaction.atomic():
        notify_users(users=[staff["agent1"]], key="hung:1", title="一")
        notify_users(users=[staff["agent2"]], key="hung:2", title="二")
    took = time.monotonic() - started
    assert took < 1.5, took  # one bounded wait for both, not one each
    assert OutboxMessage.objects.filter(status="pending").count() == 2
    assert outbox_sweep() == 2  # the sweep delivers it (here: run in this process)
    assert Notification.objects.count() == 2


def test_the_cache_is_bounded_too(own_redis, settings):
    from django.core.cache.backends.redis import RedisCache

    # the options settings.CACHES gives the Redis cache when REDIS_URL is set
    cache = RedisCache(own_redis.url, {"OPTIONS": settings.REDIS_CLIENT_OPTIONS})
    cache.set("k", "v")
    own_redis.hang()
    try:
        started = time.monotonic()
        with pytest.raises(Exception, match=r"[Tt]imeout"):
            cache.get("k")
        assert time.monotonic() - started < 1.0
    finally:
        own_redis.resume()
