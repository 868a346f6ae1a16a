"""Thin Celery tasks (queue ``imports``, routed in ``postdesk/celery.py``)."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="postdesk.tracking.tasks.import_tracking_file")
def import_tracking_file(run_id: int) -> None:
    from postdesk.tracking.models import ImportRun
    from postdesk.tracking.services import tracking_import_run

    run = ImportRun.objects.filter(pk=run_id, status=ImportRun.Status.QUEUED).first()
    if run is not None:
        tracking_import_run(run=run)
