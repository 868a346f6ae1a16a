"""Writes of SMS messages after they are recorded: sending one through the gateway (the
outbox's "sms" channel), delivery receipts, customers' replies, expiry.

Sending is at most once per message at the provider: before each call to the gateway
the attempt is recorded and committed (`attempt_started_at`, `uncertain`); the outcome
clears it. A call whose outcome is unknown — the gateway timed out, or the worker died
in the middle — leaves it set, and the next try does not send again: it waits for the
receipt (matched by our `out_id`, sent as the provider's OutId), then asks the gateway
about the message by OutId, and sends again only when the gateway says it never had it.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from postdesk.core.errors import AuthenticationFailed, NotFound, ValidationFailed
from postdesk.core.masking import mask_phone
from postdesk.core.phones import InvalidPhone, normalize_phone
from postdesk.notify.channels import Postpone
from postdesk.notify.models import SmsMessage, SmsOptOut, SmsReceipt, SmsReply
from postdesk.notify.sms import flow, rules
from postdesk.notify.sms.gateways import (
    ADAPTERS,
    Gateway,
    Outgoing,
    PushError,
    Receipt,
    gateway_from,
)

logger = logging.getLogger("postdesk.notify.sms")


class TemporaryFailure(Exception):
    """The gateway did not take the message now; the outbox retries with backoff."""


def current_gateway() -> Gateway:
    return gateway_from(settings.SMS_GATEWAY)


def _provider_phone(phone: str) -> str:
    return phone[3:] if phone.startswith("+86") else phone.lstrip("+")


def _outgoing(message: SmsMessage) -> Outgoing:
    started = message.attempt_started_at or message.created_at
    return Outgoing(
        phone=_provider_phone(message.phone),
        text=message.text,
        template=message.template,
        provider_template=str(settings.SMS_TEMPLATE_CODES.get(message.template, message.template)),
        params=message.params,
        out_id=message.out_id,
        sign_name=settings.SMS_SIGN_NAME,
        sent_day=timezone.localtime(started).strftime("%Y%m%d"),
    )


def _advance(message_id: int, event: str, now: datetime, **fields: Any) -> bool:
    """Move the message on by `event` if its status allows (a conditional UPDATE, so a
    receipt and the send's answer racing each other cannot move it backwards)."""
    moves = flow.moves_from(event)
    (target,) = set(moves.values())
    values: dict[str, Any] = {"status": target, **fields}
    if target in flow.FINAL:
        values["finished_at"] = now
    if target == "sent":
        values["sent_at"] = now
    moved = bool(SmsMessage.objects.filter(pk=message_id, status__in=list(moves)).update(**values))
    if moved:
        _redact_secret(message_id)
    return moved


SECRET_TEMPLATES = frozenset(code for code, t in rules.TEMPLATES.items() if t.secret)


def _redact_secret(message_id: int) -> None:
    """A one-time code's text and params are blanked once the message is sent or final:
    the gateway has it, and nobody reading the message list learns it."""
    message = (
        SmsMessage.objects.filter(pk=message_id, template__in=SECRET_TEMPLATES)
        .only("template", "params", "status")
        .first()
    )
    if message is None or message.status == SmsMessage.Status.CREATED:
        return
    text, params = rules.redacted(message.template, message.params or {})
    SmsMessage.objects.filter(pk=message_id).update(text=text, params=params)


def _receipt_wait() -> timedelta:
    return timedelta(seconds=settings.SMS_RECEIPT_WAIT_SECONDS)


def sms_deliver(*, sms_id: int, now: datetime | None = None) -> str:
    """Send one recorded message (the "sms" outbox channel). Returns what happened:
    "done" (nothing to do), "expired", "opted_out", "sent", "failed", "found" (an
    earlier uncertain send turned out to have reached the provider). Raises Postpone
    (quiet hours, waiting for a receipt) or TemporaryFailure (retry with backoff)."""
    now = now or timezone.now()
    message = SmsMessage.objects.filter(pk=sms_id).first()
    if message is None or message.status != SmsMessage.Status.CREATED:
        return "done"
    if message.expires_at <= now:
        _advance(message.pk, "expire", now, err_code=message.err_code or "expired")
        return "expired"
    from postdesk.notify.services import sms_refusal

    refusal = sms_refusal(phone=message.phone, template=message.template)
    if refusal:  # opted out, or consent withdrawn, since it was recorded
        _advance(message.pk, "rejected", now, err_code=refusal, uncertain=False)
        return "opted_out"
    if not message.urgent:
        held = rules.quiet_until(
            timezone.localtime(now), rules.QuietHours(*settings.SMS_QUIET_HOURS)
        )
        if held is not None:
            raise Postpone(min(held, message.expires_at))
    gateway = current_gateway()
    outgoing = _outgoing(message)
    if message.uncertain and message.attempt_started_at is not None:
        wait_until = message.attempt_started_at + _receipt_wait()
        if now < wait_until:
            raise Postpone(wait_until)  # the receipt may still come
        answer = gateway.query(outgoing)
        if answer.outcome == "found":
            _advance(message.pk, "accepted", now, uncertain=False, biz_id=answer.biz_id)
            if answer.status in {"delivered", "failed"}:
                event = "receipt_ok" if answer.status == "delivered" else "receipt_failed"
                _advance(message.pk, event, now, err_code=answer.code)
            logger.info(
                "SMS %s to %s was sent before (found by OutId)",
                message.pk,
                mask_phone(message.phone),
            )
            return "found"
        if answer.outcome == "unknown":
            # The gateway cannot tell: never resend blindly; the receipt or expiry decides.
            raise Postpone(min(now + _receipt_wait(), message.expires_at))
        # not_found: the provider never had it; the same OutId is sent again.
    claimed = SmsMessage.objects.filter(
        pk=message.pk, status=SmsMessage.Status.CREATED, attempts=message.attempts
    ).update(
        attempt_started_at=now, uncertain=True, attempts=F("attempts") + 1, provider=gateway.name
    )
    if not claimed:
        return "done"  # another worker has it
    result = gateway.send(outgoing)
    logger.info(
        "SMS %s to %s via %s: %s %s",
        message.pk,
        mask_phone(message.phone),
        gateway.name,
        result.outcome,
        result.code,
    )
    if result.outcome == "accepted":
        SmsMessage.objects.filter(pk=message.pk, biz_id="").update(biz_id=result.biz_id)
        SmsMessage.objects.filter(pk=message.pk).update(uncertain=False, err_code="")
        _advance(message.pk, "accepted", timezone.now())
        return "sent"
    if result.outcome == "rejected":
        _advance(
            message.pk,
            "rejected",
            timezone.now(),
            uncertain=False,
            err_code=result.code[:64],
            err_message=result.message[:300],
        )
        return "failed"
    if result.outcome == "temporary":
        SmsMessage.objects.filter(pk=message.pk).update(uncertain=False, err_code=result.code[:64])
        if message.attempts + 1 >= settings.POSTDESK_OUTBOX_MAX_ATTEMPTS:
            _advance(
                message.pk,
                "rejected",
                timezone.now(),
                err_code=result.code[:64],
                err_message="too many temporary failures",
            )
            return "failed"
        raise TemporaryFailure(result.code)
    SmsMessage.objects.filter(pk=message.pk).update(err_code=result.code[:64])
    raise Postpone(min(timezone.now() + _receipt_wait(), message.expires_at))


def sms_expire_sweep(*, now: datetime | None = None, limit: int = 1000) -> int:
    """Messages past their lifetime without a final status become expired (a held one
    that could never be sent, a sent one whose receipt never came)."""
    now = now or timezone.now()
    ids = list(
        SmsMessage.objects.filter(
            status__in=[SmsMessage.Status.CREATED, SmsMessage.Status.SENT], expires_at__lte=now
        ).values_list("pk", flat=True)[:limit]
    )
    return sum(1 for pk in ids if _advance(pk, "expire", now))


# --------------------------------------------------------------------------- pushes


def sms_push_authenticate(*, provider: str, token: str) -> Gateway:
    """The adapter of `provider` for a push carrying `token` (the pushes' own token,
    `SMS_PUSH_TOKEN`); 401 for a missing or wrong token, 404 for an unknown provider."""
    expected = settings.SMS_PUSH_TOKEN
    if not expected or not token or not hmac.compare_digest(token.encode(), expected.encode()):
        raise AuthenticationFailed(_("This push is not signed with the SMS gateway's token."))
    if provider not in ADAPTERS:
        raise NotFound()
    config = dict(settings.SMS_GATEWAY)
    config["adapter"] = provider
    return gateway_from(config)


def _push_error(exc: PushError) -> ValidationFailed:
    messages = {
        "not_json": _("The body is not valid JSON."),
        "not_array": _("Send a JSON array of objects."),
        "not_object": _("Send a JSON array of objects."),
        "missing": _("This field is required."),
        "invalid": _("This value is not valid."),
    }
    return ValidationFailed(fields={exc.field: messages.get(exc.problem, exc.problem)})


@dataclass
class PushResult:
    received: int
    new: int
    changed: int

    def as_dict(self) -> dict[str, int]:
        return {"received": self.received, "new": self.new, "changed": self.changed}


def _match_receipts(provider: str, receipts: list[Receipt]) -> list[SmsMessage]:
    out_ids = {r.out_id for r in receipts if r.out_id}
    biz_ids = {r.biz_id for r in receipts if r.biz_id and not r.out_id}
    found = SmsMessage.objects.filter(Q(out_id__in=out_ids) | Q(biz_id__in=biz_ids))
    by_out = {m.out_id: m for m in found}
    by_biz = {m.biz_id: m for m in by_out.values() if m.biz_id}
    matched = []
    for index, receipt in enumerate(receipts):
        message = by_out.get(receipt.out_id) if receipt.out_id else by_biz.get(receipt.biz_id)
        if message is None:
            raise ValidationFailed(
                _("The receipt is for a message we did not send."),
                fields={f"{index}.out_id": _("No message has this reference.")},
                code="unknown_message",
            )
        matched.append(message)
    return matched


def sms_receipts_record(*, provider: str, body: bytes, now: datetime | None = None) -> PushResult:
    """Store a receipt push and move each message on. Every receipt is checked first
    (readable, for a message we sent): one bad receipt is a 400 and nothing is written.
    The same receipt again changes nothing; a receipt for a message already final (one
    that arrived out of order) is kept but moves nothing."""
    now = now or timezone.now()
    gateway = (
        current_gateway()
        if provider == current_gateway().name
        else gateway_from({**settings.SMS_GATEWAY, "adapter": provider})
    )
    try:
        receipts = gateway.parse_receipts(body)
    except PushError as exc:
        raise _push_error(exc) from None
    messages = _match_receipts(provider, receipts)
    new = changed = 0
    with transaction.atomic():
        for receipt, message in zip(receipts, messages, strict=True):
            try:
                with transaction.atomic():
                    SmsReceipt.objects.create(
                        message=message,
                        provider=provider,
                        success=receipt.success,
                        err_code=receipt.err_code[:64],
                        err_message=receipt.err_message[:200],
                        biz_id=receipt.biz_id[:64],
                        report_time=receipt.report_time,
                        received_at=now,
                    )
            except IntegrityError:
                continue  # this very report was stored before: a replay
            new += 1
            if receipt.biz_id:
                SmsMessage.objects.filter(pk=message.pk, biz_id="").update(biz_id=receipt.biz_id)
            event = "receipt_ok" if receipt.success else "receipt_failed"
            fields: dict[str, Any] = {"uncertain": False}
            if not receipt.success:
                fields.update(err_code=receipt.err_code[:64], err_message=receipt.err_message[:300])
            changed += _advance(message.pk, event, now, **fields)
    return PushResult(len(receipts), new, changed)


ReplyHandler = Callable[[SmsReply], None]
_reply_handlers: dict[str, ReplyHandler] = {}


def register_reply_handler(related_type: str, handler: ReplyHandler) -> None:
    """A higher app (notices) attaches replies to what its messages were about; called
    in the transaction that stores the reply."""
    _reply_handlers[related_type] = handler


def sms_replies_record(*, provider: str, body: bytes, now: datetime | None = None) -> PushResult:
    """Store the customers' replies, each matched to the last message sent to that number
    (and so to its notice or work order); "TD"/"退订" opts the number out. The same reply
    pushed again is stored once."""
    now = now or timezone.now()
    gateway = gateway_from({**settings.SMS_GATEWAY, "adapter": provider})
    try:
        replies = gateway.parse_replies(body)
    except PushError as exc:
        raise _push_error(exc) from None
    phones = []
    for index, reply in enumerate(replies):
        try:
            phones.append(normalize_phone(reply.phone))
        except InvalidPhone:
            raise ValidationFailed(
                fields={f"{index}.phone_number": _("Enter a valid phone number.")}
            ) from None
    new = changed = 0
    with transaction.atomic():
        for reply, phone in zip(replies, phones, strict=True):
            basis = reply.sequence_id or "|".join(
                [phone, reply.sent_at.isoformat() if reply.sent_at else "", reply.content]
            )
            dedupe = f"{provider}:{hashlib.sha256(basis.encode()).hexdigest()[:64]}"
            if SmsReply.objects.filter(dedupe_key=dedupe).exists():
                continue
            last = (
                SmsMessage.objects.filter(phone=phone, sent_at__isnull=False)
                .order_by("-sent_at", "-id")
                .first()
            )
            intent = rules.reply_intent(reply.content)
            try:
                with transaction.atomic():
                    stored = SmsReply.objects.create(
                        provider=provider,
                        dedupe_key=dedupe,
                        phone=phone,
                        content=reply.content,
                        intent=intent,
                        sent_at=reply.sent_at,
                        received_at=now,
                        message=last,
                        related_type=last.related_type if last else "",
                        related_id=last.related_id if last else "",
                    )
            except IntegrityError:
                continue
            new += 1
            if intent == "opt_out":
                SmsOptOut.objects.get_or_create(
                    phone=phone, defaults={"at": now, "source": "reply"}
                )
            handler = _reply_handlers.get(stored.related_type)
            if handler is not None:
                handler(stored)
                changed += 1
            logger.info("SMS reply from %s (%s)", mask_phone(phone), intent)
    return PushResult(len(replies), new, changed)


def sms_opt_out_set(*, phone: str, opted_out: bool, source: str = "staff") -> bool:
    """Record or lift a number's opt-out (a customer's request by phone)."""
    if opted_out:
        _row, created = SmsOptOut.objects.get_or_create(
            phone=phone, defaults={"at": timezone.now(), "source": source}
        )
        return created
    return bool(SmsOptOut.objects.filter(phone=phone).delete()[0])
