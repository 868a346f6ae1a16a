"""CTI integration tokens (only their SHA-256 is kept)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from postdesk.calls.models import CtiToken
from postdesk.core import ratelimit
from postdesk.core.errors import RateLimited, ValidationFailed
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


def _fail_limits() -> tuple[int, int]:
    return (
        int(getattr(settings, "POSTDESK_CTI_TOKEN_FAIL_LIMIT", 20)),
        int(getattr(settings, "POSTDESK_CTI_TOKEN_FAIL_WINDOW", 300)),
    )


def cti_token_authenticate(*, raw: str, ip: str | None = None) -> int | None:
    """The id of the live token `raw`, or None. Answers from a short in-process cache
    (a revoked token stops working within TOKEN_CACHE_SECONDS everywhere, at once in
    the process that revoked it). With the caller's address, wrong tokens are throttled
    per address (`core.ratelimit`): after POSTDESK_CTI_TOKEN_FAIL_LIMIT of them within
    POSTDESK_CTI_TOKEN_FAIL_WINDOW seconds, no token from there is looked up until the
    window ends (RateLimited: 429 with Retry-After). A token already known to this
    process costs the limiter nothing (the hot path)."""
    if not raw or len(raw) > 200:
        _failed(ip)
        return None
    key = _hash(raw)
    found, token_id = _token_cache.get(key)
    if found and token_id is not None:
        return token_id
    limit, window = _fail_limits()
    if ip is not None:
        decision = ratelimit.peek(f"cti-token-fail:{ip}", limit=limit, window_seconds=window)
        if not decision.allowed:
            raise RateLimited(retry_after=decision.retry_after)
    token = CtiToken.objects.filter(key_hash=key, revoked_at__isnull=True).first()
    if token is None:
        _failed(ip)
        return None
    wall = timezone.now()
    if token.last_used_at is None or wall - token.last_used_at > TOKEN_TOUCH_INTERVAL:
        CtiToken.objects.filter(pk=token.pk).update(last_used_at=wall)
    _token_cache.put(key, token.pk)
    return token.pk


def _failed(ip: str | None) -> None:
    if ip is not None:
        limit, window = _fail_limits()
        decision = ratelimit.hit(f"cti-token-fail:{ip}", limit=limit, window_seconds=window)
        if not decision.allowed:
            raise RateLimited(retry_after=decision.retry_after)
