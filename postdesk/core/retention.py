"""Retention of personal data (PIPL): how long the personal data of closed cases, calls
and tracking results is kept, and the nightly job that anonymises what is older.

Each kind is kept `POSTDESK_RETENTION_DAYS[kind]` days (0: kept, never anonymised) after
its end (a case's closing, a call's start, a tracking result's time). Anonymising
replaces names, phones, addresses and free text and unlinks the customer; what the
statistics need stays (types, statuses, units, agents, times, outcomes, result codes),
so every month report and KPI over an old period still counts the same.

An app joins by having a `retention.py` with `KINDS: list[RetentionKind]` (as demos join
with `demo.py`: core imports no app by name beyond this list). A kind's `pending(cutoff)`
is the query of rows older than the cutoff that still hold personal data — so the job
is idempotent, and a run cut short carries on the next night — and `anonymise(ids)`
anonymises those rows in the caller's transaction.

The access log (`AccessLogEntry`) is no kind: it is append-only in the database itself,
never anonymised, and so kept longer than anything it records.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from importlib import import_module
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

logger = logging.getLogger(__name__)

RETENTION_APPS = ["postdesk.workorders", "postdesk.calls", "postdesk.tracking"]

#: what replaces free text that may hold personal data
MARK = "[已匿名]"

# Phone numbers (mobiles, landlines with or without area code, 400/800), ID-card numbers:
# what is scrubbed out of text that is kept (a case's title).
_PATTERNS = [
    re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)"),  # resident ID card
    re.compile(r"(?<!\d)(?:\+?86[- ]?)?1[3-9]\d[- ]?\d{4}[- ]?\d{4}(?!\d)"),  # mobile
    re.compile(r"(?<!\d)0\d{2,3}[- ]?\d{7,8}(?!\d)"),  # landline with area code
    re.compile(r"(?<!\d)[48]00[- ]?\d{3}[- ]?\d{4}(?!\d)"),  # 400 / 800
    re.compile(r"(?<!\d)\d{7,8}(?!\d)"),  # landline without area code
]


def scrub(text: str) -> str:
    """`text` with phone and ID-card numbers replaced by MARK."""
    for pattern in _PATTERNS:
        text = pattern.sub(MARK, text)
    return text


@dataclass(frozen=True)
class RetentionKind:
    name: str  # the key of POSTDESK_RETENTION_DAYS: "cases", "calls", "tracking"
    label: Any  # a (lazy) translated label for the report
    pending: Callable[[datetime], QuerySet[Any]]
    anonymise: Callable[[list[int]], int]


@dataclass
class KindReport:
    kind: str
    label: str
    days: int
    cutoff: str | None
    found: int
    anonymised: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "label": self.label,
            "days": self.days,
            "cutoff": self.cutoff,
            "found": self.found,
            "anonymised": self.anonymised,
        }


def kinds() -> list[RetentionKind]:
    found: list[RetentionKind] = []
    for app in RETENTION_APPS:
        try:
            module = import_module(f"{app}.retention")
        except ModuleNotFoundError as exc:
            if exc.name != f"{app}.retention":
                raise
            continue
        found.extend(module.KINDS)
    return found


def retention_days() -> dict[str, int]:
    configured: dict[str, int] = dict(getattr(settings, "POSTDESK_RETENTION_DAYS", {}))
    return configured


def retention_run(
    *,
    dry_run: bool,
    now: datetime | None = None,
    batch: int = 500,
    time_budget_seconds: float = 1800.0,
) -> list[KindReport]:
    """Anonymise every kind's personal data older than its retention (or, with
    `dry_run`, only count it). `batch` rows per transaction; a run stops after
    `time_budget_seconds` and the next one carries on."""
    now = now or timezone.now()
    started = time.monotonic()
    days = retention_days()
    reports: list[KindReport] = []
    for kind in kinds():
        keep = int(days.get(kind.name, 0))
        if keep <= 0:
            reports.append(KindReport(kind.name, str(kind.label), keep, None, 0, 0))
            continue
        cutoff = now - timedelta(days=keep)
        found = kind.pending(cutoff).count()
        done = 0
        while not dry_run and done < found and time.monotonic() - started < time_budget_seconds:
            ids = list(kind.pending(cutoff).order_by("pk").values_list("pk", flat=True)[:batch])
            if not ids:
                break
            with transaction.atomic():
                changed = kind.anonymise(ids)
            if not changed:  # a kind whose rows stay pending: never loop on them
                logger.error("retention: %s anonymised none of %d rows", kind.name, len(ids))
                break
            done += changed
        if done:
            logger.info("retention: %s anonymised %d (older than %s)", kind.name, done, cutoff)
        reports.append(
            KindReport(kind.name, str(kind.label), keep, cutoff.isoformat(), found, done)
        )
    return reports
