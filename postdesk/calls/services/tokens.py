"""CTI integration tokens and the extension → user cache of the ingestion path."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from postdesk.calls.models import (
    CallQueue,
    CtiToken,
)
from postdesk.core.errors import ValidationFailed
from postdesk.core.ttlcache import TTLCache
from postdesk.org.models import User

TOKEN_TOUCH_INTERVAL = timedelta(minutes=5)
TOKEN_CACHE_SECONDS = 10.0
EXTENSION_CACHE_SECONDS = 30.0

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


# ---------------------------------------------------------------------- extensions

_ext_cache: TTLCache[str, int | None] = TTLCache(EXTENSION_CACHE_SECONDS, max_size=5000)


def _user_id_for_extension(extension: str) -> int | None:
    if not extension:
        return None
    found, cached = _ext_cache.get(extension)
    if found:
        return cached
    user_id = (
        User.objects.filter(extension=extension, is_active=True)
        .values_list("pk", flat=True)
        .first()
    )
    _ext_cache.put(extension, user_id)
    return user_id


def _user_id_for_names(names: tuple[str, ...]) -> int | None:
    """Zammad's user[]: a user name or display name of ours (the first that matches)."""
    for name in names:
        user_id = (
            User.objects.filter(is_active=True, username=name).values_list("pk", flat=True).first()
            or User.objects.filter(is_active=True, display_name=name)
            .values_list("pk", flat=True)
            .first()
        )
        if user_id:
            return user_id
    return None


_queue_cache: TTLCache[str, int | None] = TTLCache(EXTENSION_CACHE_SECONDS)


def _unit_id_for_queue(queue: str) -> int | None:
    """The unit answering a queue (`CallQueue`), from a short in-process cache."""
    if not queue:
        return None
    found, cached = _queue_cache.get(queue)
    if found:
        return cached
    unit_id = CallQueue.objects.filter(code=queue).values_list("unit_id", flat=True).first()
    _queue_cache.put(queue, unit_id)
    return unit_id


def extension_cache_clear() -> None:
    _ext_cache.clear()
    _queue_cache.clear()
