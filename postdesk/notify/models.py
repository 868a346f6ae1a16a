"""The transactional outbox and in-app notifications."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class OutboxMessage(models.Model):
    """A side effect recorded in the same transaction as the change that causes it.

    A worker delivers it after commit; `key` makes delivery idempotent (the same key is
    recorded once, and a channel uses it to refuse a second delivery).
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
