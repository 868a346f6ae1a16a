"""The notification badge on every page (the bell in `core/templates/base.html`)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from postdesk.notify.selectors import notifications_unread_count


def unread(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": notifications_unread_count(user=user)}
