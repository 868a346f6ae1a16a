from __future__ import annotations

from django.db.models import QuerySet

from postdesk.notify.models import Notification, OutboxMessage, SmsMessage, SmsReply
from postdesk.org.models import User


def notifications_unread_count(*, user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def notifications_recent(*, user: User, limit: int = 20) -> list[Notification]:
    return list(Notification.objects.filter(user=user).order_by("-created_at", "-id")[:limit])


def outbox_dead(*, limit: int = 200) -> QuerySet[OutboxMessage]:
    return OutboxMessage.objects.filter(status=OutboxMessage.Status.DEAD).order_by("-id")[:limit]


def sms_about(*, related_type: str, related_id: str, limit: int = 50) -> list[SmsMessage]:
    """The customer SMS about one thing (a notice, a work order), oldest first. The caller
    has checked that its reader may see that thing; phones are shown masked."""
    return list(
        SmsMessage.objects.filter(related_type=related_type, related_id=related_id).order_by(
            "created_at", "id"
        )[:limit]
    )


def sms_replies_about(*, related_type: str, related_id: str, limit: int = 50) -> list[SmsReply]:
    return list(
        SmsReply.objects.filter(related_type=related_type, related_id=related_id).order_by(
            "received_at", "id"
        )[:limit]
    )
