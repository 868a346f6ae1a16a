"""The archive of month-end summaries: each one an immutable snapshot.

A `MonthSummary` is written once by `services.month_summary_generate` — the document
(`selectors.month_report` as the centre sees it), its PDF and its Excel, all as of one
instant — and never changed: generating the month again makes the next version and the
earlier ones stay as they were.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _


class MonthSummary(models.Model):
    month = models.CharField(_("month"), max_length=7)  # YYYY-MM
    version = models.PositiveIntegerField(_("version"))
    as_of = models.DateTimeField(_("figures as of"))
    created_at = models.DateTimeField(_("created at"))
    # who asked for it; None: the monthly schedule
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    report = models.JSONField(_("report"), encoder=DjangoJSONEncoder)
    pdf = models.BinaryField(_("PDF"))
    xlsx = models.BinaryField(_("Excel"))

    class Meta:
        verbose_name = _("month-end summary")
        verbose_name_plural = _("month-end summaries")
        ordering = ["-month", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["month", "version"], name="unique_summary_version"),
            models.CheckConstraint(
                condition=models.Q(version__gte=1), name="summary_version_gte_1"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.month} v{self.version}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """A snapshot is written once: saving a stored one again is a programming error."""
        if not self._state.adding:
            raise TypeError("a MonthSummary is immutable; generate a new version instead")
        super().save(*args, **kwargs)
