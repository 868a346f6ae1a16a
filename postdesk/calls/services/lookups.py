"""Who and what a CTI event names: extensions, queues, Zammad's user identifiers, and
the administrators' block list of callers.

Ingestion looks these up for every event, so the answers are kept per process for a
short while (`core.ttlcache`); `extension_cache_clear` forgets them at once (tests, and
the process that changed a user's extension, a queue or the block list).
"""

from __future__ import annotations

from dataclasses import replace

from django.conf import settings
from django.db.models import Q

from postdesk.calls.events import MAX_EXTENSION, CtiEvent
from postdesk.calls.models import BlockedNumber, CallQueue
from postdesk.core.phones import try_normalize_phone
from postdesk.core.ttlcache import TTLCache
from postdesk.org.models import User

EXTENSION_CACHE_SECONDS = 30.0

_ext_cache: TTLCache[str, int | None] = TTLCache(EXTENSION_CACHE_SECONDS, max_size=5000)
_queue_cache: TTLCache[str, int | None] = TTLCache(EXTENSION_CACHE_SECONDS)
_identity_cache: TTLCache[str, str] = TTLCache(EXTENSION_CACHE_SECONDS, max_size=5000)
_blocked_cache: TTLCache[str, frozenset[str]] = TTLCache(EXTENSION_CACHE_SECONDS)


def _canonical(raw: str) -> str:
    return try_normalize_phone(raw, default_area_code=settings.POSTDESK_DEFAULT_AREA_CODE) or ""


def number_is_blocked(number: str) -> bool:
    """Whether a caller's number is on the administrators' block list."""
    canonical = _canonical(number)
    if not canonical:
        return False
    found, numbers = _blocked_cache.get("all")
    if not found or numbers is None:
        numbers = frozenset(BlockedNumber.objects.values_list("number", flat=True))
        _blocked_cache.put("all", numbers)
    return canonical in numbers


def user_id_for_extension(extension: str) -> int | None:
    """The active user at this extension, or None."""
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


def unit_id_for_queue(queue: str) -> int | None:
    """The unit answering a queue (`CallQueue`), or None (the city centre's)."""
    if not queue:
        return None
    found, cached = _queue_cache.get(queue)
    if found:
        return cached
    unit_id = CallQueue.objects.filter(code=queue).values_list("unit_id", flat=True).first()
    _queue_cache.put(queue, unit_id)
    return unit_id


def extension_for_identifier(identifier: str) -> str:
    """The extension of the active user a PBX names by extension, login, direct phone
    or display name (Zammad's `answeringNumber` and `user`), in that order; "" if
    none."""
    identifier = identifier.strip()
    if not identifier:
        return ""
    found, cached = _identity_cache.get(identifier)
    if found and cached is not None:
        return cached
    active = User.objects.filter(is_active=True).exclude(extension="")
    extension = ""
    for condition in _identifier_conditions(identifier):
        extension = active.filter(condition).values_list("extension", flat=True).first() or ""
        if extension:
            break
    _identity_cache.put(identifier, extension)
    return extension


def _identifier_conditions(identifier: str) -> list[Q]:
    conditions = [Q(extension=identifier), Q(username=identifier)]
    canonical = _canonical(identifier) if any(c.isdigit() for c in identifier) else ""
    if canonical:
        # a direct phone as written, or as the canonical form of what was written
        phones = {identifier, canonical}
        conditions.append(Q(phone__in=sorted(phones)) | Q(pk__in=_users_with_phone(canonical)))
    conditions.append(Q(display_name=identifier))
    return conditions


def _users_with_phone(canonical: str) -> list[int]:
    """Active users whose direct phone, in canonical form, is this number (phones are
    kept as typed; the staff is small, so they are compared here)."""
    rows = User.objects.filter(is_active=True).exclude(phone="").values_list("pk", "phone")
    return [pk for pk, phone in rows if _canonical(phone) == canonical]


def extension_cache_clear() -> None:
    _ext_cache.clear()
    _queue_cache.clear()
    _identity_cache.clear()
    _blocked_cache.clear()


def zammad_event_resolve(event: CtiEvent) -> CtiEvent:
    """Zammad names people, not only extensions: `answeringNumber` and the `user` names
    (the users whose phones ring, or who call out) may each be an extension, a login or a
    display name. The event as ingestion needs it: `agent` the extension of the first
    of them that is an active user's; else an unknown `answeringNumber` short enough to
    be an extension is kept as one (the call still counts)."""
    for identifier in (event.agent, *event.users):
        extension = extension_for_identifier(identifier)
        if extension:
            return replace(event, agent=extension)
    agent = event.agent if len(event.agent) <= MAX_EXTENSION else ""
    return replace(event, agent=agent)
