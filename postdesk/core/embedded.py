"""The embedded scheduler: runs the beat table (`postdesk.schedule`) in-process when
there is no Redis, with the same task code Celery would run."""

from __future__ import annotations

import logging
import threading
import time
from importlib import import_module

from postdesk.core.background import enqueue
from postdesk.schedule import BEAT_SCHEDULE

logger = logging.getLogger(__name__)


def _load_task(dotted: str):  # type: ignore[no-untyped-def]
    module_name, _, attr = dotted.rpartition(".")
    return getattr(import_module(module_name), attr)


def run_scheduler(stop: threading.Event, tick: float = 1.0) -> None:
    due: dict[str, float] = {name: 0.0 for name in BEAT_SCHEDULE}
    tasks = {name: _load_task(str(entry["task"])) for name, entry in BEAT_SCHEDULE.items()}
    logger.info("embedded scheduler started with %d jobs", len(tasks))
    while not stop.is_set():
        now = time.monotonic()
        for name, entry in BEAT_SCHEDULE.items():
            if now >= due[name]:
                due[name] = now + float(entry["schedule"])  # type: ignore[arg-type]
                enqueue(tasks[name])
        stop.wait(tick)
