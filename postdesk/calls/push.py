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
a snapshot of its current state first (see `streams.grant_for`), so nothing depends on
a message arriving.

Gaps are told, not hidden (resync):
- every frame a connection receives carries its sequence number (`id:` and `seq`,
  counted per connection from the `hello`, 0): a message dropped for that connection
  (its queue was full) leaves a hole in the numbers the client sees;
- the listener pings Redis every second and declares its subscription lost when no
  answer came for `LISTEN_DEAD_AFTER` seconds (a dead or a hung Redis alike); when it is
  subscribed again it sends every connection of the process a `resync`;
- a publisher that could not publish (Redis dead or hung: bounded by `core.bounded`)
  owes a resync: it broadcasts one (topic `*`) as soon as Redis takes messages again.
On a resync, or a hole in the numbers, the page refetches its state (`push.js`).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import queue
import threading
import time
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import transaction

from postdesk.calls import conf
from postdesk.calls.push_transports import (  # re-exported: the push's one interface
    ALL,
    LISTEN_DEAD_AFTER,  # noqa: F401 (read through push by tests)
    RESYNC,
    RESYNC_ALL,
    RedisTransport,
    Transport,
    UnixTransport,
    encode,
)
from postdesk.core.metrics import PUSH_LOST, PUSH_PUBLISH

logger = logging.getLogger(__name__)


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
        if isinstance(_transport, RedisTransport):
            _transport.close()
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
        self._owe_resync = False

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
                PUSH_LOST.inc(len(payloads) - max(room, 0))
                if self.dropped % 1000 < len(payloads):
                    logger.warning(
                        "push: %d messages dropped (the transport is slow)", self.dropped
                    )
                payloads = payloads[: max(room, 0)]
                self._owe_resync = True  # the clients that missed them must refetch
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
                if self._owe_resync and not self._pending:
                    batch.append(RESYNC_ALL)  # after the backlog: "you missed some"
                    self._owe_resync = False
                self._busy = True
            started = time.perf_counter()
            try:
                transport().publish(batch)
                PUSH_PUBLISH.observe(time.perf_counter() - started)
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
        self.seq = 0  # the hello is 0; each message offered takes the next number
        self._lock = threading.Lock()

    def offer(self, message: dict[str, Any]) -> None:
        """Queue a message with this connection's next sequence number. A message that
        is dropped (the queue is full) has used its number: the client sees the hole."""
        key = message.get("data", {}).get("k")
        with self._lock:
            if key:
                if key in self.pending_keys:
                    return  # coalesced into the one already waiting: nothing lost
                self.pending_keys.add(key)
            self.seq += 1
            message = {**message, "seq": self.seq}
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
        self.resyncs = 0

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
        transport_.listen(self._deliver, self._stop, self.resync_all)

    def resync_all(self) -> None:
        """Tell every connection of this process to refetch its state (after a gap)."""
        self.resyncs += 1
        with self._lock:
            sinks = {sink for subs in self._subs.values() for sink in subs}
        for sink in sinks:
            sink.offer({"topic": ALL, "data": dict(RESYNC)})

    def stop(self) -> None:
        self._stop.set()

    def _deliver(self, payload: bytes) -> None:
        try:
            message = json.loads(payload)
            topic = message["topic"]
        except (ValueError, KeyError, TypeError):
            return
        self.received += 1
        if topic == ALL:
            self.resync_all()
            return
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
    redis_transport = transport()
    assert isinstance(redis_transport, RedisTransport)
    return redis_transport.subscribed.wait(timeout)  # the SUBSCRIBE was confirmed


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
    seq = message.get("seq")
    if seq is not None:
        data["seq"] = seq
    return sse(str(data.get("type", "message")), data, str(seq) if seq is not None else None)
