"""Delivery channels of the outbox. A channel takes one message and either delivers it or
raises; it must be idempotent per message key (a message may be delivered again after a
crash between sending and recording the success)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction

from postdesk.notify.models import Notification, OutboxMessage

Channel = Callable[[OutboxMessage], None]


class Postpone(Exception):
    """Raised by a channel that cannot deliver yet and is not failing: the outbox calls
    it again at `until` and does not count the attempt (quiet hours; a send whose answer
    was lost, waiting for the provider's receipt)."""

    def __init__(self, until: datetime) -> None:
        super().__init__(until.isoformat())
        self.until = until


_channels: dict[str, Channel] = {}


def register_channel(name: str, handler: Channel) -> None:
    _channels[name] = handler


def get_channel(name: str) -> Channel:
    try:
        return _channels[name]
    except KeyError:
        raise LookupError(f"no outbox channel named {name!r}") from None


def deliver_in_app(message: OutboxMessage) -> None:
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


def deliver_email(message: OutboxMessage) -> None:
    payload: dict[str, Any] = message.payload
    recipients = [address for address in payload.get("to", []) if address]
    if not recipients:
        return
    email = EmailMessage(
        subject=payload.get("subject", ""),
        body=payload.get("body", ""),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=recipients,
        headers={"Message-ID": f"<{message.key.replace(' ', '_')}@postdesk>"},
    )
    email.send(fail_silently=False)


register_channel("inapp", deliver_in_app)
register_channel("email", deliver_email)


def deliver_sms(message: OutboxMessage) -> None:
    from postdesk.notify.sms.services import sms_deliver

    sms_deliver(sms_id=int(message.payload["sms_id"]))


register_channel("sms", deliver_sms)
