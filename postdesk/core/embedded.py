"""The embedded scheduler: runs the beat table (`postdesk.schedule`) in-process when
there is no Redis, with the same task code Celery would run.

An entry's schedule is seconds between runs (the first run at start) or a Celery
schedule such as `crontab` (asked, as beat asks it, whether it is due since its last
run; counted from the scheduler's start, so a time missed while nothing ran is not
made up)."""

from __future__ import annotations

import logging
import threading
import time
from datetime import datetime
from importlib import import_module
from typing import Any

from postdesk.core.background import enqueue
from postdesk.schedule import BEAT_SCHEDULE

logger = logging.getLogger(__name__)


def _load_task(dotted: str):  # type: ignore[no-untyped-def]
    module_name, _, attr = dotted.rpartition(".")
    return getattr(import_module(module_name), attr)


def _now(schedule: Any) -> datetime:
    return schedule.now()  # type: ignore[no-any-return]  # the app's aware "now"


def run_scheduler(stop: threading.Event, tick: float = 1.0) -> None:
    due: dict[str, float] = {name: 0.0 for name in BEAT_SCHEDULE}
    last_run: dict[str, datetime] = {
        name: _now(entry["schedule"])
        for name, entry in BEAT_SCHEDULE.items()
        if not isinstance(entry["schedule"], int | float)
    }
    tasks = {name: _load_task(str(entry["task"])) for name, entry in BEAT_SCHEDULE.items()}
    logger.info("embedded scheduler started with %d jobs", len(tasks))
    while not stop.is_set():
        now = time.monotonic()
        for name, entry in BEAT_SCHEDULE.items():
            schedule = entry["schedule"]
            if isinstance(schedule, int | float):
                if now >= due[name]:
                    due[name] = now + float(schedule)
                    enqueue(tasks[name])
            elif schedule.is_due(last_run[name]).is_due:  # type: ignore[attr-defined]
                last_run[name] = _now(schedule)
                enqueue(tasks[name])
        stop.wait(tick)
