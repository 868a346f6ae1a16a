"""Thin Celery tasks of core (the periodic jobs of `postdesk/schedule.py`)."""

from __future__ import annotations

from celery import shared_task

from postdesk.core import idempotency, liveness, ratelimit


# The function's name matches the task name: the embedded scheduler imports it by that.
@shared_task(name="postdesk.core.tasks.core_purge_expired")
def core_purge_expired() -> dict[str, int]:
    """Forget ended rate-limit windows (database backend) and old idempotency records;
    delete the export files past their seven days."""
    from postdesk.core.export_jobs import exports_expire

    return {
        "rate_windows": ratelimit.purge_expired(),
        "idempotency_records": idempotency.purge_expired(),
        "export_files": exports_expire(),
    }


@shared_task(name="postdesk.core.tasks.beat_heartbeat")
def beat_heartbeat() -> None:
    """The scheduler's pulse: records the beat's last run (deep health) and forgets
    background processes that stopped beating a day ago."""
    liveness.beat(name="beat", kind="beat")
    liveness.purge_old()


@shared_task(name="postdesk.core.tasks.retention_nightly")
def retention_nightly() -> list[dict[str, object]]:
    """Runs hourly; anonymises in the local hour POSTDESK_RETENTION_HOUR (a quiet night
    hour) and does nothing in the others. Idempotent: a second run finds nothing."""
    from django.conf import settings
    from django.utils import timezone

    from postdesk.core.retention import retention_run

    if timezone.localtime().hour != settings.POSTDESK_RETENTION_HOUR:
        return []
    return [report.as_dict() for report in retention_run(dry_run=False)]


@shared_task(name="postdesk.core.tasks.export_run")
def export_run(export_id: int) -> str:
    """Make one background export's file (`core/export_jobs.py`)."""
    from postdesk.core.export_jobs import export_run as run

    return run(export_id=export_id)
