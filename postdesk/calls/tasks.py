"""Thin Celery tasks of the calls app (the periodic jobs of `postdesk/schedule.py`)."""

from __future__ import annotations

from celery import shared_task

from postdesk.calls.services import housekeeping


# The function's name matches the task name: the embedded scheduler imports it by that.
@shared_task(name="postdesk.calls.tasks.calls_sweep_stale")
def calls_sweep_stale() -> dict[str, int]:
    result = housekeeping.calls_sweep_stale()
    return {"calls_closed": result.calls_closed, "agents_released": result.agents_released}


@shared_task(name="postdesk.calls.tasks.calls_purge_old")
def calls_purge_old() -> dict[str, int]:
    result = housekeeping.calls_purge_old()
    return {"events": result.events, "periods": result.periods}
