"""Retention of tracking results (`core.retention`): tracking events older than
`POSTDESK_RETENTION_DAYS["tracking"]` days lose the signer's name and their free-text
description, and phone numbers in their reasons; the delivery attempts built from them
lose the phone numbers in their result reasons. The event codes, times, offices and
operators stay, so the delivery KPIs (上网率, 及时率) of an old month count the same."""

from __future__ import annotations

import re
from datetime import datetime

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from postdesk.core.retention import MARK, RetentionKind, scrub
from postdesk.tracking.models import Attempt, Event

# a run of digits long enough to be a phone number (spaces and dashes allowed): the same
# pattern finds the rows (the database's regex) and replaces it (Python's)
_DIGITS = r"[0-9][0-9 -]{5,}[0-9]"


def _scrub(text: str) -> str:
    return re.sub(_DIGITS, MARK, scrub(text))


def events_pending(cutoff: datetime) -> QuerySet[Event]:
    still_personal = ~Q(signer="") | ~Q(description__in=["", MARK]) | Q(reason__regex=_DIGITS)
    return Event.objects.filter(event_time__lt=cutoff).filter(still_personal)


def events_anonymise(ids: list[int]) -> int:
    events = list(Event.objects.filter(pk__in=ids))
    for event in events:
        event.signer = ""
        event.description = MARK if event.description else ""
        event.reason = _scrub(event.reason)
    Event.objects.bulk_update(events, ["signer", "description", "reason"], batch_size=500)
    return len(events)


def attempts_pending(cutoff: datetime) -> QuerySet[Attempt]:
    return Attempt.objects.filter(result_time__lt=cutoff, result_reason__regex=_DIGITS)


def attempts_anonymise(ids: list[int]) -> int:
    attempts = list(Attempt.objects.filter(pk__in=ids))
    for attempt in attempts:
        attempt.result_reason = _scrub(attempt.result_reason)
    Attempt.objects.bulk_update(attempts, ["result_reason"], batch_size=500)
    return len(attempts)


KINDS = [
    RetentionKind("tracking", _("tracking events"), events_pending, events_anonymise),
    RetentionKind("tracking", _("delivery attempts"), attempts_pending, attempts_anonymise),
]
