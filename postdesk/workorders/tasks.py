from __future__ import annotations

from celery import shared_task

from postdesk.workorders import services


# The function's name matches the task name: the embedded scheduler imports it by that.
@shared_task(name="postdesk.workorders.tasks.work_orders_watch")
def work_orders_watch() -> dict[str, int]:
    result = services.work_orders_watch()
    return {"warned": result.warned, "breached": result.breached, "director": result.director}
