"""API authentication: `Authorization: Token <key>` for integrations, or the session
(with CSRF) for the pages' own calls."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import APIKeyHeader, SessionAuth

from postdesk.core.services import api_token_authenticate


class TokenAuth(APIKeyHeader):
    param_name = "Authorization"
    openapi_description = "Authorization: Token <key> (postdesk create_api_token --user NAME)"

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        if not key:
            return None
        scheme, _, raw = key.partition(" ")
        if scheme.lower() not in {"token", "bearer"} or not raw.strip():
            return None
        user = api_token_authenticate(raw=raw.strip())
        if user is not None:
            request.user = user
        return user


class StaffSessionAuth(SessionAuth):
    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        if user is not None and getattr(user, "is_active", False):
            return user
        return None


token_auth = TokenAuth()
session_auth = StaffSessionAuth()
STAFF_AUTH = [token_auth, session_auth]
