"""The calls app's settings: each from Django settings if set there, else the environment,
else the default."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.conf import settings


def _get(name: str, default: Any, cast: Any = str) -> Any:
    if hasattr(settings, name):
        return getattr(settings, name)
    raw = os.environ.get(name)
    return cast(raw) if raw not in (None, "") else default


def service_level_seconds() -> float:
    """Answered within this many seconds of newCall counts towards the service level."""
    return float(_get("POSTDESK_CALLS_SERVICE_LEVEL_SECONDS", 20.0, float))


def short_abandon_seconds() -> float:
    """A caller who hangs up within this many seconds is a short abandon."""
    return float(_get("POSTDESK_CALLS_SHORT_ABANDON_SECONDS", 5.0, float))


def push_dir() -> Path:
    """Where the web processes of the embedded mode keep their push sockets."""
    return Path(_get("POSTDESK_PUSH_DIR", Path(settings.VAR_DIR) / "push", Path))


def push_max_streams() -> int:
    """Long-lived push connections one web process holds on its async path."""
    return int(_get("POSTDESK_PUSH_MAX_STREAMS", 1000, int))


def push_max_sync_streams() -> int:
    """Push connections one process serves on threads (development servers only)."""
    return int(_get("POSTDESK_PUSH_MAX_SYNC_STREAMS", 32, int))


def push_keepalive_seconds() -> float:
    return float(_get("POSTDESK_PUSH_KEEPALIVE_SECONDS", 15.0, float))


def push_max_age_seconds() -> float:
    """A push connection is closed after this long; the client reconnects at once (so
    load balancers can move connections, and a process can be restarted gently)."""
    return float(_get("POSTDESK_PUSH_MAX_AGE_SECONDS", 1800.0, float))


def stale_hours() -> float:
    """A call with no hangup this long after it began is closed by the periodic sweep,
    and an agent shown on a call or in after-call work this long is logged out."""
    return float(_get("POSTDESK_CALLS_STALE_HOURS", 4.0, float))


def event_retention_days() -> int:
    """CTI events (the raw log) older than this many days are purged; 0 keeps them.
    Each call keeps its own copy of its events, so purging the log loses no call."""
    return int(_get("POSTDESK_CALLS_EVENT_RETENTION_DAYS", 180, int))


def state_retention_days() -> int:
    """Agent-state periods older than this many days are purged; 0 keeps them."""
    return int(_get("POSTDESK_CALLS_STATE_RETENTION_DAYS", 400, int))


def cti_writer_threads() -> int:
    """Threads of a web process's group-commit writer of CTI events (`calls.writer`).
    One gives the largest batches and the least CPU per event (measured: 3.6 events per
    COMMIT and 1.3 ms CPU per event against 2.0 and 1.65 ms with two); a second thread
    plans a batch while the first waits for its COMMIT, for disks slow to flush."""
    return int(_get("POSTDESK_CTI_WRITER_THREADS", 1, int))
