"""CTI event ingestion: store each event once and rebuild its call from all of them."""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from postdesk.calls import conf
from postdesk.calls.events import CtiEvent, StoredEvent, build_call
from postdesk.calls.models import (
    AgentState,
    Call,
)
from postdesk.calls.push import publish_on_commit
from postdesk.calls.services.states import _agent_state_follow, _execute
from postdesk.calls.services.tokens import _user_id_for_extension, _user_id_for_names
from postdesk.core.phones import try_normalize_phone
from postdesk.org.models import User

S = AgentState.State


# ------------------------------------------------------------------------ ingestion


@dataclass(frozen=True)
class IngestResult:
    call_pk: int
    created: bool  # False: the same event had been stored already


@functools.lru_cache(maxsize=20000)
def _canonical(raw: str) -> str:
    return try_normalize_phone(raw, default_area_code=settings.POSTDESK_DEFAULT_AREA_CODE) or ""


CALL_FIELDS = (
    "direction",
    "from_number",
    "to_number",
    "caller_number",
    "queue",
    "agent_extension",
    "agent",
    "ringing_extension",
    "started_at",
    "answered_at",
    "ended_at",
    "wrapup_at",
    "wait_seconds",
    "talk_seconds",
    "hold_seconds",
    "acw_seconds",
    "outcome",
    "cause",
    "recording_url",
    "events_count",
    "updated_at",
)


def _stored(row: Mapping[str, Any]) -> StoredEvent:
    return StoredEvent(
        event=row["event"],
        timestamp=datetime.fromisoformat(row["timestamp"]),
        data=row.get("data") or {},
        source=row.get("source") or "cti",
    )


_LOCK_SQL = """
INSERT INTO calls_call (call_id, direction, from_number, to_number, caller_number, queue,
    agent_extension, ringing_extension, started_at, hold_seconds, outcome, cause,
    recording_url, wrapup_code, wrapup_note, events_count, event_log, updated_at)
VALUES (%s, 'in', '', '', '', '', '', '', %s, 0, '', '', '', '', '', 0, '[]', %s)
ON CONFLICT (call_id) DO UPDATE SET call_id = EXCLUDED.call_id
RETURNING id, event_log
"""


_INSERT_EVENT_SQL = (
    'INSERT INTO calls_callevent (call_id, call_key, event, "timestamp", received_at, source, '
    "data) VALUES (%s, %s, %s, %s, %s, %s, %s)"
)
_CALL_ATTNAMES = [
    name if name != "agent" else "agent_id" for name in CALL_FIELDS if name != "updated_at"
]
_UPDATE_CALL_SQL = (
    "UPDATE calls_call SET "
    + ", ".join(f"{column} = %s" for column in _CALL_ATTNAMES)
    + ", updated_at = %s, event_log = %s WHERE id = %s"
)

_PG_INSERT_AND_UPDATE_SQL = f"WITH logged AS ({_INSERT_EVENT_SQL}) {_UPDATE_CALL_SQL}"


def _lock_call(call_id: str, at: datetime) -> tuple[int, list[dict[str, Any]]]:
    """The call's id and event log, its row created if new and locked (PostgreSQL: the
    upsert's row lock; SQLite: the write transaction) until the transaction ends."""
    with connection.cursor() as cursor:
        ops = connection.ops
        cursor.execute(
            _LOCK_SQL,
            [
                call_id,
                ops.adapt_datetimefield_value(at),
                ops.adapt_datetimefield_value(timezone.now()),
            ],
        )
        pk, log = cursor.fetchone()
    if isinstance(log, str | bytes):
        log = json.loads(log)
    return int(pk), list(log or [])


def _apply_facts(call: Call, events: list[StoredEvent]) -> None:
    facts = build_call(events, short_abandon_seconds=conf.short_abandon_seconds())
    call.direction = facts.direction
    call.from_number = facts.from_number
    call.to_number = facts.to_number
    call.caller_number = _canonical(
        facts.from_number if facts.direction == Call.Direction.IN else facts.to_number
    )
    call.queue = facts.queue
    call.agent_extension = facts.agent_extension
    call.agent_id = _user_id_for_extension(facts.agent_extension)
    call.ringing_extension = facts.ringing_extension
    call.started_at = facts.started_at
    call.answered_at = facts.answered_at
    call.ended_at = facts.ended_at
    call.wrapup_at = facts.wrapup_at
    call.wait_seconds = facts.wait_seconds
    call.talk_seconds = facts.talk_seconds
    call.hold_seconds = facts.hold_seconds
    call.acw_seconds = facts.acw_seconds
    call.outcome = facts.outcome
    call.cause = facts.cause
    call.recording_url = facts.recording_url
    call.events_count = len(events)


def cti_event_ingest(*, event: CtiEvent) -> IngestResult:
    """Store one CTI event (once) and rebuild its call from all of its events.

    The call row is locked first, so events of one call are applied one at a time; a
    duplicate (same call id, event and timestamp; for Zammad's timestamp-less format,
    the same call id and event) changes nothing. Agent states move and the push goes
    out after commit.
    """
    with transaction.atomic():
        pk, log = _lock_call(event.call_id, event.timestamp)
        for row in log:
            same_time = datetime.fromisoformat(row["timestamp"]) == event.timestamp
            zammad_repeat = event.source == "zammad" and row.get("source") == "zammad"
            if row["event"] == event.event and (same_time or zammad_repeat):
                return IngestResult(call_pk=pk, created=False)
        data = event.data()
        if event.source == "zammad" and not event.agent and event.users:
            user_id = _user_id_for_names(event.users)
            extension = (
                User.objects.filter(pk=user_id).values_list("extension", flat=True).first()
                if user_id
                else None
            )
            if extension:
                data["agent"] = extension
        now = timezone.now()
        event_params = [
            pk,
            event.call_id,
            event.event,
            event.timestamp,
            now,
            event.source,
            json.dumps(data, ensure_ascii=False),
        ]
        log.append(
            {
                "event": event.event,
                "timestamp": event.timestamp.isoformat(),
                "data": data,
                "source": event.source,
            }
        )
        call = Call(pk=pk, call_id=event.call_id)
        _apply_facts(call, [_stored(r) for r in log])
        call_params = [
            *(getattr(call, attname) for attname in _CALL_ATTNAMES),
            now,
            json.dumps(log, ensure_ascii=False),
            pk,
        ]
        if connection.vendor == "postgresql":
            # one round trip: the event row and the rebuilt call together
            _execute(_PG_INSERT_AND_UPDATE_SQL, event_params + call_params)
        else:
            _execute(_INSERT_EVENT_SQL, event_params)
            _execute(_UPDATE_CALL_SQL, call_params)
        messages: list[tuple[str, dict[str, Any]]] = [("wallboard", {"type": "tick", "k": "t"})]
        target = call.agent_id
        if target is None and event.event == "newCall" and call.direction == "in":
            target = _user_id_for_extension(call.ringing_extension)
        if target is None and event.event == "newCall":
            target = _user_id_for_extension(call.to_number)
        if target is not None:
            messages.append(
                (
                    f"agent:{target}",
                    {
                        "type": "call",
                        "call": call.pk,
                        "call_id": call.call_id,
                        "event": event.event,
                        "direction": call.direction,
                        "outcome": call.outcome,
                    },
                )
            )
        if call.agent_id is not None:
            state = _agent_state_follow(user_id=call.agent_id, call=call, event=event)
            if state is not None:
                messages.append((f"agent:{call.agent_id}", {"type": "state", "state": state}))
        publish_on_commit(messages)
    return IngestResult(call_pk=call.pk, created=True)
