"""Bounded waits on Redis and the broker.

A request must never wait long for Redis, whether it is dead (connection refused: fast)
or hung (stopped, or a network that drops packets: every read waits for its timeout).
So every client a request uses is made with `REDIS_TIMEOUT` as its connect and read
timeout (`settings.REDIS_TIMEOUT`, 0.3 s unless `POSTDESK_REDIS_TIMEOUT` says otherwise),
and each path to Redis has a `Breaker`: after one failure the process leaves that path
alone for `REDIS_COOLDOWN` seconds, so a hung Redis costs one request one timeout, not
every request every time. What could not be queued is left to the outbox sweep; push
messages that could not be published are followed by a resync (see `calls.push`).
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from django.conf import settings

logger = logging.getLogger(__name__)


def redis_timeout() -> float:
    return float(getattr(settings, "REDIS_TIMEOUT", 0.3))


def redis_cooldown() -> float:
    return float(getattr(settings, "REDIS_COOLDOWN", 5.0))


def redis_client(url: str, *, timeout: float | None = None) -> Any:
    """A Redis client whose connect and every read give up after `timeout` seconds."""
    import redis

    seconds = redis_timeout() if timeout is None else timeout
    return redis.Redis.from_url(
        url, socket_timeout=seconds, socket_connect_timeout=seconds, retry_on_timeout=False
    )


class Breaker:
    """Stops calling a path that just failed, for a cooldown.

    `allow()` is False while the breaker is open (a failure less than `cooldown` seconds
    ago); then the next caller tries again (and either closes it or opens it anew).
    `recovered()` is True once after a success that followed a failure: the caller's cue
    to repair what the outage broke (the push sends a resync).
    """

    def __init__(self, name: str, cooldown: float | None = None) -> None:
        self.name = name
        self._cooldown = cooldown
        self._lock = threading.Lock()
        self._open_until = 0.0
        self._broken = False
        self.failures = 0
        self.skipped = 0

    @property
    def cooldown(self) -> float:
        return redis_cooldown() if self._cooldown is None else self._cooldown

    def allow(self) -> bool:
        with self._lock:
            if time.monotonic() < self._open_until:
                self.skipped += 1
                return False
            return True

    def failed(self) -> None:
        with self._lock:
            self.failures += 1
            if not self._broken:
                logger.warning("%s: failed; leaving it alone for %.1fs", self.name, self.cooldown)
            self._broken = True
            self._open_until = time.monotonic() + self.cooldown

    def succeeded(self) -> bool:
        """Record a success; True when it ends an outage (the first success after one)."""
        with self._lock:
            self._open_until = 0.0
            if self._broken:
                self._broken = False
                logger.info("%s: working again", self.name)
                return True
            return False

    @property
    def broken(self) -> bool:
        return self._broken

    def reset(self) -> None:
        with self._lock:
            self._open_until = 0.0
            self._broken = False


# The broker's publish path (core.background, in the celery mode).
broker = Breaker("broker publish")
