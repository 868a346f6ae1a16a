"""The push's two transports (`push` chooses one by settings and re-exports them): Redis
pub/sub, and Unix datagram sockets between the processes of one machine. The message
format (`encode`), the resync message and the listener's timings are theirs too."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import secrets
import socket
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from postdesk.core.bounded import Breaker, redis_client
from postdesk.core.metrics import PUSH_LOST

logger = logging.getLogger("postdesk.calls.push")

REDIS_CHANNEL = "postdesk:push"


def redis_channel(url: str) -> str:
    """The push channel of the Redis database in `url`: pub/sub channels are global to
    a Redis server, so two centres (or two test runs) on other databases stay apart."""
    from urllib.parse import urlparse

    db = (urlparse(url).path or "/0").strip("/") or "0"
    return f"{REDIS_CHANNEL}:{db}"


MAX_DATAGRAM = 60_000
# The Redis listener pings when it heard nothing for a second and gives the subscription
# up when nothing (not even the answer to a ping) came for LISTEN_DEAD_AFTER seconds.
LISTEN_PING_EVERY = 1.0
LISTEN_DEAD_AFTER = 3.0


def encode(topic: str, data: dict[str, Any]) -> bytes:
    return json.dumps({"topic": topic, "data": data}, separators=(",", ":")).encode()


# The topic every connection receives: a resync for all (see "Gaps" above).
ALL = "*"
RESYNC = {"type": "resync", "k": "resync"}
RESYNC_ALL = encode(ALL, RESYNC)


# ------------------------------------------------------------------------ transports


class UnixTransport:
    """Datagrams to every process's socket in one directory (one machine)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._send_sock: socket.socket | None = None
        self._lock = threading.Lock()
        self._targets: list[str] = []
        self._targets_at = 0.0

    def _sender(self) -> socket.socket:
        if self._send_sock is None:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            sock.setblocking(False)
            self._send_sock = sock
        return self._send_sock

    def _list_targets(self) -> list[str]:
        now = time.monotonic()
        if now - self._targets_at > 0.5:
            try:
                self._targets = [str(p) for p in self.directory.glob("*.sock")]
            except OSError:
                self._targets = []
            self._targets_at = now
        return self._targets

    def publish(self, payloads: Iterable[bytes]) -> None:
        with self._lock:
            targets = self._list_targets()
            sock = self._sender()
            for payload in payloads:
                if len(payload) > MAX_DATAGRAM:
                    logger.warning("push message too large, dropped")
                    continue
                for target in targets:
                    try:
                        sock.sendto(payload, target)
                    except (ConnectionRefusedError, FileNotFoundError):
                        # A process that died without cleaning up: forget its socket.
                        with contextlib.suppress(OSError):
                            os.unlink(target)
                        self._targets_at = 0.0
                    except (BlockingIOError, OSError):
                        pass  # that receiver is flooded: best effort, it resyncs later

    def listen(
        self,
        deliver: Callable[[bytes], None],
        stop: threading.Event,
        on_gap: Callable[[], None] = lambda: None,
    ) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        path = self.directory / f"{os.getpid()}-{secrets.token_hex(4)}.sock"
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 * 1024 * 1024)
        sock.bind(str(path))
        sock.settimeout(1.0)
        self._targets_at = 0.0
        try:
            while not stop.is_set():
                try:
                    payload = sock.recv(MAX_DATAGRAM + 1)
                except TimeoutError:
                    continue
                except OSError:
                    logger.exception("push socket failed")
                    time.sleep(0.5)
                    continue
                deliver(payload)
        finally:
            sock.close()
            with contextlib.suppress(OSError):
                path.unlink()


class RedisTransport:
    """Redis pub/sub on one channel (several machines, production)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.channel = redis_channel(url)
        self._client: Any = None
        self.breaker = Breaker("push publish")
        self._owe_resync = False
        self._retry_timer: threading.Timer | None = None
        self._lock = threading.Lock()
        self._closed = False
        self.lost = 0
        self.subscribed = threading.Event()

    def close(self) -> None:
        """No more retries: the pending resync timer is cancelled and none is armed again
        (a process that replaces its transport; tests whose Redis went away)."""
        with self._lock:
            self._closed = True
            timer, self._retry_timer = self._retry_timer, None
        if timer is not None:
            timer.cancel()

    def _redis(self) -> Any:
        if self._client is None:
            self._client = redis_client(self.url)
        return self._client

    def _send(self, items: list[bytes]) -> None:
        if len(items) == 1:
            self._redis().publish(self.channel, items[0])
        else:
            pipe = self._redis().pipeline(transaction=False)
            for payload in items:
                pipe.publish(self.channel, payload)
            pipe.execute()

    def publish(self, payloads: Iterable[bytes]) -> None:
        """Publish, bounded: a dead or hung Redis costs one caller one timeout, then
        nothing for the breaker's cooldown; what is lost is owed a resync."""
        items = list(payloads)
        if not self.breaker.allow():
            self._lose(len(items))
            return
        with self._lock:
            owed = self._owe_resync
        if owed:
            items.append(RESYNC_ALL)
        try:
            self._send(items)
        except Exception:
            self.breaker.failed()
            self._lose(len(items) - (1 if owed else 0))
            logger.warning("push: could not publish to Redis", exc_info=True)
            return
        self.breaker.succeeded()
        if owed:
            with self._lock:
                self._owe_resync = False

    def _lose(self, count: int) -> None:
        """Messages were lost: a resync is owed, sent with the next publish or, if none
        comes, by a timer once the breaker lets us try again."""
        PUSH_LOST.inc(count)
        with self._lock:
            self.lost += count
            self._owe_resync = True
            if self._retry_timer is None and not self._closed:
                timer = threading.Timer(self.breaker.cooldown + 0.1, self._retry_resync)
                timer.daemon = True
                self._retry_timer = timer
                timer.start()

    def _retry_resync(self) -> None:
        with self._lock:
            self._retry_timer = None
            owed = self._owe_resync
        if owed:
            self.publish([])

    def listen(
        self,
        deliver: Callable[[bytes], None],
        stop: threading.Event,
        on_gap: Callable[[], None] = lambda: None,
    ) -> None:
        """Receive every message of the channel until `stop`. A subscription that does
        not answer a ping within LISTEN_DEAD_AFTER seconds is given up and made anew;
        once subscribed again, `on_gap()` (messages may have been missed meanwhile)."""
        gap = False
        while not stop.is_set():
            pubsub: Any = None
            try:
                client = redis_client(self.url, timeout=LISTEN_DEAD_AFTER)
                pubsub = client.pubsub()
                pubsub.subscribe(self.channel)
                heard = pinged = time.monotonic()
                while not stop.is_set():
                    message = pubsub.get_message(timeout=0.25)
                    now = time.monotonic()
                    if message is not None:
                        heard = now
                        kind = message.get("type")
                        if kind == "message":
                            deliver(message["data"])
                        elif kind == "subscribe":
                            self.subscribed.set()
                            if gap:
                                gap = False
                                on_gap()
                    if now - heard >= LISTEN_PING_EVERY and now - pinged >= LISTEN_PING_EVERY:
                        pubsub.ping()
                        pinged = now
                    if now - heard > LISTEN_DEAD_AFTER:
                        raise TimeoutError(f"Redis did not answer for {LISTEN_DEAD_AFTER}s")
            except Exception as exc:
                if not gap:
                    logger.warning("push: Redis subscription lost (%r); retrying", exc)
                gap = True
                self.subscribed.clear()
                stop.wait(0.5)
            finally:
                if pubsub is not None:
                    with contextlib.suppress(Exception):
                        pubsub.close()


Transport = UnixTransport | RedisTransport
