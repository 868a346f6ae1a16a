"""`Idempotency-Key` for the API's creates and actions: one decorator, `@idempotent`.

A client that sends `Idempotency-Key: <its own unique key>` (1–255 visible ASCII
characters, a UUID say) may retry a request as often as it likes:

- a retry with the same key and the same method, path and body gets the first answer
  (its status and body) again, and writes nothing;
- the same key with another body (or another path) is refused: 422 `idempotency_key_reused`;
- a request without the header is handled as always.

Keys belong to whoever sent them (the signed-in user; anonymous callers share one space,
so a public client must use random keys) and are kept for `RETENTION` (24 hours), then
forgotten. Only successful answers (2xx) are kept: a refused request wrote nothing, so
it may be corrected and sent again with the same key.

How it holds: the request runs in one transaction together with its record. The record
is inserted first, so a concurrent twin waits on the unique key (PostgreSQL) or on the
writers' lock (SQLite) until the first commits, then answers from its record; if the
first fails, nothing of it remains and the twin runs as the first. (On SQLite the write
lock is therefore held for the whole request when a key is sent.)

Apply it under the router's decorator of a ninja operation:

    @router.post("/", response={201: OrderOut, **errors(400, 409, 422)})
    @idempotent
    def create(request, payload: CreateIn) -> Status[OrderOut]: ...

The replayed answer goes through the operation's response schema like the first one.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import inspect
import json
import typing
from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Status
from ninja.responses import NinjaJSONEncoder

from postdesk.core.errors import Conflict, IdempotencyKeyReused, ValidationFailed
from postdesk.core.models import IdempotencyRecord

HEADER = "Idempotency-Key"
RETENTION = timedelta(hours=24)
MAX_KEY_LENGTH = 255

F = TypeVar("F", bound=Callable[..., Any])


def _key(request: HttpRequest) -> str | None:
    raw = request.headers.get(HEADER)
    if raw is None:
        return None
    key = raw.strip()
    if not key or len(key) > MAX_KEY_LENGTH or not all(" " < ch <= "~" for ch in key):
        raise ValidationFailed(
            fields={HEADER: _("Use 1 to 255 visible ASCII characters, such as a UUID.")}
        )
    return key


def _principal(request: HttpRequest) -> str:
    user = getattr(request, "user", None)
    if user is not None and getattr(user, "is_authenticated", False):
        return f"user:{user.pk}"
    return "anonymous"


def _fingerprint(request: HttpRequest) -> str:
    """The request's method, path and body; a JSON body compared by its content."""
    body: bytes = request.body
    if (request.content_type or "").endswith("json") and body:
        with contextlib.suppress(ValueError):  # not JSON: the view refuses it
            body = json.dumps(
                json.loads(body), sort_keys=True, separators=(",", ":"), ensure_ascii=False
            ).encode()
    digest = hashlib.sha256()
    for part in (request.method or "").encode(), request.path.encode(), body:
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


def _split(result: Any) -> tuple[int | None, Any]:
    if isinstance(result, Status):
        return result.status_code, result.value
    if isinstance(result, tuple) and len(result) == 2 and isinstance(result[0], int):
        return result[0], result[1]
    return None, result


def _claim(principal: str, key: str, fingerprint: str) -> IdempotencyRecord | None:
    """The record of a finished twin (to answer from), or None once ours is inserted."""
    stale = timezone.now() - RETENTION
    for _attempt in range(5):
        found = IdempotencyRecord.objects.filter(principal=principal, key=key).first()
        if found is not None and found.created_at < stale:
            found.delete()  # forgotten: the key is new again
            found = None
        if found is not None:
            if found.fingerprint != fingerprint:
                raise IdempotencyKeyReused(fields={HEADER: IdempotencyKeyReused.default_message})
            return found
        try:
            with transaction.atomic():
                IdempotencyRecord.objects.create(
                    principal=principal, key=key, fingerprint=fingerprint, status=0, body=""
                )
            return None
        except IntegrityError:
            continue  # a twin committed meanwhile: answer from its record
    raise Conflict()


def idempotent(view: F) -> F:
    """Make a ninja operation honour `Idempotency-Key` (see the module's docstring)."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        key = _key(request)
        if key is None:
            return view(request, *args, **kwargs)
        principal = _principal(request)
        fingerprint = _fingerprint(request)
        with transaction.atomic():
            first = _claim(principal, key, fingerprint)
            if first is not None:
                value = json.loads(first.body)
                return Status(first.status, value) if first.status else value
            result = view(request, *args, **kwargs)
            status, value = _split(result)
            if status is not None and not 200 <= status < 300:
                transaction.set_rollback(True)  # nothing is kept of a refused request
                return result
            IdempotencyRecord.objects.filter(principal=principal, key=key).update(
                status=status or 0,  # 0: the operation's one declared status
                body=json.dumps(value, cls=NinjaJSONEncoder, ensure_ascii=False),
            )
        return result

    # ninja reads the parameters' types from the signature; the wrapper lives in another
    # module, so give it the view's own, with the annotations already resolved
    hints = typing.get_type_hints(view)
    signature = inspect.signature(view)
    wrapper.__signature__ = signature.replace(  # type: ignore[attr-defined]
        parameters=[
            p.replace(annotation=hints.get(p.name, p.annotation))
            for p in signature.parameters.values()
        ],
        return_annotation=hints.get("return", signature.return_annotation),
    )
    wrapper.idempotent = True  # type: ignore[attr-defined]
    return wrapper  # type: ignore[return-value]


def purge_expired() -> int:
    """Forget the records older than `RETENTION` (a periodic job)."""
    deleted, _ = IdempotencyRecord.objects.filter(
        created_at__lt=timezone.now() - RETENTION
    ).delete()
    return deleted
