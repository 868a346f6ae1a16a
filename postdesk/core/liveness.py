"""Which background processes are alive: the identity a claim records, heartbeats, and
the "known dead" test that lets a claim be taken over at once instead of after its lease.

A process's identity is `host:pid:token` (the token is new at each start, so a reused pid
is another process). Long-running background processes (Celery worker processes, the
embedded worker) write a `WorkerBeat` row every `BEAT_SECONDS` from a daemon thread
(`heartbeat_start`). A claimant is known dead when it ran on this host and its pid is
gone, or when its beats stopped more than `DEAD_AFTER_SECONDS` ago. Any other claimant
(a web process delivering after its own commit, a claimant on another host that never
beat) is presumed alive until its lease expires.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
from datetime import timedelta

from django.db import connection
from django.utils import timezone

logger = logging.getLogger(__name__)

BEAT_SECONDS = 5.0
DEAD_AFTER_SECONDS = 20.0

_identity: tuple[int, str] | None = None
_beating: dict[int, threading.Thread] = {}
_lock = threading.Lock()


def host() -> str:
    return socket.gethostname()


def me() -> str:
    """This process's identity (made anew in a forked child)."""
    global _identity
    pid = os.getpid()
    if _identity is None or _identity[0] != pid:
        _identity = (pid, f"{host()}:{pid}:{secrets.token_hex(4)}")
    return _identity[1]


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a killed child its parent has not reaped yet is dead too
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
            return stat.read().rsplit(")", 1)[-1].split()[0] != "Z"
    except OSError:
        return True


def known_dead(identity: str) -> bool:
    """True when the process of `identity` is certainly gone (see the module doc)."""
    from postdesk.core.models import WorkerBeat

    claimant_host, _, rest = identity.partition(":")
    pid_text = rest.partition(":")[0]
    if claimant_host == host() and pid_text.isdigit():
        if not _pid_alive(int(pid_text)):
            return True
        if identity == me():
            return False
    seen = WorkerBeat.objects.filter(name=identity).values_list("seen_at", flat=True).first()
    if seen is None:
        return False  # it never beat: only its lease tells
    return seen < timezone.now() - timedelta(seconds=DEAD_AFTER_SECONDS)


def beat(*, name: str | None = None, kind: str = "worker") -> None:
    """Record that this process (or the named thing, e.g. "beat") is alive now."""
    from postdesk.core.models import WorkerBeat

    now = timezone.now()
    WorkerBeat.objects.update_or_create(
        name=name or me(),
        defaults={"kind": kind, "host": host(), "pid": os.getpid(), "seen_at": now},
        create_defaults={
            "kind": kind,
            "host": host(),
            "pid": os.getpid(),
            "seen_at": now,
            "started_at": now,
        },
    )


def heartbeat_start(kind: str = "worker") -> None:
    """Beat now, then every BEAT_SECONDS from a daemon thread, for this process's life."""
    pid = os.getpid()
    with _lock:
        if pid in _beating and _beating[pid].is_alive():
            return
        try:
            beat(kind=kind)
        except Exception:
            logger.warning("liveness: could not record a beat", exc_info=True)

        def run() -> None:
            stop = threading.Event()
            while not stop.wait(BEAT_SECONDS):
                try:
                    beat(kind=kind)
                except Exception:
                    logger.warning("liveness: could not record a beat", exc_info=True)
                finally:
                    connection.close()  # this thread holds no connection between beats

        thread = threading.Thread(target=run, name="postdesk-heartbeat", daemon=True)
        _beating[pid] = thread
        thread.start()


def workers_seen(*, within_seconds: float = 60.0) -> list[dict[str, object]]:
    """The background processes that beat in the last `within_seconds` (deep health)."""
    from postdesk.core.models import WorkerBeat

    since = timezone.now() - timedelta(seconds=within_seconds)
    now = timezone.now()
    return [
        {
            "name": row.name,
            "kind": row.kind,
            "host": row.host,
            "pid": row.pid,
            "seen_seconds_ago": round((now - row.seen_at).total_seconds(), 1),
        }
        for row in WorkerBeat.objects.filter(seen_at__gte=since, kind="worker").order_by("name")
    ]


def purge_old(*, older_than_seconds: float = 86400.0) -> int:
    """Forget processes that have not beaten for a day."""
    from postdesk.core.models import WorkerBeat

    since = timezone.now() - timedelta(seconds=older_than_seconds)
    deleted, _ = WorkerBeat.objects.filter(seen_at__lt=since).exclude(name="beat").delete()
    return deleted
