"""The push connection (`GET /calls/stream/`, server-sent events), served two ways:

- on the async path: `postdesk serve` runs gunicorn with `PushThreadWorker`, which takes
  this path off the WSGI threads and holds the connection in one asyncio loop per
  process, up to `POSTDESK_PUSH_MAX_STREAMS` connections (beyond: 503, the client
  retries later). Ordinary views stay on the WSGI threads.
- on a thread (`views.stream`): any other WSGI server (development, the test live
  server), up to `POSTDESK_PUSH_MAX_SYNC_STREAMS` per process.

Both authenticate with the session cookie, subscribe the connection to the user's own
topic (`agent:<id>`; a supervisor may add `wallboard`) and begin with a `hello` event
carrying a snapshot (the current call, the state), so a reconnecting client is up to
date at once whatever it missed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.cookies import SimpleCookie
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connection

from postdesk.calls import conf, push

logger = logging.getLogger(__name__)

STREAM_PATH = "/calls/stream/"


@dataclass(frozen=True)
class Grant:
    user_id: int
    topics: tuple[str, ...]
    hello: bytes


def grant_for(user: Any, *, wallboard: bool) -> Grant | None:
    """What a signed-in user's push connection subscribes to, and its first event."""
    from postdesk.calls.selectors import agent_active_call, agent_state_of, is_supervisor

    if user is None or not user.is_authenticated or not user.is_active:
        return None
    topics = [f"agent:{user.pk}"]
    if wallboard and is_supervisor(user=user):
        topics.append("wallboard")
    call = agent_active_call(user=user)
    state = agent_state_of(user=user)
    hello = push.RETRY + push.sse(
        "hello",
        {
            "type": "hello",
            "seq": 0,
            "worker": os.getpid(),
            "call": call.pk if call else None,
            "state": state.state if state else "logged_out",
        },
    )
    return Grant(user_id=user.pk, topics=tuple(topics), hello=hello)


def user_from_cookie(cookie_header: str) -> Any:
    """The signed-in user of a raw Cookie header (the session, verified as Django does)."""
    from importlib import import_module

    from django.contrib.auth import get_user
    from django.http import HttpRequest

    cookies = SimpleCookie()
    try:
        cookies.load(cookie_header or "")
    except Exception:
        return None
    morsel = cookies.get(settings.SESSION_COOKIE_NAME)
    if morsel is None:
        return None
    engine = import_module(settings.SESSION_ENGINE)
    request = HttpRequest()
    request.session = engine.SessionStore(morsel.value)
    return get_user(request)


# ------------------------------------------------------------------ the thread path

_sync_count = 0
_sync_lock = threading.Lock()


def acquire_sync_slot() -> bool:
    global _sync_count
    with _sync_lock:
        if _sync_count >= conf.push_max_sync_streams():
            return False
        _sync_count += 1
        return True


def release_sync_slot() -> None:
    global _sync_count
    with _sync_lock:
        _sync_count = max(_sync_count - 1, 0)


def sync_stream(grant: Grant) -> Iterator[bytes]:
    sink = push.ThreadSink()
    hub = push.hub()
    hub.subscribe(grant.topics, sink)
    keepalive = conf.push_keepalive_seconds()
    if not connection.in_atomic_block:
        close_old_connections()  # hold no database connection while waiting
        connection.close()
    closes_at = time.monotonic() + conf.push_max_age_seconds()
    try:
        yield grant.hello
        while (left := closes_at - time.monotonic()) > 0:
            message = sink.get(timeout=min(keepalive, left))
            if sink.overflowed:
                sink.overflowed = False
                yield push.sse("resync", {"type": "resync"})
            yield push.frame_for(message) if message is not None else push.KEEPALIVE
    finally:
        hub.unsubscribe(sink)
        release_sync_slot()


# ------------------------------------------------------------------- the async path


class AsyncPushServer:
    """One asyncio loop thread per web process holding the push connections."""

    def __init__(self, max_streams: int) -> None:
        self.max_streams = max_streams
        self.active = 0
        self._lock = threading.Lock()
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(
            target=self.loop.run_forever, name="postdesk-sse", daemon=True
        )
        self.thread.start()

    def try_reserve(self) -> bool:
        with self._lock:
            if self.active >= self.max_streams:
                return False
            self.active += 1
            return True

    def _release(self) -> None:
        with self._lock:
            self.active -= 1

    def adopt(self, sock: socket.socket, grant: Grant) -> None:
        """Take over a connection whose slot was reserved; answers from the loop."""
        asyncio.run_coroutine_threadsafe(self._serve(sock, grant), self.loop)

    async def _serve(self, sock: socket.socket, grant: Grant) -> None:
        hub = push.hub()
        sink = push.LoopSink(self.loop)
        writer: asyncio.StreamWriter | None = None
        try:
            sock.setblocking(False)
            reader, writer = await asyncio.open_connection(sock=sock)
            hub.subscribe(grant.topics, sink)
            writer.write(
                b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream; charset=utf-8\r\n"
                b"Cache-Control: no-cache, no-store\r\nX-Accel-Buffering: no\r\n"
                b"Connection: close\r\n\r\n" + grant.hello
            )
            await writer.drain()
            gone = asyncio.ensure_future(reader.read(1024))
            keepalive = conf.push_keepalive_seconds()
            closes_at = time.monotonic() + conf.push_max_age_seconds()
            while (left := closes_at - time.monotonic()) > 0:
                getter = asyncio.ensure_future(sink.get())
                done, _pending = await asyncio.wait(
                    {getter, gone},
                    timeout=min(keepalive, left),
                    return_when=asyncio.FIRST_COMPLETED,
                )
                if gone in done:
                    getter.cancel()
                    if not gone.result():
                        break  # the client closed the connection
                    gone = asyncio.ensure_future(reader.read(1024))
                    continue
                if getter in done:
                    frame = push.frame_for(getter.result())
                    if sink.overflowed:
                        sink.overflowed = False
                        frame = push.sse("resync", {"type": "resync"}) + frame
                else:
                    getter.cancel()
                    frame = push.KEEPALIVE
                writer.write(frame)
                await asyncio.wait_for(writer.drain(), timeout=30)
        except (ConnectionError, TimeoutError, OSError):
            pass
        except Exception:
            logger.exception("push connection failed")
        finally:
            hub.unsubscribe(sink)
            if writer is not None:
                writer.close()
                with contextlib.suppress(Exception):
                    await writer.wait_closed()
            else:
                sock.close()
            self._release()


def _respond(sock: socket.socket, status: str, body: bytes = b"") -> None:
    head = (
        f"HTTP/1.1 {status}\r\nContent-Type: text/plain; charset=utf-8\r\n"
        f"Content-Length: {len(body)}\r\nRetry-After: 5\r\nConnection: close\r\n\r\n"
    )
    with contextlib.suppress(OSError):
        sock.sendall(head.encode() + body)


class _Detached:
    """What gunicorn keeps of a connection handed over to the async path."""

    def setblocking(self, flag: bool) -> None:
        return None

    def shutdown(self, how: int) -> None:
        raise OSError("detached")

    def close(self) -> None:
        return None

    def fileno(self) -> int:
        return -1

    def recv(self, size: int) -> bytes:
        return b""


def _load_worker_base() -> Any:
    from gunicorn.workers.gthread import ThreadWorker

    return ThreadWorker


class PushThreadWorker(_load_worker_base()):  # type: ignore[misc]
    """gunicorn's gthread worker, with the push path moved off the WSGI threads."""

    push_server: AsyncPushServer | None = None

    def init_process(self) -> None:
        self.push_server = AsyncPushServer(conf.push_max_streams())
        super().init_process()

    def handle_request(self, req: Any, conn: Any) -> Any:
        if req.path != STREAM_PATH or req.method != "GET" or self.push_server is None:
            return super().handle_request(req, conn)
        headers = {name.upper(): value for name, value in req.headers}
        try:
            close_old_connections()
            user = user_from_cookie(headers.get("COOKIE", ""))
            wallboard = "wallboard=1" in (req.query or "")
            grant = grant_for(user, wallboard=wallboard)
        except Exception:
            logger.exception("push: could not authorise a stream")
            _respond(conn.sock, "500 Internal Server Error")
            return False
        finally:
            close_old_connections()
        if grant is None:
            _respond(conn.sock, "401 Unauthorized", b"sign in first\n")
            return False
        if not self.push_server.try_reserve():
            _respond(conn.sock, "503 Service Unavailable", b"too many push connections\n")
            return False
        sock = socket.socket(fileno=conn.sock.detach())
        conn.sock = _Detached()
        self.push_server.adopt(sock, grant)
        return False
