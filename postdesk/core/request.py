from __future__ import annotations

from django.http import HttpRequest

from postdesk.core.errors import PermissionDenied
from postdesk.org.models import User


def client_ip(request: HttpRequest) -> str | None:
    """The client's address (the first X-Forwarded-For hop when behind our proxy)."""
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    ip = forwarded.split(",")[0].strip() if forwarded else request.META.get("REMOTE_ADDR", "")
    return ip or None


def staff_user(request: HttpRequest) -> User:
    """The signed-in staff user of a view behind `login_required` (typed for mypy)."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied()
    return user
