"""The portal's rate limits, through `core.ratelimit` (Redis in production, the database in
the embedded mode: either way shared by every process).

Following a request: 5 wrong tries for one reference or 20 from one address in 15 minutes
answer 429 with Retry-After (the limit is checked before the lookup, so a correct answer
after the limit is refused too: a guesser learns nothing from the 6th try). Rating asks
the same lookup, so it shares these limits.

One-time codes (`portal.otp`): sending one is allowed once a minute and 5 times an hour
per phone, 5 a minute and 30 an hour per address (a mobile network's carrier-grade NAT
puts many phones behind one address); 20 wrong codes from one address in 15 minutes
answer 429 like following (each code also dies after its own 5 tries).

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
    """RateLimited when this reference or this address has used up its wrong tries (both
    read at once: one round trip to Redis)."""
    checks = [(key, limit - 1, FOLLOW_WINDOW) for key, limit in _keys(reference, ip)]
    for decision in ratelimit.peek_many(checks):
        if not decision.allowed:
            raise RateLimited(retry_after=decision.retry_after)


def follow_failed(*, reference: str, ip: str | None) -> None:
    """Count one wrong try against the reference and the address (one round trip)."""
    ratelimit.hit_many([(key, limit, FOLLOW_WINDOW) for key, limit in _keys(reference, ip)])


OTP_SEND_LIMITS = (  # (bucket, what it counts by, limit, window seconds)
    ("portal-otp-phone-min", "phone", 1, 60),
    ("portal-otp-phone-hour", "phone", 5, 60 * 60),
    ("portal-otp-ip-min", "ip", 5, 60),
    ("portal-otp-ip-hour", "ip", 30, 60 * 60),
)
OTP_VERIFY_PER_IP = 20


def otp_send_hit(*, phone: str, ip: str | None) -> None:
    """Count one code sent to `phone` from `ip`; RateLimited (429 with Retry-After, the
    longest wait) once any of `OTP_SEND_LIMITS` is used up. Refused asks count nothing (a
    second tap within the minute does not eat the hour's allowance)."""
    buckets = [
        (f"{bucket}:{phone if by == 'phone' else (ip or '-')}", limit, window)
        for bucket, by, limit, window in OTP_SEND_LIMITS
    ]
    refused = [
        d.retry_after
        for d in (ratelimit.peek(k, limit=n - 1, window_seconds=w) for k, n, w in buckets)
        if not d.allowed
    ]
    if not refused:  # count; another process may have counted meanwhile
        refused = [
            d.retry_after
            for d in (ratelimit.hit(k, limit=n, window_seconds=w) for k, n, w in buckets)
            if not d.allowed
        ]
    if refused:
        raise RateLimited(
            _("A code was sent a moment ago. Please wait before asking for another."),
            retry_after=max(refused),
        )


def otp_verify_check(*, ip: str | None) -> None:
    decision = ratelimit.peek(
        f"portal-otp-verify-ip:{ip or '-'}",
        limit=OTP_VERIFY_PER_IP - 1,
        window_seconds=FOLLOW_WINDOW,
    )
    if not decision.allowed:
        raise RateLimited(retry_after=decision.retry_after)


def otp_verify_failed(*, ip: str | None) -> None:
    ratelimit.hit(
        f"portal-otp-verify-ip:{ip or '-'}", limit=OTP_VERIFY_PER_IP, window_seconds=FOLLOW_WINDOW
    )


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
