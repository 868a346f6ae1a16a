"""Writes of the outbox and of notifications."""

from __future__ import annotations

import base64
import logging
import uuid
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from postdesk.core import liveness
from postdesk.core.background import enqueue_on_commit
from postdesk.core.errors import ValidationFailed
from postdesk.core.phones import InvalidPhone, normalize_phone
from postdesk.notify.channels import Channel, DeliveryInDoubt, Postpone, get_channel
from postdesk.notify.models import (
    DeliveryAttempt,
    Notification,
    OutboxMessage,
    SentLog,
    SmsMessage,
    SmsOptOut,
)
from postdesk.notify.sms import rules as sms_rules
from postdesk.org.models import User

logger = logging.getLogger(__name__)

# How long a claim holds while its worker may still be alive: a worker known to be dead
# (core.liveness) loses its claim at once.
CLAIM_LEASE = timedelta(seconds=120)


def outbox_record(
    *, key: str, channel: str, payload: dict[str, Any], not_before: datetime | None = None
) -> OutboxMessage | None:
    """Record a message to deliver after the surrounding transaction commits (and not
    before `not_before`, when given: an SMS held through the quiet hours).

    Call it inside the service's own transaction. The same key is recorded once: a second
    call with a key already present returns None and records nothing.
    """
    get_channel(channel)  # an unknown channel is a programming error: fail loudly, now
    with transaction.atomic():
        message, created = OutboxMessage.objects.get_or_create(
            key=key,
            defaults={
                "channel": channel,
                "payload": payload,
                "next_attempt_at": not_before or timezone.now(),
            },
        )
    if not created:
        return None
    from postdesk.notify.tasks import outbox_deliver_task

    enqueue_on_commit(outbox_deliver_task, message.pk)
    return message


def email_attachment(*, filename: str, content: bytes, mimetype: str) -> dict[str, str]:
    """One attachment as an e-mail payload carries it (JSON: the content base64)."""
    return {
        "filename": filename,
        "mimetype": mimetype,
        "content": base64.b64encode(content).decode("ascii"),
    }


def email_record(
    *,
    key: str,
    to: Iterable[str],
    subject: str,
    body: str,
    attachments: Sequence[dict[str, str]] = (),
) -> OutboxMessage | None:
    """An e-mail to `to` through the outbox (key `email:<key>`), with `attachments` made
    by `email_attachment`; inside the caller's transaction, as `outbox_record`. Nothing
    is recorded when no address is given."""
    addresses = sorted({address for address in to if address})
    if not addresses:
        return None
    return outbox_record(
        key=f"email:{key}",
        channel="email",
        payload={
            "to": addresses,
            "subject": subject,
            "body": body,
            "attachments": list(attachments),
        },
    )


def absolute(link: str) -> str:
    """A site path as the full address an e-mail needs (`POSTDESK_SITE_URL`)."""
    return f"{settings.POSTDESK_SITE_URL}{link}" if link.startswith("/") else link


def notify_users(
    *,
    users: Iterable[User],
    key: str,
    title: str,
    body: str = "",
    link: str = "",
    level: str = "info",
    email: bool = False,
) -> None:
    """In-app notification (the bell) for each user, and optionally an e-mail."""
    recipients = [user for user in users if user.is_active]
    if not recipients:
        return
    outbox_record(
        key=f"inapp:{key}",
        channel="inapp",
        payload={
            "user_ids": sorted({user.pk for user in recipients}),
            "title": title,
            "body": body,
            "link": link,
            "level": level,
        },
    )
    addresses = sorted({user.email for user in recipients if user.email})
    if email and addresses:
        outbox_record(
            key=f"email:{key}",
            channel="email",
            payload={
                "to": addresses,
                "subject": title,
                "body": f"{body}\n\n{absolute(link)}".strip(),
            },
        )


def _backoff(attempts: int) -> timedelta:
    base = settings.POSTDESK_OUTBOX_BACKOFF_SECONDS
    return timedelta(seconds=min(base * (2 ** max(attempts - 1, 0)), 3600))


def _claim(message_id: int) -> bool:
    """Take the message for this process: due and unclaimed (or its lease expired), or
    claimed by a process known to be dead (`core.liveness`). A conditional UPDATE, so two
    workers never hold one message at once."""
    now = timezone.now()
    taken = {
        "next_attempt_at": now + CLAIM_LEASE,
        "attempts": F("attempts") + 1,
        "claimed_by": liveness.me(),
    }
    pending = OutboxMessage.objects.filter(pk=message_id, status=OutboxMessage.Status.PENDING)
    if pending.filter(next_attempt_at__lte=now).update(**taken):
        return True
    holder = pending.exclude(claimed_by="").values_list("claimed_by", "attempts").first()
    if holder is None or not liveness.known_dead(holder[0]):
        return False
    logger.warning("outbox message %s: its worker %s is dead; taken over", message_id, holder[0])
    return bool(pending.filter(claimed_by=holder[0], attempts=holder[1]).update(**taken))


def _mark_sent(message: OutboxMessage, *, ref: str, receipt: str, in_doubt: bool) -> None:
    """The message is delivered: the sent log and the message, in one transaction."""
    now = timezone.now()
    with transaction.atomic():
        SentLog.objects.get_or_create(
            key=message.key,
            defaults={
                "channel": message.channel,
                "ref": ref,
                "receipt": receipt,
                "in_doubt": in_doubt,
                "sent_at": now,
            },
        )
        OutboxMessage.objects.filter(pk=message.pk).update(
            status=OutboxMessage.Status.SENT, sent_at=now, last_error="", claimed_by=""
        )


def _settle_unfinished(message: OutboxMessage, channel: Channel) -> bool:
    """Resolve the attempts a dead (or timed-out) worker left unfinished. True when the
    message turned out delivered (it is then marked sent)."""
    unfinished = list(
        DeliveryAttempt.objects.filter(
            message=message,
            phase__in=[DeliveryAttempt.Phase.STARTED, DeliveryAttempt.Phase.HANDED_OVER],
        )
    )
    delivered = False
    for attempt in unfinished:
        if attempt.phase == DeliveryAttempt.Phase.HANDED_OVER and not delivered:
            verdict = channel.check(message, ref=attempt.ref)
            if verdict == "unknown":
                verdict = "sent" if channel.in_doubt == "assume_sent" else "not_sent"
                in_doubt = verdict == "sent"
            else:
                in_doubt = False
            if verdict == "sent":
                delivered = True
                logger.warning(
                    "outbox message %s: attempt %s died after handing it over; counted sent%s",
                    message.key,
                    attempt.number,
                    " (in doubt)" if in_doubt else "",
                )
                _mark_sent(message, ref=attempt.ref, receipt=attempt.receipt, in_doubt=in_doubt)
        DeliveryAttempt.objects.filter(pk=attempt.pk, phase=attempt.phase).update(
            phase=DeliveryAttempt.Phase.ABANDONED, finished_at=timezone.now()
        )
    return delivered


def outbox_deliver(*, message_id: int) -> bool:
    """Deliver one pending message whose time has come. True when it was sent now.

    1. Claim it (`_claim`: a lease, or taking over from a dead worker).
    2. A key already in the sent log is not sent again; attempts a dead worker left
       unfinished are settled first (`_settle_unfinished`: the channel's `check` and
       `in_doubt` policy for one that had handed the message over).
    3. Record this attempt (with the channel's idempotency reference) before sending;
       the channel marks its point of no return (`handed_over`); it runs outside any
       transaction.
    4. Success: the sent log and the message in one transaction. Failure: the next retry
       time, or dead after the last attempt — only while the claim is still ours, so a
       worker back after its lease expired does not undo a later attempt.
    """
    if not _claim(message_id):
        return False
    message = OutboxMessage.objects.get(pk=message_id)
    channel = get_channel(message.channel)
    if SentLog.objects.filter(key=message.key).exists():
        _mark_sent(message, ref="", receipt="", in_doubt=False)
        return False
    if _settle_unfinished(message, channel):
        return False
    ref = channel.reference(message)
    attempt = DeliveryAttempt.objects.create(
        message=message,
        number=message.attempts,
        worker=liveness.me(),
        ref=ref,
        started_at=timezone.now(),
    )

    def handed_over() -> None:
        DeliveryAttempt.objects.filter(pk=attempt.pk).update(
            phase=DeliveryAttempt.Phase.HANDED_OVER
        )

    try:
        receipt = channel.send(message, ref=ref, handed_over=handed_over)
    except Postpone as later:
        # Not a failure: the channel asks to be called again then (quiet hours, waiting
        # for a receipt); the attempt is not counted (nor kept).
        DeliveryAttempt.objects.filter(pk=attempt.pk).delete()
        OutboxMessage.objects.filter(
            pk=message.pk, status=OutboxMessage.Status.PENDING, attempts=attempt.number
        ).update(next_attempt_at=later.until, attempts=F("attempts") - 1, claimed_by="")
        return False
    except DeliveryInDoubt as exc:
        logger.warning("outbox message %s: %s", message.key, exc)
        DeliveryAttempt.objects.filter(pk=attempt.pk).update(error=str(exc)[:2000])
        if _settle_unfinished(message, channel):
            return True
        return _failed(message, attempt, exc)
    except Exception as exc:
        return _failed(message, attempt, exc)
    DeliveryAttempt.objects.filter(pk=attempt.pk).update(
        phase=DeliveryAttempt.Phase.SENT, receipt=receipt or "", finished_at=timezone.now()
    )
    # (a worker back after its attempt was counted sent in doubt: now it is certain)
    SentLog.objects.filter(key=message.key, ref=ref, in_doubt=True).update(
        in_doubt=False, receipt=receipt or ""
    )
    _mark_sent(message, ref=ref, receipt=receipt or "", in_doubt=False)
    return True


def _failed(message: OutboxMessage, attempt: DeliveryAttempt, exc: BaseException) -> bool:
    error = f"{type(exc).__name__}: {exc}"[:2000]
    DeliveryAttempt.objects.filter(pk=attempt.pk).exclude(
        phase=DeliveryAttempt.Phase.ABANDONED
    ).update(phase=DeliveryAttempt.Phase.FAILED, error=error, finished_at=timezone.now())
    # Only while our claim is the latest: a worker that comes back after its lease
    # expired must not undo what a later attempt recorded (sent, or its own retry).
    still_mine = OutboxMessage.objects.filter(
        pk=message.pk, status=OutboxMessage.Status.PENDING, attempts=attempt.number
    )
    if not still_mine.exists():
        _reopen_if_assumed(message, attempt, exc)
        return False
    if attempt.number >= settings.POSTDESK_OUTBOX_MAX_ATTEMPTS:
        if still_mine.update(status=OutboxMessage.Status.DEAD, last_error=error, claimed_by=""):
            logger.error(
                "outbox message %s is dead after %s attempts: %s",
                message.key,
                attempt.number,
                error,
            )
    else:
        still_mine.update(
            next_attempt_at=timezone.now() + _backoff(attempt.number),
            last_error=error,
            claimed_by="",
        )
    return False


def _reopen_if_assumed(
    message: OutboxMessage, attempt: DeliveryAttempt, exc: BaseException
) -> None:
    """A worker presumed dead comes back with a definite failure of the attempt that was
    counted sent in doubt: it was not delivered after all, so the message is pending
    again (and delivered by the next attempt)."""
    if isinstance(exc, DeliveryInDoubt):
        return
    from postdesk.notify.tasks import outbox_deliver_task

    with transaction.atomic():
        forgotten, _ = SentLog.objects.filter(
            key=message.key, ref=attempt.ref, in_doubt=True
        ).delete()
        if not forgotten:
            return
        OutboxMessage.objects.filter(pk=message.pk, status=OutboxMessage.Status.SENT).update(
            status=OutboxMessage.Status.PENDING, sent_at=None, next_attempt_at=timezone.now()
        )
        enqueue_on_commit(outbox_deliver_task, message.pk)
    logger.warning("outbox message %s was not delivered after all; pending again", message.key)


def outbox_sweep(*, limit: int = 500) -> int:
    """Deliver every pending message that is due, and every one whose claimant is known
    to be dead (without waiting out its lease); returns how many were sent."""
    now = timezone.now()
    pending = OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING)
    due: Sequence[int] = list(
        pending.filter(next_attempt_at__lte=now).order_by("id").values_list("pk", flat=True)[:limit]
    )
    held = list(
        pending.filter(next_attempt_at__gt=now)
        .exclude(claimed_by="")
        .order_by("id")
        .values_list("pk", "claimed_by")[:limit]
    )
    verdicts: dict[str, bool] = {}
    for message_id, holder in held:
        if holder not in verdicts:
            verdicts[holder] = liveness.known_dead(holder)
        if verdicts[holder]:
            due = [*due, message_id]
    return sum(1 for message_id in due if outbox_deliver(message_id=message_id))


def outbox_retry(*, message_ids: Iterable[int]) -> int:
    """An administrator sends dead (or stuck) messages again."""
    from postdesk.notify.tasks import outbox_deliver_task

    ids = list(message_ids)
    with transaction.atomic():
        count = (
            OutboxMessage.objects.filter(pk__in=ids)
            .exclude(status=OutboxMessage.Status.SENT)
            .update(
                status=OutboxMessage.Status.PENDING,
                attempts=0,
                next_attempt_at=timezone.now(),
                last_error="",
            )
        )
        for message_id in ids:
            enqueue_on_commit(outbox_deliver_task, message_id)
    return count


def notification_mark_read(*, user: User, ids: Sequence[int] | None = None) -> int:
    """Mark the user's notifications read: the given ones, or all when ids is None."""
    rows = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        rows = rows.filter(pk__in=ids)
    return rows.update(read_at=timezone.now())


def notifications_settled(*, user: User, link: str) -> int:
    """Mark read the user's unread notifications about one thing (its page's link): they
    asked for something that the user has now acted on, so the bell stops counting them."""
    return Notification.objects.filter(user=user, read_at__isnull=True, link=link).update(
        read_at=timezone.now()
    )


# --------------------------------------------------------------------------- SMS


def sms_phone(raw: str) -> str:
    """The canonical form of a number an SMS can reach (a mainland mobile), or 400."""
    try:
        phone = normalize_phone(raw, default_area_code=settings.POSTDESK_DEFAULT_AREA_CODE)
    except InvalidPhone:
        raise ValidationFailed(fields={"phone": _("Enter a valid phone number.")}) from None
    if not (phone.startswith("+861") and len(phone) == 14):
        raise ValidationFailed(fields={"phone": _("An SMS needs a mobile number.")})
    return phone


def sms_opted_out(*, phone: str) -> bool:
    return SmsOptOut.objects.filter(phone=phone).exists()


ConsentCheck = Callable[[str], bool]
_consent_checks: list[ConsentCheck] = []


def register_sms_consent(check: ConsentCheck) -> None:
    """A higher app that knows the customers (customers) says whether the owner of a
    number agreed to SMS notices: `check(phone)` is False when they declined."""
    if check not in _consent_checks:
        _consent_checks.append(check)


def sms_refusal(*, phone: str, template: str) -> str:
    """Why a customer SMS must not go to `phone`: "opted_out" (the number answered
    TD/退订 or asked us by phone), "no_consent" (the customer declined SMS notices on
    their card), else "". A template the person asked for themselves (a one-time code,
    the centre's own staff) is never refused."""
    spec = sms_rules.TEMPLATES.get(template)
    if spec is not None and spec.ignores_opt_out:
        return ""
    if sms_opted_out(phone=phone):
        return "opted_out"
    if any(not check(phone) for check in _consent_checks):
        return "no_consent"
    return ""


def sms_send(
    *,
    phone: str,
    template: str,
    params: dict[str, Any],
    key: str,
    urgent: bool = False,
    related: tuple[str, str] | None = None,
    lifetime: timedelta | None = None,
    now: datetime | None = None,
) -> SmsMessage:
    """Record an SMS to a customer and its outbox row; the "sms" channel sends it after
    the surrounding transaction commits. The seam other apps call.

    - `template`: a code of `sms/rules.py::TEMPLATES`, `params` its variables (a missing
      one, an unknown template or a number that is not a mobile is a 400, nothing written);
    - `key`: the caller's idempotency key — the same key is recorded once, and a second
      call returns the message recorded first;
    - not `urgent`: held through the quiet hours (21:00–08:00) until the morning;
    - a number that opted out (退订), or whose customer declined SMS notices on their
      card (`register_sms_consent`), gets nothing: the message is recorded as failed
      (`opted_out` / `no_consent`) without an outbox row, unless the template is one the
      person asked for (a one-time code);
    - `related`: (type, id) of what it is about, e.g. ("notice", number) — replies to it
      are attached there;
    - `lifetime`: how long it may still be sent (default `SMS_LIFETIME_HOURS`): a
      one-time code is worthless once the code has expired.
    """
    now = now or timezone.now()
    canonical = sms_phone(phone)
    try:
        text = sms_rules.render(template, params)
    except sms_rules.TemplateError as exc:
        if exc.field == "template":
            raise ValidationFailed(fields={"template": _("Unknown message template.")}) from None
        raise ValidationFailed(
            fields={f"params.{exc.field}": _("This field is required.")}
        ) from None
    existing = SmsMessage.objects.filter(key=key).first()
    if existing is not None:
        return existing
    quiet = sms_rules.QuietHours(*settings.SMS_QUIET_HOURS)
    held = None if urgent else sms_rules.quiet_until(timezone.localtime(now), quiet)
    refusal = sms_refusal(phone=canonical, template=template)
    lifetime = lifetime or timedelta(hours=settings.SMS_LIFETIME_HOURS)
    with transaction.atomic():
        message = SmsMessage.objects.create(
            key=key,
            phone=canonical,
            template=template,
            params={
                k: (v if isinstance(v, int | float | bool) else str(v)) for k, v in params.items()
            },
            text=text,
            urgent=urgent,
            related_type=related[0] if related else "",
            related_id=str(related[1])[:40] if related else "",
            out_id=uuid.uuid4().hex,
            created_at=now,
            not_before=held,
            expires_at=(held or now) + lifetime,
            status=SmsMessage.Status.FAILED if refusal else SmsMessage.Status.CREATED,
            err_code=refusal,
            finished_at=now if refusal else None,
        )
        if not refusal:
            outbox_record(
                key=f"sms:{key}", channel="sms", payload={"sms_id": message.pk}, not_before=held
            )
    return message
