"""Shared base model and the cross-cutting records: API tokens and the access log."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStamped(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class ApiToken(models.Model):
    """A bearer token for the REST API. Only its SHA-256 is stored."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100, blank=True)
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"


class AccessLogEntry(models.Model):
    """Append-only record of every full view or export of personal data.

    The database refuses UPDATE and DELETE on this table (triggers in the migration).
    """

    class What(models.TextChoices):
        VIEW = "view", _("full view")
        EXPORT = "export", _("export")

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_username = models.CharField(max_length=150)
    subject_type = models.CharField(max_length=50)
    subject_id = models.CharField(max_length=64)
    subject_label = models.CharField(max_length=200, blank=True)
    what = models.CharField(max_length=10, choices=What.choices)
    detail = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        verbose_name = _("personal data access")
        verbose_name_plural = _("personal data access log")
        indexes = [models.Index(fields=["subject_type", "subject_id"])]
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_username} {self.what} {self.subject_label}"


class WorkerBeat(models.Model):
    """A background process that says it is alive (`core.liveness`): Celery workers, the
    embedded worker, and the beat scheduler's last run (name "beat"). A claim of an
    outbox message names its worker, so a worker whose beats stopped is known dead."""

    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=20)
    host = models.CharField(max_length=200)
    pid = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField()
    seen_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("background process")
        verbose_name_plural = _("background processes")

    def __str__(self) -> str:
        return f"{self.kind} {self.name}"
