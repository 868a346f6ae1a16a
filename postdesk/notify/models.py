"""The transactional outbox and in-app notifications."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class OutboxMessage(models.Model):
    """A side effect recorded in the same transaction as the change that causes it.

    A worker delivers it after commit; `key` is unique, so the same side effect is
    recorded once. What a second *delivery* attempt does is each channel's promise
    (`channels.py`: in-app notifications are idempotent by key; e-mail and SMS carry a
    reference the far side or the send log is checked by after a crash).
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        SENT = "sent", _("sent")
        DEAD = "dead", _("dead")

    key = models.CharField(max_length=200, unique=True)
    channel = models.CharField(_("channel"), max_length=30)
    payload = models.JSONField(default=dict)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"))
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # The process holding the current claim (`core.liveness.me()`), while it delivers.
    claimed_by = models.CharField(max_length=200, blank=True, default="")

    class Meta:
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox")
        indexes = [models.Index(fields=["status", "next_attempt_at"])]
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.channel} {self.key} ({self.status})"


class DeliveryAttempt(models.Model):
    """One try at delivering an outbox message, recorded before the channel is called.

    `phase` moves started → handed_over (the channel is past its point of no return: the
    SMTP final dot, the gateway's request) → sent or failed. An attempt left in started
    or handed_over belongs to a worker that died (or hung past its lease): the next
    attempt resolves it first (see `notify.services.outbox_deliver`)."""

    class Phase(models.TextChoices):
        STARTED = "started", _("started")
        HANDED_OVER = "handed_over", _("handed over")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")
        ABANDONED = "abandoned", _("abandoned by a dead worker")

    message = models.ForeignKey(OutboxMessage, on_delete=models.CASCADE, related_name="tries")
    number = models.PositiveIntegerField()
    worker = models.CharField(max_length=200)
    phase = models.CharField(max_length=12, choices=Phase.choices, default=Phase.STARTED)
    # the channel's own idempotency reference (the Message-ID, the gateway's OutId)
    ref = models.CharField(max_length=250, blank=True)
    receipt = models.CharField(max_length=250, blank=True)  # what the channel answered
    error = models.TextField(blank=True)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")
        ordering = ["message", "id"]

    def __str__(self) -> str:
        return f"{self.message_id}#{self.number} {self.phase}"


class SentLog(models.Model):
    """What was delivered, keyed by the outbox key: written in the transaction that marks
    the message sent, and checked before every send, so a key is delivered once even if
    its message is sent again (an administrator's retry, a worker back from the dead).
    `in_doubt`: a worker died after handing the message over and the channel could not
    say whether it arrived; its policy counted it sent (see `Channel.in_doubt`)."""

    key = models.CharField(max_length=200, unique=True)
    channel = models.CharField(max_length=30)
    ref = models.CharField(max_length=250, blank=True)
    receipt = models.CharField(max_length=250, blank=True)
    in_doubt = models.BooleanField(default=False)
    sent_at = models.DateTimeField()

    class Meta:
        verbose_name = _("sent log entry")
        verbose_name_plural = _("sent log")

    def __str__(self) -> str:
        return self.key


class Notification(models.Model):
    """An in-app notification: the bell in the header."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    key = models.CharField(max_length=200)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    link = models.CharField(_("link"), max_length=300, blank=True)
    level = models.CharField(max_length=10, default="info")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="unique_notification_key")
        ]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return self.title


class SmsMessage(models.Model):
    """One SMS to a customer: recorded by `services.sms_send` with its outbox row, sent
    by the "sms" channel through the gateway adapter, moved on by receipts. The status
    only moves forward (`sms/flow.py`)."""

    class Status(models.TextChoices):
        CREATED = "created", pgettext_lazy("sms status", "created")
        SENT = "sent", pgettext_lazy("sms status", "sent")
        DELIVERED = "delivered", pgettext_lazy("sms status", "delivered")
        FAILED = "failed", pgettext_lazy("sms status", "failed")
        EXPIRED = "expired", pgettext_lazy("sms status", "expired")

    key = models.CharField(max_length=200, unique=True)
    phone = models.CharField(_("phone"), max_length=20)  # canonical (E.164)
    template = models.CharField(_("template"), max_length=40)
    params = models.JSONField(default=dict)
    text = models.TextField(_("text"))
    urgent = models.BooleanField(_("urgent"), default=False)
    related_type = models.CharField(max_length=30, blank=True)
    related_id = models.CharField(max_length=40, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.CREATED
    )
    provider = models.CharField(_("gateway"), max_length=20, blank=True)
    out_id = models.CharField(max_length=64, unique=True)  # our reference at the provider
    biz_id = models.CharField(max_length=64, blank=True)  # the provider's reference
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    # Set, and committed, before every call to the gateway; cleared when the call's
    # outcome is known. Still set on the next try: the last call may have reached the
    # provider (a timeout, a worker killed mid-send) and is checked before any resend.
    attempt_started_at = models.DateTimeField(null=True, blank=True)
    uncertain = models.BooleanField(default=False)
    err_code = models.CharField(_("error code"), max_length=64, blank=True)
    err_message = models.CharField(_("error"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"))
    not_before = models.DateTimeField(_("held until"), null=True, blank=True)
    expires_at = models.DateTimeField()
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("SMS message")
        verbose_name_plural = _("SMS messages")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["phone", "-created_at"], name="sms_phone_created"),
            models.Index(fields=["related_type", "related_id"], name="sms_related"),
            models.Index(fields=["biz_id"], name="sms_biz_id"),
            models.Index(
                fields=["expires_at"],
                name="sms_open_expiry",
                condition=models.Q(status__in=["created", "sent"]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.template} ({self.status})"


class SmsReceipt(models.Model):
    """A delivery receipt as the gateway pushed it; the same report twice is stored once."""

    message = models.ForeignKey(SmsMessage, on_delete=models.CASCADE, related_name="receipts")
    provider = models.CharField(max_length=20)
    success = models.BooleanField()
    err_code = models.CharField(max_length=64, blank=True)
    err_message = models.CharField(max_length=200, blank=True)
    biz_id = models.CharField(max_length=64, blank=True)
    report_time = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["message", "success", "err_code", "report_time"],
                name="sms_receipt_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.message_id} {'ok' if self.success else self.err_code}"


class SmsReply(models.Model):
    """An SMS a customer sent us (a reply), matched to the last message we sent to that
    number and through it to its notice or work order."""

    provider = models.CharField(max_length=20)
    dedupe_key = models.CharField(max_length=100, unique=True)
    phone = models.CharField(_("phone"), max_length=20, db_index=True)
    content = models.TextField(_("content"))
    intent = models.CharField(max_length=10, default="text")  # text | confirm | opt_out
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    received_at = models.DateTimeField(_("received at"))
    message = models.ForeignKey(
        SmsMessage, null=True, blank=True, on_delete=models.SET_NULL, related_name="replies"
    )
    related_type = models.CharField(max_length=30, blank=True)
    related_id = models.CharField(max_length=40, blank=True)

    class Meta:
        verbose_name = _("SMS reply")
        verbose_name_plural = _("SMS replies")
        ordering = ["-id"]
        indexes = [models.Index(fields=["related_type", "related_id"], name="sms_reply_related")]

    def __str__(self) -> str:
        return f"{self.related_type} {self.related_id}"


class SmsOptOut(models.Model):
    """A number that asked for no more notices (退订)."""

    phone = models.CharField(_("phone"), max_length=20, unique=True)
    at = models.DateTimeField(_("since"))
    source = models.CharField(_("source"), max_length=20, default="reply")

    class Meta:
        verbose_name = _("SMS opt-out")
        verbose_name_plural = _("SMS opt-outs")

    def __str__(self) -> str:
        return self.source
