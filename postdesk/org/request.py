"""The signed-in staff user of a request, typed as the project's user model."""

from __future__ import annotations

from django.http import HttpRequest

from postdesk.core.errors import PermissionDenied
from postdesk.org.models import User


def staff_user(request: HttpRequest) -> User:
    """The signed-in staff user of a view behind `login_required` (typed for mypy)."""
    user = request.user
    if not isinstance(user, User) or not user.is_authenticated:
        raise PermissionDenied()
    return user
