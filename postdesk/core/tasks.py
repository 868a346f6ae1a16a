from __future__ import annotations

from celery import shared_task

from postdesk.core import liveness


@shared_task(name="postdesk.core.tasks.beat_heartbeat")
def beat_heartbeat() -> None:
    """The scheduler's pulse: records the beat's last run (deep health) and forgets
    background processes that stopped beating a day ago."""
    liveness.beat(name="beat", kind="beat")
    liveness.purge_old()
