"""The portal's rate limits, through `core.ratelimit` (Redis in production, the database in
the embedded mode: either way shared by every process).

Following a request: 5 wrong tries for one reference or 20 from one address in 15 minutes
answer 429 with Retry-After (the limit is checked before the lookup, so a correct answer
after the limit is refused too: a guesser learns nothing from the 6th try). Rating asks
the same lookup, so it shares these limits.

Filing: `POSTDESK_PORTAL_FILE_PER_PHONE` (5) per phone and `POSTDESK_PORTAL_FILE_PER_ADDRESS`
(20) per client address an hour, counted once a filing's fields and proof of work passed.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from postdesk.core import ratelimit
from postdesk.core.errors import RateLimited

FOLLOW_WINDOW = 15 * 60
FOLLOW_PER_REF = 5
FOLLOW_PER_IP = 20
FILE_WINDOW = 60 * 60


def _keys(reference: str, ip: str | None) -> list[tuple[str, int]]:
    return [
        (f"portal-follow-ref:{reference.upper()}", FOLLOW_PER_REF),
        (f"portal-follow-ip:{ip or '-'}", FOLLOW_PER_IP),
    ]


def follow_check(*, reference: str, ip: str | None) -> None:
    """RateLimited when this reference or this address has used up its wrong tries."""
    for key, limit in _keys(reference, ip):
        decision = ratelimit.peek(key, limit=limit - 1, window_seconds=FOLLOW_WINDOW)
        if not decision.allowed:
            raise RateLimited(retry_after=decision.retry_after)


def follow_failed(*, reference: str, ip: str | None) -> None:
    """Count one wrong try against the reference and the address."""
    for key, limit in _keys(reference, ip):
        ratelimit.hit(key, limit=limit, window_seconds=FOLLOW_WINDOW)


def filing_hit(*, phone: str, ip: str | None) -> None:
    """Count one filing against the phone and the address; RateLimited (429 with
    Retry-After) once either is past its hourly limit."""
    limits = [
        (f"portal-file-phone:{phone}", settings.POSTDESK_PORTAL_FILE_PER_PHONE),
        (f"portal-file-ip:{ip or '-'}", settings.POSTDESK_PORTAL_FILE_PER_ADDRESS),
    ]
    refused = []
    for key, limit in limits:
        decision = ratelimit.hit(key, limit=limit, window_seconds=FILE_WINDOW)
        if not decision.allowed:
            refused.append(decision.retry_after)
    if refused:
        raise RateLimited(
            _(
                "Too many requests were filed from here in the last hour. Please try again "
                "later, or call 11185."
            ),
            retry_after=max(refused),
        )
