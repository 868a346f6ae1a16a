"""Login throttling and lockout (django-axes, with our two limits).

After `POSTDESK_LOGIN_USER_LIMIT` wrong passwords for one user name (from anywhere), or
`POSTDESK_LOGIN_ADDRESS_LIMIT` from one client address (any user names) within
`AXES_COOLOFF_TIME`, sign-in is refused with 429 and a clear message until the cooling-off
period has passed — on the pages' login and on the admin site's alike (axes guards
`authenticate()` itself). The failures are rows in the database (axes' AccessAttempt),
so every web process of a centre sees the same count. Administrators unlock a user or an
address by deleting its rows in the admin site (Axes › Access attempts), or with
`postdesk axes_reset_username NAME` / `axes_reset_ip ADDRESS`.

Axes counts one limit over its lockout parameters; the handler below counts the user's
and the address's failures apart and reports "at the limit" when either reaches its own.
API and CTI tokens are throttled per address by `core.auth` and `calls.services.tokens`.
"""

from __future__ import annotations

from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def limits() -> tuple[int, int]:
    """(wrong passwords for one user, wrong passwords from one address)."""
    return (
        int(getattr(settings, "POSTDESK_LOGIN_USER_LIMIT", 5)),
        int(getattr(settings, "POSTDESK_LOGIN_ADDRESS_LIMIT", 20)),
    )


def failure_limit(request: HttpRequest | None = None, credentials: Any = None) -> int:
    """What axes compares the handler's count with: the address limit (the larger)."""
    return max(limits())


class LoginLockoutHandler(AxesDatabaseHandler):  # type: ignore[misc]
    """Axes' database handler, with a limit for the user name and one for the address.

    `AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]`: axes hands us one query set
    of attempts per parameter, in that order.
    """

    def get_failures(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> int:
        by_user, by_address = (
            attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        )
        user_limit, address_limit = limits()
        at_limit = failure_limit()
        if by_user >= user_limit or by_address >= address_limit:
            return at_limit
        return min(max(by_user, by_address), at_limit - 1)


def locked_out(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    """The answer to a sign-in while locked out: the login page's look, 429, Retry-After."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    response = render(
        request,
        "core/locked_out.html",
        {"minutes": minutes},
        status=429,
    )
    response["Retry-After"] = str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    return response
