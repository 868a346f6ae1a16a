from __future__ import annotations

from celery import shared_task

from postdesk.notices.services.watch import notices_watch as watch


@shared_task(name="postdesk.notices.tasks.notices_watch")
def notices_watch() -> dict[str, int]:
    result = watch()
    return {"warned": result.warned, "escalated": result.escalated}
