"""Writes of cross-cutting records: API tokens and the personal-data access log."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from datetime import timedelta

from django.utils import timezone

from postdesk.core.models import AccessLogEntry, ApiToken
from postdesk.org.models import User

TOKEN_TOUCH_INTERVAL = timedelta(minutes=5)


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def api_token_create(*, user: User, name: str = "") -> str:
    """Create a token for `user` and return it; only its hash is kept."""
    raw = "pd_" + secrets.token_urlsafe(32)
    ApiToken.objects.create(user=user, name=name[:100], key_hash=_hash(raw), prefix=raw[:8])
    return raw


def api_token_authenticate(*, raw: str) -> User | None:
    if not raw or len(raw) > 200:
        return None
    token = (
        ApiToken.objects.select_related("user", "user__unit")
        .filter(key_hash=_hash(raw), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > TOKEN_TOUCH_INTERVAL:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def api_token_revoke(*, token_id: int) -> None:
    ApiToken.objects.filter(pk=token_id, revoked_at__isnull=True).update(revoked_at=timezone.now())


def access_log_record(
    *,
    actor: User,
    subject_type: str,
    subjects: Iterable[tuple[str, str]],
    what: str,
    detail: str = "",
    ip: str | None = None,
) -> int:
    """Append one entry per subject `(id, label)` for a full view or an export."""
    rows = [
        AccessLogEntry(
            actor=actor,
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
