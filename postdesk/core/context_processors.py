from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from postdesk.core.nav import nav_for


def shell(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": []}
    role = "admin" if user.is_superuser else getattr(user, "role", "")
    return {
        "nav": nav_for(role),
        "user_role": role,
    }
