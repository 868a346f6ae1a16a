"""Delivery channels of the outbox, and what each promises about a second delivery.

A channel is a `Channel` (or a plain function, wrapped as one) registered by name with
`register_channel`. The outbox (`services.outbox_deliver`) calls it like this, once per
attempt, outside any transaction:

1. `ref = channel.reference(message)` — the channel's own idempotency reference, the
   same on every attempt of one message (e-mail: the Message-ID; an SMS gateway: its
   OutId). It is stored on the attempt row before anything is sent.
2. `receipt = channel.send(message, ref=ref, handed_over=...)` — deliver, or raise.
   The channel calls `handed_over()` just before its point of no return (the SMTP final
   dot; the gateway request) — the outbox records it — and raises `DeliveryInDoubt` when
   it cannot tell whether what it handed over arrived (a timeout waiting for the answer).
   It returns the channel's receipt (a queue id, the gateway's BizId) or "".
3. After a crash (the worker died, or a `DeliveryInDoubt`), the next attempt first asks
   `channel.check(message, ref=ref)` → "sent" / "not_sent" / "unknown" (an SMS gateway
   queries its send log by OutId). An attempt that died before `handed_over()` was
   certainly not delivered and is simply sent again. "unknown" is settled by the
   channel's `in_doubt` policy: "resend" (safe when the far side deduplicates by `ref`,
   or when the delivery is idempotent, as the in-app one is) or "assume_sent".

Whatever the channel, a key in the sent log (`SentLog`) is never sent again.
"""

from __future__ import annotations

import base64
import logging
import smtplib
from collections.abc import Callable
from datetime import datetime
from typing import Any, Literal

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.db import transaction

from postdesk.notify.models import Notification, OutboxMessage

logger = logging.getLogger(__name__)

Check = Literal["sent", "not_sent", "unknown"]


class DeliveryInDoubt(Exception):
    """The message was handed over, and whether it arrived is unknown (a timeout, a
    connection lost while waiting for the answer)."""


class Channel:
    """A delivery channel. Subclass it; override `send`, and `reference`, `check` and
    `in_doubt` where the channel offers better than the defaults."""

    name = ""
    # What an attempt that died after handing the message over counts as, when `check`
    # answers "unknown": "resend" (at least once) or "assume_sent" (at most once).
    in_doubt: Literal["resend", "assume_sent"] = "resend"

    def reference(self, message: OutboxMessage) -> str:
        return message.key

    def send(self, message: OutboxMessage, *, ref: str, handed_over: Callable[[], None]) -> str:
        raise NotImplementedError

    def check(self, message: OutboxMessage, *, ref: str) -> Check:
        return "unknown"


class FunctionChannel(Channel):
    """A plain function `deliver(message)` as a channel: at least once (the function must
    be idempotent per message key)."""

    def __init__(self, name: str, handler: Callable[[OutboxMessage], Any]) -> None:
        self.name = name
        self.handler = handler

    def send(self, message: OutboxMessage, *, ref: str, handed_over: Callable[[], None]) -> str:
        handed_over()
        result = self.handler(message)
        return result if isinstance(result, str) else ""


class Postpone(Exception):
    """Raised by a channel that cannot deliver yet and is not failing: the outbox calls
    it again at `until` and does not count the attempt (quiet hours; a send whose answer
    was lost, waiting for the provider's receipt)."""

    def __init__(self, until: datetime) -> None:
        super().__init__(until.isoformat())
        self.until = until


_channels: dict[str, Channel] = {}


def register_channel(name: str, handler: Channel | Callable[[OutboxMessage], Any]) -> None:
    if not isinstance(handler, Channel):
        handler = FunctionChannel(name, handler)
    handler.name = name
    _channels[name] = handler


def get_channel(name: str) -> Channel:
    try:
        return _channels[name]
    except KeyError:
        raise LookupError(f"no outbox channel named {name!r}") from None


# ---------------------------------------------------------------------------- in-app


def deliver_in_app(message: OutboxMessage) -> None:
    """Idempotent by (user, key): a second delivery creates nothing."""
    payload: dict[str, Any] = message.payload
    rows = [
        Notification(
            user_id=user_id,
            key=message.key,
            title=payload.get("title", "")[:200],
            body=payload.get("body", ""),
            link=payload.get("link", "")[:300],
            level=payload.get("level", "info"),
        )
        for user_id in payload.get("user_ids", [])
    ]
    with transaction.atomic():
        Notification.objects.bulk_create(rows, ignore_conflicts=True)


# ---------------------------------------------------------------------------- e-mail


class PhasedSMTPBackend(SMTPBackend):
    """Django's SMTP backend (settings, TLS, login, timeout), sending one message with
    the DATA command split at its point of no return: everything up to the final dot,
    then `handed_over()`, then the dot and the relay's answer."""

    def send_phased(
        self, email: EmailMessage, handed_over: Callable[[], None]
    ) -> tuple[int, bytes]:
        if self.connection is None and not self.open():
            raise smtplib.SMTPServerDisconnected("could not connect")
        assert self.connection is not None
        smtp = self.connection
        recipients = email.recipients()
        raw = email.message().as_bytes(linesep="\r\n")
        code, answer = smtp.mail(email.from_email)
        if code != 250:
            raise smtplib.SMTPSenderRefused(code, answer, email.from_email)
        accepted = 0
        for recipient in recipients:
            code, answer = smtp.rcpt(recipient)
            accepted += code in (250, 251)
        if not accepted:
            raise smtplib.SMTPRecipientsRefused({r: (code, answer) for r in recipients})
        code, answer = smtp.docmd("DATA")
        if code != 354:
            raise smtplib.SMTPDataError(code, answer)
        body = raw.replace(b"\r\n.", b"\r\n..")
        if body.startswith(b"."):
            body = b"." + body
        if not body.endswith(b"\r\n"):
            body += b"\r\n"
        smtp.send(body)
        handed_over()  # past this the relay may have the message whatever happens
        try:
            smtp.send(b".\r\n")
            code, answer = smtp.getreply()
        except (OSError, smtplib.SMTPServerDisconnected) as exc:
            raise DeliveryInDoubt(f"no answer to the final dot: {exc}") from exc
        if code != 250:
            raise smtplib.SMTPDataError(code, answer)
        return code, answer


def email_attachments(payload: dict[str, Any]) -> list[tuple[str, bytes, str]]:
    """The payload's `attachments` — `[{"filename", "mimetype", "content"}]`, the content
    base64 (as `services.email_attachment` makes them) — as (filename, bytes, mimetype)."""
    return [
        (
            str(item["filename"]),
            base64.b64decode(item["content"]),
            str(item.get("mimetype") or "application/octet-stream"),
        )
        for item in payload.get("attachments", [])
    ]


class EmailChannel(Channel):
    """E-mail through the configured backend, with the payload's attachments if it has
    any (`email_attachments`). The reference is the Message-ID (the same on every
    attempt, so a mail client can collapse a duplicate). SMTP cannot be asked afterwards
    whether a message arrived, and a relay takes responsibility for a message
    when it reads the final dot (RFC 5321 §4.1.1.4 and §6.1), so an attempt that died
    after the dot counts as sent ("assume_sent"); one that died before it is sent again."""

    in_doubt: Literal["resend", "assume_sent"] = "assume_sent"

    def reference(self, message: OutboxMessage) -> str:
        return f"<{message.key.replace(' ', '_')}@postdesk>"

    def send(self, message: OutboxMessage, *, ref: str, handed_over: Callable[[], None]) -> str:
        payload: dict[str, Any] = message.payload
        recipients = [address for address in payload.get("to", []) if address]
        if not recipients:
            handed_over()
            return ""
        email = EmailMessage(
            subject=payload.get("subject", ""),
            body=payload.get("body", ""),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=recipients,
            headers={"Message-ID": ref},
        )
        for filename, content, mimetype in email_attachments(payload):
            email.attach(filename, content, mimetype)
        if settings.EMAIL_BACKEND != "django.core.mail.backends.smtp.EmailBackend":
            handed_over()  # files, memory, console: local and all at once
            email.send(fail_silently=False)
            return ""
        backend = PhasedSMTPBackend(fail_silently=False)
        try:
            _code, answer = backend.send_phased(email, handed_over)
        finally:
            try:
                backend.close()
            except Exception:  # the relay went away after answering: nothing to undo
                logger.debug("SMTP close failed", exc_info=True)
        return answer.decode(errors="replace")[:250]


register_channel("inapp", deliver_in_app)
register_channel("email", EmailChannel())


class SmsChannel(Channel):
    """SMS through the configured gateway (`notify.sms.services.sms_deliver`). The
    reference is the message's OutId. The SMS service keeps its own record of a send in
    progress (`SmsMessage.uncertain`) and, on the next try, waits for the receipt and
    asks the gateway by OutId before it sends again, so calling it again after a crash is
    safe: `in_doubt = "resend"` here means "let the SMS service decide"."""

    in_doubt: Literal["resend", "assume_sent"] = "resend"

    def reference(self, message: OutboxMessage) -> str:
        from postdesk.notify.models import SmsMessage

        sms_id = message.payload.get("sms_id")
        out_id = SmsMessage.objects.filter(pk=sms_id).values_list("out_id", flat=True).first()
        return out_id or message.key

    def send(self, message: OutboxMessage, *, ref: str, handed_over: Callable[[], None]) -> str:
        from postdesk.notify.sms.services import sms_deliver

        handed_over()
        return sms_deliver(sms_id=int(message.payload["sms_id"]))


register_channel("sms", SmsChannel())

__all__ = [
    "Channel",
    "DeliveryInDoubt",
    "EmailChannel",
    "Postpone",
    "SmsChannel",
    "get_channel",
    "register_channel",
]
