"""Tracking: items (by waybill number), their events, offices, import runs, and the
precomputed delivery attempts behind 上网率 / 及时率.

The event table is written in bulk by ``postdesk.tracking.loader`` with raw SQL (binary
COPY on PostgreSQL, executemany on SQLite); everything else uses the ORM. The attempt
and item tables are derived data: ``postdesk.tracking.refresh`` rebuilds them for the
waybills an import or a result entry touched, in the same run.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from postdesk.tracking.codes import CODES


class Zone(models.TextChoices):
    SAME_CITY = "city", _("same city")
    DOMESTIC = "domestic", _("domestic")
    INTERNATIONAL = "international", _("international")


EVENT_CODE_CHOICES = [
    ("ACCEPTED", _("Accepted")),
    ("DEPARTED", _("Departed")),
    ("ARRIVED", _("Arrived")),
    ("CUSTOMS", _("Customs")),
    ("HELD", _("Held")),
    ("OUT_FOR_DELIVERY", _("Out for delivery")),
    ("AWAITING_PICKUP", _("Awaiting pickup")),
    ("DELIVERED", _("Delivered")),
    ("DELIVERY_FAILED", _("Delivery failed")),
    ("RETURNED", _("Returned")),
    ("INFO", _("Information")),
]
assert [c for c, _label in EVENT_CODE_CHOICES] == list(CODES)


class Office(models.Model):
    """A post office named in tracking data; ``unit`` when it is one of ours."""

    code = models.CharField(_("office code"), max_length=32, unique=True)
    name = models.CharField(_("office name"), max_length=100, blank=True)
    unit = models.ForeignKey(
        "org.Unit",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tracking_offices",
        verbose_name=_("unit"),
    )

    class Meta:
        verbose_name = _("office")
        verbose_name_plural = _("offices")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})" if self.name else self.code


class Event(models.Model):
    """One tracking event. Identity: (waybill, code, event time as an instant, office)."""

    waybill_no = models.CharField(_("waybill number"), max_length=20)
    event_code = models.CharField(_("event"), max_length=20, choices=EVENT_CODE_CHOICES)
    event_time = models.DateTimeField(_("event time"))
    office_code = models.CharField(_("office code"), max_length=32)
    office_name = models.CharField(_("office name"), max_length=100, blank=True)
    recorded_at = models.DateTimeField(_("recorded at"))
    operator = models.CharField(_("operator"), max_length=64, blank=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    signer = models.CharField(_("signer"), max_length=64, blank=True)
    description = models.CharField(_("description"), max_length=500, blank=True)
    # Which import created it (no foreign key: the bulk path must not check one per row).
    import_run_id = models.BigIntegerField(null=True, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("entered by"),
        db_index=False,  # the partial index below: imported events (almost all) skip it
    )

    class Meta:
        verbose_name = _("tracking event")
        verbose_name_plural = _("tracking events")
        constraints = [
            models.UniqueConstraint(
                fields=["waybill_no", "event_code", "event_time", "office_code"],
                name="tracking_event_identity",
            )
        ]
        indexes = [
            models.Index(
                fields=["entered_by"],
                condition=Q(entered_by__isnull=False),
                name="tracking_event_entered_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.waybill_no} {self.event_code} {self.event_time:%Y-%m-%d %H:%M}"


class Item(models.Model):
    """Summary of one waybill, rebuilt from its events (``refresh.py``)."""

    waybill_no = models.CharField(_("waybill number"), max_length=20)
    zone = models.CharField(_("zone"), max_length=20, choices=Zone.choices)
    first_event_time = models.DateTimeField(_("first event"))
    accepted_office_code = models.CharField(_("accepting office"), max_length=32, blank=True)
    last_event_time = models.DateTimeField(_("last event"))
    last_code = models.CharField(_("status"), max_length=20, choices=EVENT_CODE_CHOICES)
    last_office_code = models.CharField(_("where it is"), max_length=32)
    last_office_name = models.CharField(_("office name"), max_length=100, blank=True)
    event_count = models.IntegerField(_("events"))
    is_final = models.BooleanField(_("delivered or returned"))

    class Meta:
        verbose_name = _("item")
        verbose_name_plural = _("items")
        # Declared here rather than with unique=True / db_index=True: on PostgreSQL those
        # add a second (varchar_pattern_ops) index that no query uses and every bulk
        # refresh would maintain.
        constraints = [models.UniqueConstraint(fields=["waybill_no"], name="tracking_item_waybill")]
        indexes = [
            models.Index(
                fields=["last_event_time"],
                condition=Q(is_final=False),
                name="tracking_item_open_idx",
            )
        ]

    def __str__(self) -> str:
        return self.waybill_no


class Attempt(models.Model):
    """A delivery attempt (see ``kpi_rules``); rebuilt per waybill by ``refresh.py``.

    ``day`` is the local (Asia/Shanghai) date of the OUT_FOR_DELIVERY, or of the result
    for a result-only attempt. ``deadline`` is the closing result's timeliness deadline.
    ``chase`` marks an attempt without a result that nothing later has overtaken (no
    later OUT_FOR_DELIVERY at that office, no later DELIVERED or RETURNED anywhere):
    it is on the chase list from ``chase_after`` on.
    """

    waybill_no = models.CharField(_("waybill number"), max_length=20)
    office_code = models.CharField(_("office code"), max_length=32)
    day = models.DateField(_("day"))
    ofd_time = models.DateTimeField(_("out for delivery at"), null=True, blank=True)
    ofd_operator = models.CharField(_("courier"), max_length=64, blank=True)
    result_code = models.CharField(
        _("result"), max_length=20, blank=True, choices=EVENT_CODE_CHOICES
    )
    result_time = models.DateTimeField(_("result at"), null=True, blank=True)
    result_recorded_at = models.DateTimeField(_("result recorded at"), null=True, blank=True)
    result_operator = models.CharField(_("recorded by"), max_length=64, blank=True)
    result_reason = models.CharField(_("reason"), max_length=200, blank=True)
    deadline = models.DateTimeField(_("deadline"), null=True, blank=True)
    chase = models.BooleanField(_("to chase"), default=False)
    chase_after = models.DateTimeField(_("chase after"), null=True, blank=True)

    class Meta:
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")
        indexes = [
            models.Index(fields=["waybill_no"], name="tracking_attempt_waybill_idx"),
            # Covers the month KPI (day range, grouped by office and day, two timestamps
            # compared): answered from the index alone.
            models.Index(
                fields=["day", "office_code", "result_recorded_at", "deadline"],
                name="tracking_attempt_kpi_idx",
            ),
            models.Index(
                fields=["office_code", "ofd_time"],
                condition=Q(chase=True),
                name="tracking_attempt_chase_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.waybill_no} @ {self.office_code} {self.day}"

    @property
    def operator(self) -> str:
        return self.ofd_operator or self.result_operator


class ImportRun(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", pgettext_lazy("import status", "running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        JSONL = "jsonl", "JSON Lines"

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("by"),
    )
    filename = models.CharField(_("file"), max_length=255)
    path = models.CharField(max_length=500, blank=True)
    format = models.CharField(_("format"), max_length=10, choices=Format.choices)
    strict = models.BooleanField(_("strict"), default=False)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    size_bytes = models.BigIntegerField(default=0)
    bytes_read = models.BigIntegerField(default=0)
    lines = models.BigIntegerField(_("lines"), default=0)
    created = models.BigIntegerField(_("created"), default=0)
    duplicates = models.BigIntegerField(_("duplicates"), default=0)
    rejected = models.BigIntegerField(
        pgettext_lazy("refused by the addressee", "rejected"), default=0
    )
    message = models.TextField(_("message"), blank=True)
    # All events this run created have id > start_event_id (crash recovery of the refresh).
    start_event_id = models.BigIntegerField(default=0)
    refreshed = models.BooleanField(default=False)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("tracking import")
        verbose_name_plural = _("tracking imports")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.status})"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.timings: dict[str, float] = {}  # seconds per phase of this process's run

    @property
    def progress(self) -> float:
        return min(1.0, self.bytes_read / self.size_bytes) if self.size_bytes else 0.0


class ImportRejection(models.Model):
    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="rejections")
    line = models.BigIntegerField(_("line"))
    reason = models.CharField(_("reason"), max_length=200)
    text = models.TextField(_("line text"))

    class Meta:
        ordering = ["run", "line"]
        indexes = [models.Index(fields=["run", "line"], name="tracking_rejection_idx")]

    def __str__(self) -> str:
        return f"{self.line}: {self.reason}"
