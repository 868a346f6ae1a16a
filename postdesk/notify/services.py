"""Writes of the outbox and of notifications."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from postdesk.core.background import enqueue_on_commit
from postdesk.core.errors import ValidationFailed
from postdesk.core.phones import InvalidPhone, normalize_phone
from postdesk.notify.channels import Postpone, get_channel
from postdesk.notify.models import Notification, OutboxMessage, SmsMessage, SmsOptOut
from postdesk.notify.sms import rules as sms_rules
from postdesk.org.models import User

logger = logging.getLogger(__name__)

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
            payload={"to": addresses, "subject": title, "body": f"{body}\n\n{link}".strip()},
        )


def _backoff(attempts: int) -> timedelta:
    base = settings.POSTDESK_OUTBOX_BACKOFF_SECONDS
    return timedelta(seconds=min(base * (2 ** max(attempts - 1, 0)), 3600))


def outbox_deliver(*, message_id: int) -> bool:
    """Deliver one pending message whose time has come. True when it was sent now.

    The message is first claimed with a conditional UPDATE (a lease), so two workers
    never deliver it at once; the channel runs outside any transaction; success or the
    next retry time is recorded afterwards. A worker that dies mid-way leaves the lease
    to expire, and the sweep tries again.
    """
    now = timezone.now()
    claimed = OutboxMessage.objects.filter(
        pk=message_id, status=OutboxMessage.Status.PENDING, next_attempt_at__lte=now
    ).update(next_attempt_at=now + CLAIM_LEASE, attempts=F("attempts") + 1)
    if not claimed:
        return False
    message = OutboxMessage.objects.get(pk=message_id)
    try:
        get_channel(message.channel)(message)
    except Postpone as later:
        # Not a failure: the channel asks to be called again then (quiet hours, waiting
        # for a receipt); the attempt is not counted.
        OutboxMessage.objects.filter(
            pk=message_id, status=OutboxMessage.Status.PENDING, attempts=message.attempts
        ).update(next_attempt_at=later.until, attempts=F("attempts") - 1)
        return False
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"[:2000]
        # Only while our claim is the latest: a worker that comes back after its lease
        # expired must not undo what a later attempt recorded (sent, or its own retry).
        still_mine = OutboxMessage.objects.filter(
            pk=message_id, status=OutboxMessage.Status.PENDING, attempts=message.attempts
        )
        if message.attempts >= settings.POSTDESK_OUTBOX_MAX_ATTEMPTS:
            if still_mine.update(status=OutboxMessage.Status.DEAD, last_error=error):
                logger.error(
                    "outbox message %s is dead after %s attempts: %s",
                    message.key,
                    message.attempts,
                    error,
                )
        else:
            still_mine.update(
                next_attempt_at=timezone.now() + _backoff(message.attempts), last_error=error
            )
        return False
    OutboxMessage.objects.filter(pk=message_id).update(
        status=OutboxMessage.Status.SENT, sent_at=timezone.now(), last_error=""
    )
    return True


def outbox_sweep(*, limit: int = 500) -> int:
    """Deliver every pending message that is due; returns how many were sent."""
    due: Sequence[int] = list(
        OutboxMessage.objects.filter(
            status=OutboxMessage.Status.PENDING, next_attempt_at__lte=timezone.now()
        )
        .order_by("id")
        .values_list("pk", flat=True)[:limit]
    )
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


def sms_send(
    *,
    phone: str,
    template: str,
    params: dict[str, Any],
    key: str,
    urgent: bool = False,
    related: tuple[str, str] | None = None,
    now: datetime | None = None,
) -> SmsMessage:
    """Record an SMS to a customer and its outbox row; the "sms" channel sends it after
    the surrounding transaction commits. The seam other apps call.

    - `template`: a code of `sms/rules.py::TEMPLATES`, `params` its variables (a missing
      one, an unknown template or a number that is not a mobile is a 400, nothing written);
    - `key`: the caller's idempotency key — the same key is recorded once, and a second
      call returns the message recorded first;
    - not `urgent`: held through the quiet hours (21:00–08:00) until the morning;
    - a number that opted out (退订) gets nothing: the message is recorded as failed
      (`opted_out`) without an outbox row, unless the template is one the customer asked
      for (a one-time code);
    - `related`: (type, id) of what it is about, e.g. ("notice", number) — replies to it
      are attached there.
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
    opted_out = not sms_rules.TEMPLATES[template].ignores_opt_out and sms_opted_out(phone=canonical)
    lifetime = timedelta(hours=settings.SMS_LIFETIME_HOURS)
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
            status=SmsMessage.Status.FAILED if opted_out else SmsMessage.Status.CREATED,
            err_code="opted_out" if opted_out else "",
            finished_at=now if opted_out else None,
        )
        if not opted_out:
            outbox_record(
                key=f"sms:{key}", channel="sms", payload={"sms_id": message.pk}, not_before=held
            )
    return message
