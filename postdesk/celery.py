"""The Celery application: named queues, routes and the beat schedule (declared in code)."""

from __future__ import annotations

import os

from celery import Celery
from celery.signals import worker_process_init, worker_ready
from kombu import Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "postdesk.settings")

app = Celery("postdesk")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.task_queues = [
    Queue("default"),
    Queue("notifications"),
    Queue("imports"),
    Queue("reports"),
]
# A task goes to its app's queue; anything not named here to "default".
app.conf.task_routes = {
    "postdesk.notify.tasks.*": {"queue": "notifications"},
    "postdesk.tracking.tasks.*": {"queue": "imports"},
    "postdesk.knowledge.tasks.import_*": {"queue": "imports"},
    "postdesk.reports.tasks.*": {"queue": "reports"},
    "postdesk.core.tasks.export_run": {"queue": "reports"},  # long reads, as reports
}
# Fail fast when Redis is down or hung: the outbox row is committed already and the
# periodic sweep delivers it later, so a request must not hang on a broker that is away.
# One retry (a pooled connection Redis closed since), each try bounded by REDIS_TIMEOUT
# (settings: the broker's socket timeouts) — see core.bounded.
app.conf.task_publish_retry_policy = {"max_retries": 1, "interval_start": 0, "interval_step": 0}


@worker_process_init.connect  # a prefork pool's child: it runs the tasks
@worker_ready.connect  # the solo and thread pools run them in the worker itself
def _start_heartbeat(**_: object) -> None:
    """The worker says it is alive (core.liveness): its claims are taken over promptly
    when it dies, and /health/deep lists it."""
    from postdesk.core.liveness import heartbeat_start

    heartbeat_start()


def _beat_schedule() -> dict[str, dict[str, object]]:
    from postdesk.schedule import BEAT_SCHEDULE

    return BEAT_SCHEDULE


app.conf.beat_schedule = _beat_schedule()
app.autodiscover_tasks()
