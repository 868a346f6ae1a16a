"""Shared base model and the cross-cutting records: API tokens and the access log."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


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


class RateCounter(models.Model):
    """One fixed window of `core.ratelimit` in the embedded mode (Redis keeps them in
    production): the hits counted for a bucket until `window_end` (Unix seconds)."""

    bucket = models.CharField(max_length=200)
    window_end = models.BigIntegerField()
    hits = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["bucket", "window_end"], name="core_ratecounter_uniq")
        ]
        indexes = [models.Index(fields=["window_end"], name="core_ratecounter_end")]

    def __str__(self) -> str:
        return f"{self.bucket} until {self.window_end}: {self.hits}"


class IdempotencyRecord(models.Model):
    """The first answer to a request sent with an `Idempotency-Key` (`core.idempotency`).

    Written in the same transaction as the request's own writes: either both are there or
    neither is. `fingerprint` is the SHA-256 of the method, path and body; a retry with the
    same key and fingerprint gets `status` and `body` again, another body is refused.
    """

    principal = models.CharField(max_length=64)
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField()
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["principal", "key"], name="core_idempotency_uniq")
        ]

    def __str__(self) -> str:
        return f"{self.principal} {self.key} → {self.status}"


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


class Export(models.Model):
    """A list exported in the background (`core/export_jobs.py`): its owner, the list and
    filters it was asked with, and the file once made (kept `EXPORT_KEEP_DAYS`)."""

    class Status(models.TextChoices):
        # with a context: "running" and "done" mean other things in other apps' catalogues
        QUEUED = "queued", pgettext_lazy("export status", "queued")
        RUNNING = "running", pgettext_lazy("export status", "running")
        DONE = "done", pgettext_lazy("export status", "done")
        FAILED = "failed", pgettext_lazy("export status", "failed")
        EXPIRED = "expired", pgettext_lazy("export status", "expired")

    class Format(models.TextChoices):
        XLSX = "xlsx", "Excel (XLSX)"
        CSV = "csv", "CSV"

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="exports"
    )
    list = models.CharField(_("list"), max_length=30)
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    format = models.CharField(_("format"), max_length=4, choices=Format.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    rows = models.IntegerField(_("rows"), default=0)
    total = models.IntegerField(_("rows in all"), null=True, blank=True)
    progress = models.FloatField(_("progress"), default=0.0)
    path = models.CharField(max_length=500, blank=True)
    error = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        indexes = [models.Index(fields=["owner", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.list}.{self.format} #{self.pk} ({self.status})"
