"""Following by phone: a one-time code by SMS, then a short-lived token that lists the
phone's requests of the last 12 months (`selectors.requests_of_phone`).

1. `otp_request(phone)` — any valid mobile number gets the same answer (the API's 202),
   whether or not it ever filed anything: nobody learns whose number is known. The code
   (6 digits, `secrets`) is kept only as an HMAC keyed with the site's secret, lives
   `CODE_TTL`, and supersedes the phone's earlier codes. It goes out through the notify
   app's SMS seam (`sms_send`, template `one_time_code`, the outbox after commit) as
   *urgent* — quiet hours never hold it — with the code's own lifetime, and the message's
   text is starred once sent (the template is `secret`). Sending is limited per phone and
   per address (`guard.OTP_SEND_LIMITS`).
2. `otp_verify(phone, code)` — each code takes `MAX_ATTEMPTS` tries (counted by one
   conditional UPDATE, so parallel guesses across processes cannot exceed it) and is good
   once; wrong codes also count against the address (`guard`). A right code answers a
   token signed with the site's secret: the phone and an expiry `TOKEN_TTL` ahead.
3. `phone_of_token(token)` — the phone a token was issued for, or 401.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from postdesk.core.errors import AuthenticationFailed, ValidationFailed
from postdesk.notify.services import sms_phone, sms_send
from postdesk.portal import guard
from postdesk.portal.models import OneTimeCode

CODE_DIGITS = 6
CODE_TTL = timedelta(minutes=5)
MAX_ATTEMPTS = 5
TOKEN_TTL = timedelta(minutes=30)
TOKEN_SALT = "postdesk.portal.otp-token"
SMS_TEMPLATE = "one_time_code"
SMS_RELATED = "portal_otp"


def _digest(phone: str, code: str) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"portal-otp:{phone}:{code}".encode(), hashlib.sha256).hexdigest()


def _live(phone: str) -> QuerySet[OneTimeCode]:
    return OneTimeCode.objects.filter(phone=phone, superseded=False, used_at__isnull=True)


def otp_request(*, phone: str, ip: str | None = None, now: datetime | None = None) -> None:
    """Send a fresh code to `phone`. 400 (`fields.phone`) for a number an SMS cannot
    reach; 429 with Retry-After past the limits; else nothing to tell."""
    now = now or timezone.now()
    canonical = sms_phone(phone)
    guard.otp_send_hit(phone=canonical, ip=ip)
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    with transaction.atomic():
        _live(canonical).update(superseded=True)
        row = OneTimeCode.objects.create(
            phone=canonical,
            code_hash=_digest(canonical, code),
            created_at=now,
            expires_at=now + CODE_TTL,
        )
        sms_send(
            phone=canonical,
            template=SMS_TEMPLATE,
            params={"code": code, "minutes": int(CODE_TTL.total_seconds() // 60)},
            key=f"portal-otp:{row.pk}",
            urgent=True,
            related=(SMS_RELATED, str(row.pk)),
            lifetime=CODE_TTL,
            now=now,
        )


@dataclass(frozen=True, slots=True)
class PhoneToken:
    token: str
    expires_at: datetime
    phone: str


def _refused(code: str) -> ValidationFailed:
    messages = {
        "otp_wrong": _("This code is not right. Check the SMS and try again."),
        "otp_expired": _("This code has expired. Ask for a new one."),
        "otp_exhausted": _("This code was tried too many times. Ask for a new one."),
    }
    message = messages[code]
    return ValidationFailed(message, fields={"code": message}, code=code)


def otp_verify(
    *, phone: str, code: str, ip: str | None = None, now: datetime | None = None
) -> PhoneToken:
    """A token for `phone` when `code` is its live code. 400 `otp_wrong` (also when no
    code was asked for), `otp_expired`, `otp_exhausted` (the code's tries are used up);
    429 once the address has made too many wrong tries."""
    now = now or timezone.now()
    canonical = sms_phone(phone)
    code = (code or "").strip()
    if len(code) != CODE_DIGITS or not code.isdigit():
        message = _("Enter the 6-digit code from the SMS.")
        raise ValidationFailed(message, fields={"code": message})
    guard.otp_verify_check(ip=ip)
    row = _live(canonical).order_by("-created_at", "-pk").first()
    if row is None:
        guard.otp_verify_failed(ip=ip)
        raise _refused("otp_wrong")
    if row.expires_at <= now:
        raise _refused("otp_expired")
    took = OneTimeCode.objects.filter(
        pk=row.pk, attempts__lt=MAX_ATTEMPTS, used_at__isnull=True
    ).update(attempts=F("attempts") + 1)
    if not took:
        raise _refused("otp_exhausted")
    if not hmac.compare_digest(row.code_hash, _digest(canonical, code)):
        guard.otp_verify_failed(ip=ip)
        raise _refused("otp_exhausted" if row.attempts + 1 >= MAX_ATTEMPTS else "otp_wrong")
    if not OneTimeCode.objects.filter(pk=row.pk, used_at__isnull=True).update(used_at=now):
        raise _refused("otp_wrong")  # the same code used by a parallel request
    return token_issue(phone=canonical, now=now)


def token_issue(*, phone: str, now: datetime | None = None) -> PhoneToken:
    expires_at = (now or timezone.now()) + TOKEN_TTL
    token = signing.Signer(salt=TOKEN_SALT).sign_object(
        {"p": phone, "e": int(expires_at.timestamp()), "n": secrets.token_hex(4)}
    )
    return PhoneToken(token=token, expires_at=expires_at, phone=phone)


def phone_of_token(token: str, *, now: datetime | None = None) -> str:
    """The phone `token` was issued for; 401 for a missing, forged or expired token."""
    refused = AuthenticationFailed(
        _("Your check has expired. Ask for a new code."), code="otp_token_invalid"
    )
    if not token or len(token) > 300:
        raise refused
    try:
        data = signing.Signer(salt=TOKEN_SALT).unsign_object(token)
    except signing.BadSignature:
        raise refused from None
    if not isinstance(data, dict) or not isinstance(data.get("p"), str):
        raise refused
    if int(data.get("e", 0)) <= (now or timezone.now()).timestamp():
        raise refused
    return str(data["p"])


def codes_purge(*, now: datetime | None = None) -> int:
    """Forget codes an hour past their expiry (hourly, with the spent challenges)."""
    cutoff = (now or timezone.now()) - timedelta(hours=1)
    deleted, _rows = OneTimeCode.objects.filter(expires_at__lt=cutoff).delete()
    return deleted
