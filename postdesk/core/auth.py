"""API authentication: `Authorization: Token <key>` for integrations, or the session
(with CSRF) for the pages' own calls.

Wrong tokens are throttled per client address through `core.ratelimit`: after
`POSTDESK_API_TOKEN_FAIL_LIMIT` wrong tokens within `POSTDESK_API_TOKEN_FAIL_WINDOW`
seconds, every token from that address is refused with 429 and `Retry-After` until the
window ends (no token is even looked up meanwhile).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.http import HttpRequest
from ninja.security import APIKeyHeader, SessionAuth

from postdesk.core import ratelimit
from postdesk.core.errors import RateLimited
from postdesk.core.request import client_ip
from postdesk.core.services import api_token_authenticate


def _token_limits() -> tuple[int, int]:
    return (
        int(getattr(settings, "POSTDESK_API_TOKEN_FAIL_LIMIT", 20)),
        int(getattr(settings, "POSTDESK_API_TOKEN_FAIL_WINDOW", 300)),
    )


class TokenAuth(APIKeyHeader):
    param_name = "Authorization"
    openapi_description = "Authorization: Token <key> (postdesk create_api_token --user NAME)"

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        if not key:
            return None
        scheme, _, raw = key.partition(" ")
        if scheme.lower() not in {"token", "bearer"} or not raw.strip():
            return None
        limit, window = _token_limits()
        bucket = f"api-token-fail:{client_ip(request) or 'unknown'}"
        decision = ratelimit.peek(bucket, limit=limit, window_seconds=window)
        if not decision.allowed:
            raise RateLimited(retry_after=decision.retry_after)
        user = api_token_authenticate(raw=raw.strip())
        if user is None:
            decision = ratelimit.hit(bucket, limit=limit, window_seconds=window)
            if not decision.allowed:
                raise RateLimited(retry_after=decision.retry_after)
            return None
        if not isinstance(user, get_user_model()):  # always is: the token's AUTH_USER_MODEL
            return None
        request.user = user
        return user


class StaffSessionAuth(SessionAuth):
    """The signed-in session of an active user. CSRF is checked only for a session that
    is signed in: an anonymous request is a 401 (not authenticated), not a 403."""

    def __call__(self, request: HttpRequest) -> Any:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not getattr(user, "is_active", False):
            return None
        return super().__call__(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        if user is not None and getattr(user, "is_active", False):
            return user
        return None


token_auth = TokenAuth()
session_auth = StaffSessionAuth()
STAFF_AUTH = [token_auth, session_auth]
