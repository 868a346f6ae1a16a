"""Retention of calls (`core.retention`): a call started more than
`POSTDESK_RETENTION_DAYS["calls"]` days ago loses the caller's side — the caller's
number (and the number dialled, for an outbound call), the customer link, the wrap-up
note, the recording's address, and the same in its own copy of its events and in any CTI
event rows still kept — and keeps what the call metrics count: direction, queue, agent,
extension, unit, the times, outcome, cause and wrap-up code."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from postdesk.calls.models import Call, CallEvent
from postdesk.core.retention import MARK, RetentionKind

#: what an event's data holds of the caller's side
PERSONAL_DATA = ("from_number", "to_number", "recording_url")


def pending(cutoff: datetime) -> QuerySet[Call]:
    still_personal = (
        ~Q(caller_number="")
        | ~Q(from_number="")
        | Q(direction=Call.Direction.OUT, to_number__gt="")
        | Q(customer__isnull=False)
        | ~Q(wrapup_note__in=["", MARK])
        | ~Q(recording_url="")
    )
    return Call.objects.filter(started_at__lt=cutoff).filter(still_personal)


def _clean(data: dict[str, Any], *, outbound: bool) -> dict[str, Any]:
    kept = dict(data)
    for key in PERSONAL_DATA:
        if key == "to_number" and not outbound:
            continue  # an inbound call's "to" is the centre's own number
        kept.pop(key, None)
    return kept


def anonymise(ids: list[int]) -> int:
    calls = list(Call.objects.select_for_update().filter(pk__in=ids))
    for call in calls:
        outbound = call.direction == Call.Direction.OUT
        call.caller_number = ""
        call.from_number = ""
        if outbound:
            call.to_number = ""
        call.customer = None
        call.wrapup_note = MARK if call.wrapup_note else ""
        call.recording_url = ""
        call.event_log = [
            {**row, "data": _clean(row.get("data") or {}, outbound=outbound)}
            for row in call.event_log
        ]
    Call.objects.bulk_update(
        calls,
        [
            "caller_number",
            "from_number",
            "to_number",
            "customer",
            "wrapup_note",
            "recording_url",
            "event_log",
        ],
        batch_size=500,
    )
    outbound_ids = {call.pk for call in calls if call.direction == Call.Direction.OUT}
    events = list(CallEvent.objects.filter(call_id__in=ids))
    for event in events:
        event.data = _clean(event.data or {}, outbound=event.call_id in outbound_ids)
    CallEvent.objects.bulk_update(events, ["data"], batch_size=500)
    return len(calls)


KINDS = [RetentionKind("calls", _("calls"), pending, anonymise)]
