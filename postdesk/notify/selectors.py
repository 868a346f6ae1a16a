from __future__ import annotations

from django.db.models import QuerySet

from postdesk.notify.models import Notification, OutboxMessage
from postdesk.org.models import User


def notifications_unread_count(*, user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def notifications_recent(*, user: User, limit: int = 20) -> list[Notification]:
    return list(Notification.objects.filter(user=user).order_by("-created_at", "-id")[:limit])


def outbox_dead(*, limit: int = 200) -> QuerySet[OutboxMessage]:
    return OutboxMessage.objects.filter(status=OutboxMessage.Status.DEAD).order_by("-id")[:limit]
