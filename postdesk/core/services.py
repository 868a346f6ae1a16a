"""Writes of cross-cutting records: API tokens and the personal-data access log.

The user is any `AUTH_USER_MODEL` (core names no app's model)."""

from __future__ import annotations

import copy
import hashlib
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.contrib.auth.base_user import AbstractBaseUser
from django.utils import timezone

from postdesk.core.models import AccessLogEntry, ApiToken
from postdesk.core.ttlcache import TTLCache

TOKEN_TOUCH_INTERVAL = timedelta(minutes=5)
TOKEN_CACHE_SECONDS = 10.0

# key hash → (the token's user as loaded, token id, last used): a revoked token or a
# deactivated user stops working at once in the process that made the change (see
# `api_token_cache_clear`) and within TOKEN_CACHE_SECONDS in every other process.
_token_users: TTLCache[str, tuple[AbstractBaseUser, int, datetime | None]] = TTLCache(
    TOKEN_CACHE_SECONDS, max_size=5000
)


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def api_token_create(*, user: AbstractBaseUser, name: str = "") -> str:
    """Create a token for `user` and return it; only its hash is kept."""
    raw = "pd_" + secrets.token_urlsafe(32)
    ApiToken.objects.create(user_id=user.pk, name=name[:100], key_hash=_hash(raw), prefix=raw[:8])
    return raw


def api_token_authenticate(*, raw: str) -> AbstractBaseUser | None:
    """The live token's active user, or None. Every call gets its own copy of the user."""
    if not raw or len(raw) > 200:
        return None
    key = _hash(raw)
    found, entry = _token_users.get(key)
    if not found or entry is None:
        token = (
            ApiToken.objects.select_related("user", "user__unit")
            .filter(key_hash=key, revoked_at__isnull=True)
            .first()
        )
        if token is None or not token.user.is_active:
            return None
        entry = (token.user, token.pk, token.last_used_at)
        _token_users.put(key, entry)
    user, token_id, last_used_at = entry
    now = timezone.now()
    if last_used_at is None or now - last_used_at > TOKEN_TOUCH_INTERVAL:
        ApiToken.objects.filter(pk=token_id).update(last_used_at=now)
        _token_users.put(key, (user, token_id, now))
    return copy.copy(user)


def api_token_cache_clear() -> None:
    """Forget every cached token (a token was revoked, or a user changed)."""
    _token_users.clear()


def api_token_revoke(*, token_id: int) -> None:
    ApiToken.objects.filter(pk=token_id, revoked_at__isnull=True).update(revoked_at=timezone.now())
    api_token_cache_clear()


def access_log_record(
    *,
    actor: AbstractBaseUser,
    subject_type: str,
    subjects: Iterable[tuple[str, str]],
    what: str,
    detail: str = "",
    ip: str | None = None,
) -> int:
    """Append one entry per subject `(id, label)` for a full view or an export."""
    rows = [
        AccessLogEntry(
            actor_id=actor.pk,
            actor_username=actor.get_username(),
            subject_type=subject_type,
            subject_id=str(subject_id),
            subject_label=label[:200],
            what=what,
            detail=detail[:200],
            ip=ip,
        )
        for subject_id, label in subjects
    ]
    AccessLogEntry.objects.bulk_create(rows, batch_size=500)
    return len(rows)
