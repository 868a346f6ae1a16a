"""CTI integration tokens (only their SHA-256 is kept)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from postdesk.calls.models import CtiToken
from postdesk.core.errors import ValidationFailed
from postdesk.core.ttlcache import TTLCache

TOKEN_TOUCH_INTERVAL = timedelta(minutes=5)
TOKEN_CACHE_SECONDS = 10.0

# --------------------------------------------------------------------------- tokens


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


_token_cache: TTLCache[str, int] = TTLCache(TOKEN_CACHE_SECONDS)


def cti_token_create(*, name: str) -> tuple[CtiToken, str]:
    """A new integration token; the raw value is returned once and never stored."""
    name = name.strip()
    if not name:
        raise ValidationFailed(fields={"name": _("Give the token a name.")})
    raw = "cti_" + secrets.token_urlsafe(32)
    token = CtiToken.objects.create(name=name[:100], key_hash=_hash(raw), prefix=raw[:10])
    return token, raw


def cti_token_revoke(*, token_id: int) -> bool:
    revoked = CtiToken.objects.filter(pk=token_id, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    _token_cache.clear()
    return bool(revoked)


def cti_token_authenticate(*, raw: str) -> int | None:
    """The id of the live token `raw`, or None. Answers from a short in-process cache
    (a revoked token stops working within TOKEN_CACHE_SECONDS everywhere, at once in
    the process that revoked it)."""
    if not raw or len(raw) > 200:
        return None
    key = _hash(raw)
    found, token_id = _token_cache.get(key)
    if found and token_id is not None:
        return token_id
    token = CtiToken.objects.filter(key_hash=key, revoked_at__isnull=True).first()
    if token is None:
        return None
    wall = timezone.now()
    if token.last_used_at is None or wall - token.last_used_at > TOKEN_TOUCH_INTERVAL:
        CtiToken.objects.filter(pk=token.pk).update(last_used_at=wall)
    _token_cache.put(key, token.pk)
    return token.pk
