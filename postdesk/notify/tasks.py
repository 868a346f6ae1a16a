from __future__ import annotations

from celery import shared_task

from postdesk.notify import services


@shared_task(name="postdesk.notify.tasks.outbox_deliver")
def outbox_deliver_task(message_id: int) -> bool:
    return services.outbox_deliver(message_id=message_id)


@shared_task(name="postdesk.notify.tasks.outbox_sweep")
def outbox_sweep() -> int:
    return services.outbox_sweep()


@shared_task(name="postdesk.notify.tasks.sms_expire_sweep")
def sms_expire_sweep() -> int:
    from postdesk.notify.sms.services import sms_expire_sweep as sweep

    return sweep()
