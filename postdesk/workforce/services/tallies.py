"""The call tallies: each closed local day's inbound calls per half hour and scope unit,
written once the day is over so the forecast reads 48 × units rows a day instead of every
call (2,000,000 calls: see ARCHITECTURE "Hot paths"). `call_history` reads a day from its
tally only when the day is in `TalliedDay`; any other day from the calls."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from postdesk.calls.models import Call
from postdesk.core.errors import ValidationFailed
from postdesk.workforce.models import CallTally, TalliedDay
from postdesk.workforce.selectors.staffing import (
    HISTORY_WEEKS,
    LOCAL_TZ,
    day_slot,
    inbound_by_slot,
)

#: Days re-tallied every night: a call that started before midnight may end (and get
#: its talk time) after the first night's run.
RETALLY_DAYS = 2


def call_tallies_refresh(*, days: Iterable[date], now: datetime | None = None) -> int:
    """Tally each of `days` (closed days only) from its calls, replacing an earlier
    tally of the day; returns the calls tallied."""
    now = now or timezone.now()
    today = timezone.localtime(now, LOCAL_TZ).date()
    wanted = sorted(set(days))
    if any(day >= today for day in wanted):
        raise ValidationFailed(fields={"days": _("Only days that have ended can be tallied.")})
    total = 0
    for day in wanted:
        with transaction.atomic():
            rows = inbound_by_slot(Call.objects.all(), first=day, last=day, by_unit=True)
            tallies = [
                CallTally(
                    day=day,
                    slot=day_slot(int(row["slot"]))[1],
                    unit_id=row["scope_unit"],
                    offered=row["offered"],
                    handled=row["handled"],
                    handle_seconds=row["handle"] or 0.0,
                )
                for row in rows
            ]
            CallTally.objects.filter(day=day).delete()
            CallTally.objects.bulk_create(tallies)
            calls = sum(t.offered for t in tallies)
            TalliedDay.objects.update_or_create(
                day=day, defaults={"tallied_at": now, "calls": calls}
            )
        total += calls
    return total


def call_tallies_nightly(*, now: datetime | None = None) -> int:
    """The nightly job: re-tally the last `RETALLY_DAYS` days and tally every day of the
    forecast's history window (plus a week) that has no tally yet."""
    now = now or timezone.now()
    today = timezone.localtime(now, LOCAL_TZ).date()
    window = [today - timedelta(days=i) for i in range(1, 7 * HISTORY_WEEKS + 8)]
    done = set(TalliedDay.objects.filter(day__gte=window[-1]).values_list("day", flat=True))
    due = window[:RETALLY_DAYS] + [d for d in window if d not in done]
    return call_tallies_refresh(days=due, now=now)
