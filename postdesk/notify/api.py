from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Router, Schema

from postdesk.core.auth import STAFF_AUTH
from postdesk.core.request import staff_user
from postdesk.notify.selectors import notifications_recent, notifications_unread_count
from postdesk.notify.services import notification_mark_read

router = Router(auth=STAFF_AUTH, tags=["notifications"])


class NotificationOut(Schema):
    id: int
    title: str
    body: str
    link: str
    level: str
    created_at: datetime
    read_at: datetime | None


class NotificationsOut(Schema):
    unread: int
    results: list[NotificationOut]


class ReadIn(Schema):
    ids: list[int] | None = None


@router.get("/", response=NotificationsOut, summary="My latest notifications")
def list_notifications(request: HttpRequest) -> dict[str, object]:
    user = staff_user(request)
    return {
        "unread": notifications_unread_count(user=user),
        "results": notifications_recent(user=user, limit=50),
    }


@router.post("/read", summary="Mark notifications read (all when no ids)")
def mark_read(request: HttpRequest, payload: ReadIn) -> dict[str, int]:
    return {"marked": notification_mark_read(user=staff_user(request), ids=payload.ids)}
