"""Real-time push across web processes: the screen pop and the wallboard.

A service publishes after its transaction commits (`publish_on_commit`), through the
process's `Publisher`: a thread that sends, so nobody waits for the transport. Every web
process keeps one `Hub`: one listener thread that receives every published message and
hands it to the push connections this process holds (agents' workbenches, wallboards).

Two transports, chosen by settings, with the same interface:
- Redis pub/sub (production: `REDIS_URL` set): one channel; every process subscribes.
- Unix datagram sockets (the embedded mode: no Redis): each process binds a socket in
  `POSTDESK_PUSH_DIR`; a publisher sends the message to every socket there. This crosses
  the processes of one machine (gunicorn's workers) with no broker and no database load.

Messages are small JSON objects `{"topic": ..., "data": {...}}`. Push is best effort by
nature: a message that cannot be delivered is dropped, and a client that reconnects gets
a snapshot of its current state first (see `views.stream_hello`), so nothing depends on
a message arriving.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import queue
import secrets
import socket
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction

from postdesk.calls import conf

logger = logging.getLogger(__name__)

REDIS_CHANNEL = "postdesk:push"


def redis_channel(url: str) -> str:
    """The push channel of the Redis database in `url`: pub/sub channels are global to
    a Redis server, so two centres (or two test runs) on other databases stay apart."""
    from urllib.parse import urlparse

    db = (urlparse(url).path or "/0").strip("/") or "0"
    return f"{REDIS_CHANNEL}:{db}"


MAX_DATAGRAM = 60_000


def encode(topic: str, data: dict[str, Any]) -> bytes:
    return json.dumps({"topic": topic, "data": data}, separators=(",", ":")).encode()


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

    def listen(self, deliver: Callable[[bytes], None], stop: threading.Event) -> None:
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

    def _redis(self) -> Any:
        if self._client is None:
            import redis

            self._client = redis.Redis.from_url(
                self.url, socket_timeout=2, socket_connect_timeout=2
            )
        return self._client

    def publish(self, payloads: Iterable[bytes]) -> None:
        items = list(payloads)
        try:
            if len(items) == 1:
                self._redis().publish(self.channel, items[0])
            else:
                pipe = self._redis().pipeline(transaction=False)
                for payload in items:
                    pipe.publish(self.channel, payload)
                pipe.execute()
        except Exception:
            logger.warning("push: could not publish to Redis", exc_info=True)

    def listen(self, deliver: Callable[[bytes], None], stop: threading.Event) -> None:
        import redis

        while not stop.is_set():
            try:
                client: Any = redis.Redis.from_url(
                    self.url, socket_connect_timeout=2, health_check_interval=15
                )
                pubsub = client.pubsub(ignore_subscribe_messages=True)
                pubsub.subscribe(self.channel)
                while not stop.is_set():
                    message = pubsub.get_message(timeout=1.0)
                    if message and message.get("type") == "message":
                        deliver(message["data"])
                pubsub.close()
            except Exception:
                logger.warning("push: Redis subscription lost; retrying", exc_info=True)
                stop.wait(1.0)


Transport = UnixTransport | RedisTransport

_transport: Transport | None = None
_transport_lock = threading.Lock()


def transport() -> Transport:
    global _transport
    with _transport_lock:
        if _transport is None:
            if settings.REDIS_URL:
                _transport = RedisTransport(settings.REDIS_URL)
            else:
                _transport = UnixTransport(conf.push_dir())
        return _transport


def reset() -> None:
    """Forget this process's transport and hub (tests that change the settings)."""
    global _transport, _hub
    with _transport_lock:
        _transport = None
    with _hub_lock:
        if _hub is not None:
            _hub.stop()
        _hub = None


TICK_INTERVAL = 0.25
_tick_lock = threading.Lock()
_tick_last = 0.0
_tick_timer: threading.Timer | None = None


def _tick_due() -> bool:
    """Wallboard ticks leave a process at most every TICK_INTERVAL; one skipped is sent
    by a timer at the end of the interval, so the last change always reaches the boards."""
    global _tick_last, _tick_timer
    now = time.monotonic()
    with _tick_lock:
        if now - _tick_last >= TICK_INTERVAL:
            _tick_last = now
            return True
        if _tick_timer is None:
            _tick_timer = threading.Timer(TICK_INTERVAL - (now - _tick_last), _send_tick)
            _tick_timer.daemon = True
            _tick_timer.start()
        return False


def _send_tick() -> None:
    global _tick_last, _tick_timer
    with _tick_lock:
        _tick_last = time.monotonic()
        _tick_timer = None
    publisher().put([encode("wallboard", {"type": "tick", "k": "t", "sent": time.time()})])


class Publisher:
    """Sends this process's messages from a thread of its own, so that no request, no
    transaction and no CTI writer ever waits for the transport: a slow or hung Redis
    holds only this thread. What waits meanwhile is bounded (`MAX_PENDING` messages);
    beyond that new messages are dropped and counted — push is best effort, and a
    client that missed one resynchronises when it reconnects."""

    MAX_PENDING = 10_000
    MAX_BATCH = 500  # messages sent in one go (one Redis pipeline)

    def __init__(self, max_pending: int = MAX_PENDING) -> None:
        self.max_pending = max_pending
        self._pending: list[bytes] = []
        self._cond = threading.Condition()
        self._pid = 0
        self._busy = False
        self.sent = 0
        self.dropped = 0

    def put(self, payloads: list[bytes]) -> None:
        with self._cond:
            if self._pid != os.getpid():  # first use, or a forked child: a thread of its own
                self._pid = os.getpid()
                self._pending = []
                self._busy = False
                threading.Thread(target=self._run, name="postdesk-push", daemon=True).start()
            room = self.max_pending - len(self._pending)
            if room < len(payloads):
                self.dropped += len(payloads) - max(room, 0)
                if self.dropped % 1000 < len(payloads):
                    logger.warning(
                        "push: %d messages dropped (the transport is slow)", self.dropped
                    )
                payloads = payloads[: max(room, 0)]
            self._pending.extend(payloads)
            self._cond.notify()

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._pending:
                    self._busy = False
                    self._cond.notify_all()
                    self._cond.wait()
                batch = self._pending[: self.MAX_BATCH]
                del self._pending[: self.MAX_BATCH]
                self._busy = True
            try:
                transport().publish(batch)
            except Exception:  # the transports log their own failures; never die
                logger.warning("push: publishing failed", exc_info=True)
            with self._cond:
                self.sent += len(batch)

    def flush(self, timeout: float = 5.0) -> bool:
        """Wait until everything put so far has been handed to the transport."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._pending or self._busy:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(left)
        return True


_publisher = Publisher()


def publisher() -> Publisher:
    return _publisher


def publish(messages: Iterable[tuple[str, dict[str, Any]]]) -> None:
    """Hand messages to this process's publisher (never inside a transaction: use
    `publish_on_commit`); returns at once."""
    payloads = [
        encode(topic, {**data, "sent": time.time()})
        for topic, data in messages
        if topic != "wallboard" or data.get("type") != "tick" or _tick_due()
    ]
    if payloads:
        publisher().put(payloads)


def publish_on_commit(messages: list[tuple[str, dict[str, Any]]]) -> None:
    transaction.on_commit(lambda: publish(messages))


# ------------------------------------------------------------------------------ hub


class Sink:
    """Where a push connection receives its messages. Messages carrying a coalescing key
    (`data["k"]`) are queued at most once until the connection has taken them."""

    def __init__(self, maxsize: int = 256) -> None:
        self.maxsize = maxsize
        self.pending_keys: set[str] = set()
        self.overflowed = False
        self._lock = threading.Lock()

    def offer(self, message: dict[str, Any]) -> None:
        key = message.get("data", {}).get("k")
        with self._lock:
            if key:
                if key in self.pending_keys:
                    return
                self.pending_keys.add(key)
        self._put(message)

    def taken(self, message: dict[str, Any]) -> None:
        key = message.get("data", {}).get("k")
        if key:
            with self._lock:
                self.pending_keys.discard(key)

    def _put(self, message: dict[str, Any]) -> None:
        raise NotImplementedError


class ThreadSink(Sink):
    """For a push connection served by a thread (development servers, tests)."""

    def __init__(self, maxsize: int = 256) -> None:
        super().__init__(maxsize)
        self.queue: queue.Queue[dict[str, Any]] = queue.Queue(maxsize)

    def _put(self, message: dict[str, Any]) -> None:
        try:
            self.queue.put_nowait(message)
        except queue.Full:
            self.overflowed = True

    def get(self, timeout: float) -> dict[str, Any] | None:
        try:
            message = self.queue.get(timeout=timeout)
        except queue.Empty:
            return None
        self.taken(message)
        return message


class LoopSink(Sink):
    """For a push connection served by an asyncio loop (the async path)."""

    def __init__(self, loop: asyncio.AbstractEventLoop, maxsize: int = 256) -> None:
        super().__init__(maxsize)
        self.loop = loop
        self.queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(maxsize)

    def _put(self, message: dict[str, Any]) -> None:
        def put() -> None:
            try:
                self.queue.put_nowait(message)
            except asyncio.QueueFull:
                self.overflowed = True

        with contextlib.suppress(RuntimeError):  # loop closed: the connection is gone
            self.loop.call_soon_threadsafe(put)

    async def get(self) -> dict[str, Any]:
        message = await self.queue.get()
        self.taken(message)
        return message


class Hub:
    """This process's fan-out: topic -> the sinks of the connections subscribed to it."""

    def __init__(self) -> None:
        self._subs: dict[str, set[Sink]] = {}
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self.ready = threading.Event()
        self.received = 0

    def start(self) -> None:
        with self._lock:
            if self._thread is not None and self._thread.is_alive():
                return
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="postdesk-push", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        transport_ = transport()
        self.ready.set()
        transport_.listen(self._deliver, self._stop)

    def stop(self) -> None:
        self._stop.set()

    def _deliver(self, payload: bytes) -> None:
        try:
            message = json.loads(payload)
            topic = message["topic"]
        except (ValueError, KeyError, TypeError):
            return
        self.received += 1
        with self._lock:
            sinks = list(self._subs.get(topic, ()))
        for sink in sinks:
            sink.offer(message)

    def subscribe(self, topics: Iterable[str], sink: Sink) -> None:
        self.start()
        with self._lock:
            for topic in topics:
                self._subs.setdefault(topic, set()).add(sink)

    def unsubscribe(self, sink: Sink) -> None:
        with self._lock:
            for topic in list(self._subs):
                self._subs[topic].discard(sink)
                if not self._subs[topic]:
                    del self._subs[topic]

    def connections(self) -> int:
        with self._lock:
            return len({id(s) for sinks in self._subs.values() for s in sinks})


_hub: Hub | None = None
_hub_lock = threading.Lock()


def hub() -> Hub:
    global _hub
    with _hub_lock:
        if _hub is None:
            _hub = Hub()
        return _hub


def wait_ready(timeout: float = 5.0) -> bool:
    """Start this process's listener and wait until it is receiving (tests, serve)."""
    h = hub()
    h.start()
    if not h.ready.wait(timeout):
        return False
    if isinstance(transport(), UnixTransport):
        # the socket is bound a moment after the thread starts
        deadline = time.monotonic() + timeout
        pid = f"{os.getpid()}-"
        while time.monotonic() < deadline:
            if any(p.name.startswith(pid) for p in conf.push_dir().glob("*.sock")):
                return True
            time.sleep(0.01)
        return False
    time.sleep(0.2)  # Redis SUBSCRIBE round trip
    return True


# ------------------------------------------------------------------ server-sent events


def sse(event: str, data: dict[str, Any], event_id: str | None = None) -> bytes:
    lines = [f"event: {event}"]
    if event_id:
        lines.append(f"id: {event_id}")
    lines.append("data: " + json.dumps(data, separators=(",", ":"), ensure_ascii=False))
    return ("\n".join(lines) + "\n\n").encode()


KEEPALIVE = b": keepalive\n\n"
RETRY = b"retry: 2000\n\n"


def frame_for(message: dict[str, Any]) -> bytes:
    data = dict(message.get("data", {}))
    data.pop("k", None)
    return sse(str(data.get("type", "message")), data)
