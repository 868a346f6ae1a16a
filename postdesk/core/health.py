"""Health for load balancers and operators.

- `/health/live`: the process answers (no database, no Redis) — restart it if not.
- `/health/ready` (and `/health`): the database answers. Redis and the broker are
  reported but fail readiness only when `POSTDESK_READY_REQUIRES` names them: writes go
  on without Redis (the outbox holds the work; the push resyncs), so a Redis outage
  must not take every web process out of the load balancer.
- `/health/deep` (operators: the metrics token or an administrator's session): the
  outbox backlog, the last beat run, the background processes seen, Celery's queue
  lengths and the database's replication lag. Apps add their parts with
  `register_deep_check` (a lower layer serving higher ones, as search's `register_kind`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import connection

DeepCheck = Callable[[], dict[str, Any]]
_deep_checks: dict[str, DeepCheck] = {}


def register_deep_check(name: str, check: DeepCheck) -> None:
    _deep_checks[name] = check


def required() -> set[str]:
    """What readiness requires besides the database (`POSTDESK_READY_REQUIRES`)."""
    raw = getattr(settings, "POSTDESK_READY_REQUIRES", "")
    return {item.strip() for item in str(raw).split(",") if item.strip()}


def check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return "ok"
    except Exception as exc:
        return f"error: {type(exc).__name__}"


def _ping(url: str) -> str:
    from postdesk.core.bounded import redis_client

    try:
        redis_client(url).ping()
        return "ok"
    except Exception as exc:
        return f"error: {type(exc).__name__}"


def check_redis() -> dict[str, str]:
    """Redis (cache, push) and the broker, each answered within the bounded timeout."""
    if not settings.REDIS_URL:
        return {"redis": "not configured", "broker": "not configured"}
    redis_state = _ping(settings.REDIS_URL)
    broker_url = str(settings.CELERY_BROKER_URL)
    if broker_url == settings.REDIS_URL:
        broker_state = redis_state
    elif broker_url.startswith(("redis://", "rediss://")):
        broker_state = _ping(broker_url)
    else:
        broker_state = "not configured"
    return {"redis": redis_state, "broker": broker_state}


def readiness() -> tuple[bool, dict[str, str]]:
    checks = {"database": check_database(), **check_redis()}
    needed = {"database", *required()}
    ok = all(checks.get(name, "ok") == "ok" for name in needed)
    return ok, checks


def celery_queue_lengths() -> dict[str, int | None]:
    """Messages waiting in each Celery queue (Redis lists named after the queues)."""
    from postdesk.celery import app
    from postdesk.core.bounded import redis_client

    names = [queue.name for queue in app.conf.task_queues or []]
    if not settings.REDIS_URL:
        return {}
    try:
        pipe = redis_client(str(settings.CELERY_BROKER_URL)).pipeline(transaction=False)
        for name in names:
            pipe.llen(name)
        return dict(zip(names, [int(n) for n in pipe.execute()], strict=True))
    except Exception:
        return dict.fromkeys(names)


def replication() -> dict[str, Any]:
    """PostgreSQL: this server's role, and the lag of its standbys (on a primary) or its
    own replay lag (on a standby). SQLite: nothing to replicate."""
    if connection.vendor != "postgresql":
        return {"role": "none"}
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery()")
        standby = bool(cursor.fetchone()[0])
        if standby:
            cursor.execute(
                "SELECT extract(epoch FROM now() - pg_last_xact_replay_timestamp())::float8"
            )
            lag = cursor.fetchone()[0]
            return {"role": "standby", "replay_lag_seconds": lag}
        cursor.execute(
            "SELECT application_name, state, extract(epoch FROM replay_lag)::float8 "
            "FROM pg_stat_replication ORDER BY application_name"
        )
        standbys = [
            {"name": name, "state": state, "replay_lag_seconds": lag}
            for name, state, lag in cursor.fetchall()
        ]
    return {"role": "primary", "standbys": standbys}


def deep() -> dict[str, Any]:
    from django.utils import timezone

    from postdesk.core import liveness
    from postdesk.core.models import WorkerBeat

    started = time.monotonic()
    ok, checks = readiness()
    report: dict[str, Any] = {"status": "ok" if ok else "error", **checks}
    if checks["database"] != "ok":
        return report
    beat = WorkerBeat.objects.filter(name="beat").values_list("seen_at", flat=True).first()
    report["beat"] = {
        "last_run": beat.isoformat() if beat else None,
        "seconds_ago": round((timezone.now() - beat).total_seconds(), 1) if beat else None,
    }
    report["workers"] = liveness.workers_seen()
    report["background_mode"] = settings.BACKGROUND_MODE
    report["queues"] = celery_queue_lengths()
    report["replication"] = replication()
    for name, check in sorted(_deep_checks.items()):
        report[name] = check()
    report["took_ms"] = round((time.monotonic() - started) * 1000, 1)
    return report
