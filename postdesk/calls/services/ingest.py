"""CTI event ingestion: store each event once and rebuild its call from all of them.

`cti_events_ingest` takes a batch of parsed events (one request's event, or the events
that a web process's writer gathered from its concurrent requests: `calls.writer`) and
stores them in one `transaction.atomic()`, through the ORM, the same on both databases:

1. lock: the batch's calls are created if new and locked by one upsert in call-id order
   (so two batches never deadlock on each other), then read with their event logs;
2. plan, in memory: each event is checked against its call's log (a duplicate changes
   nothing), appended, and the call rebuilt from all of its events by their timestamps
   (`events.build_call`: arrival order never matters); then the agent states concerned
   are locked (in user-id order) and moved by the telephone's rules
   (`states.agent_state_follow`);
3. write: the new events (one INSERT), the rebuilt calls (one statement), the closed
   state periods (one INSERT) and the moved states (one statement).

The statements are `core.rows`: the same on both databases, through Django's
cursor, with the model's own fields making every value.

The caller is answered only after the COMMIT returned. The push (the screen pop, the
wallboard) is handed to the process's publisher after commit (`push.publish_on_commit`),
so a slow Redis never holds a transaction or the writer.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction

from postdesk.calls import conf
from postdesk.calls.events import CtiEvent, StoredEvent, build_call
from postdesk.calls.models import AgentStatePeriod, Call, CallEvent
from postdesk.calls.push import publish_on_commit
from postdesk.calls.services.lookups import unit_id_for_queue, user_id_for_extension
from postdesk.calls.services.states import (
    FOLLOWED_EVENTS,
    CallSnapshot,
    agent_state_follow,
    agent_state_hand_over,
    agent_states_lock,
    agent_states_save,
)
from postdesk.core import rows
from postdesk.core.phones import try_normalize_phone

Message = tuple[str, dict[str, Any]]

# What ingestion rewrites on a call: everything `build_call` derives from its events.
REBUILT_FIELDS = (
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
    "unit",
    "events_count",
    "legs",
    "event_log",
    "updated_at",  # auto_now: its field sets it
)


@dataclass(frozen=True)
class IngestResult:
    call_pk: int
    created: bool  # False: the same event had been stored already


@functools.lru_cache(maxsize=20000)
def _canonical(raw: str) -> str:
    return try_normalize_phone(raw, default_area_code=settings.POSTDESK_DEFAULT_AREA_CODE) or ""


def _stored(row: dict[str, Any]) -> StoredEvent:
    return StoredEvent(
        event=row["event"],
        timestamp=datetime.fromisoformat(row["timestamp"]),
        data=row.get("data") or {},
        source=row.get("source") or "cti",
    )


def _is_duplicate(stored: list[StoredEvent], event: CtiEvent) -> bool:
    """Same call, event and timestamp. Zammad's format has no timestamp of its own: the
    same call and event from Zammad — for an answer, from the same extension (one from
    another extension is a transfer)."""
    for known in stored:
        if known.event != event.event:
            continue
        if known.timestamp == event.timestamp:
            return True
        zammad = event.source == "zammad" and known.source == "zammad"
        if zammad and (event.event != "answer" or known.data.get("agent", "") == event.agent):
            return True
    return False


def _rebuild(call: Call, stored: list[StoredEvent]) -> CallSnapshot:
    """Set the call's derived fields from all of its events."""
    facts = build_call(stored, short_abandon_seconds=conf.short_abandon_seconds())
    ringing = facts.ringing_extension
    if not ringing and facts.direction == "in" and user_id_for_extension(facts.to_number):
        ringing = facts.to_number  # inbound straight to an extension: that phone rings
    call.direction = facts.direction
    call.from_number = facts.from_number
    call.to_number = facts.to_number
    call.caller_number = _canonical(
        facts.from_number if facts.direction == "in" else facts.to_number
    )
    call.queue = facts.queue
    call.agent_extension = facts.agent_extension
    call.agent_id = user_id_for_extension(facts.agent_extension)
    call.ringing_extension = ringing
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
    call.unit_id = unit_id_for_queue(facts.queue)
    call.events_count = len(stored)
    call.legs = [leg.as_dict() for leg in facts.legs]
    earlier = (user_id_for_extension(leg.extension) for leg in facts.legs[:-1])
    return CallSnapshot(
        pk=call.pk,
        call_id=call.call_id,
        direction=facts.direction,
        agent_id=call.agent_id,
        ringing_extension=ringing,
        to_number=facts.to_number,
        outcome=facts.outcome,
        ended_at=facts.ended_at,
        wrapup_at=facts.wrapup_at,
        earlier_agent_ids=tuple(u for u in earlier if u is not None and u != call.agent_id),
    )


def _call_message(event: CtiEvent, call: CallSnapshot) -> Message | None:
    """The screen pop's nudge: to the agent of the call, else the phone that rings."""
    target = call.agent_id
    if target is None and event.event == "newCall" and call.direction == "in":
        target = user_id_for_extension(call.ringing_extension)
    if target is None:
        return None
    return (
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


def _lock_calls(events: Sequence[CtiEvent]) -> dict[str, Call]:
    """The batch's calls as stored, created if new, locked for the transaction by one
    upsert in call-id order (the row of every call, new or not, is locked in that
    order, so two batches never deadlock on each other)."""
    first_at: dict[str, datetime] = {}
    for event in events:
        first_at.setdefault(event.call_id, event.timestamp)
    placeholders = [
        Call(call_id=call_id, started_at=first_at[call_id]) for call_id in sorted(first_at)
    ]
    return {
        call.call_id: call for call in rows.insert(placeholders, lock_on="call_id", returning=True)
    }


def cti_events_ingest(*, events: Sequence[CtiEvent]) -> list[IngestResult]:
    """Store a batch of CTI events in one transaction, each once, and rebuild their calls;
    one result per event, in order. Either the whole batch is stored or nothing is.
    Agent states move with the calls; the push goes out after commit."""
    if not events:
        return []
    with transaction.atomic():
        calls = _lock_calls(events)
        logs = {
            call_id: [_stored(row) for row in call.event_log] for call_id, call in calls.items()
        }
        results: list[IngestResult] = []
        new_events: list[CallEvent] = []
        steps: list[tuple[CtiEvent, CallSnapshot]] = []
        for event in events:
            call, stored = calls[event.call_id], logs[event.call_id]
            if _is_duplicate(stored, event):
                results.append(IngestResult(call_pk=call.pk, created=False))
                continue
            data = event.data()
            call.event_log.append(
                {
                    "event": event.event,
                    "timestamp": event.timestamp.isoformat(),
                    "data": data,
                    "source": event.source,
                }
            )
            stored.append(
                StoredEvent(
                    event=event.event, timestamp=event.timestamp, data=data, source=event.source
                )
            )
            steps.append((event, _rebuild(call, stored)))
            new_events.append(
                CallEvent(
                    call_id=call.pk,
                    call_key=event.call_id,
                    event=event.event,
                    timestamp=event.timestamp,
                    source=event.source,
                    data=data,
                )
            )
            results.append(IngestResult(call_pk=call.pk, created=True))
        if steps:
            _write(calls, steps, new_events)
    return results


def _write(
    calls: dict[str, Call],
    steps: list[tuple[CtiEvent, CallSnapshot]],
    new_events: list[CallEvent],
) -> None:
    # the agents the telephone moves, locked in user-id order (after the calls)
    agents_at: dict[int, datetime] = {}
    for event, snap in steps:
        if snap.agent_id is not None and event.event in FOLLOWED_EVENTS:
            agents_at.setdefault(snap.agent_id, event.timestamp)
        if event.event == "answer":  # a transfer moves the agents who had the call
            for user_id in snap.earlier_agent_ids:
                agents_at.setdefault(user_id, event.timestamp)
    states = agent_states_lock(agents_at) if agents_at else {}
    periods: list[AgentStatePeriod] = []
    moved: set[int] = set()
    messages: list[Message] = [("wallboard", {"type": "tick", "k": "t"})]
    for event, snap in steps:
        nudge = _call_message(event, snap)
        if nudge is not None:
            messages.append(nudge)
        for user_id in snap.earlier_agent_ids if event.event == "answer" else ():
            if user_id in states:
                handed = agent_state_hand_over(
                    states[user_id], call=snap, event=event, periods=periods
                )
                if handed is not None:
                    moved.add(user_id)
                    messages.append((f"agent:{user_id}", {"type": "state", "state": handed}))
        if snap.agent_id is not None and snap.agent_id in states:
            new_state = agent_state_follow(
                states[snap.agent_id], call=snap, event=event, periods=periods
            )
            if new_state is not None:
                moved.add(snap.agent_id)
                messages.append((f"agent:{snap.agent_id}", {"type": "state", "state": new_state}))
    rows.insert(new_events)
    rows.write(
        [calls[call_id] for call_id in sorted({s.call_id for _e, s in steps})], REBUILT_FIELDS
    )
    agent_states_save([states[user_id] for user_id in sorted(moved)], periods)
    publish_on_commit(messages)


def cti_event_ingest(*, event: CtiEvent) -> IngestResult:
    """Store one CTI event (once) and rebuild its call from all of its events. The call
    row is locked first, so events of one call are applied one at a time; a duplicate
    (same call id, event and timestamp; for Zammad's timestamp-less format, the same call
    id and event) changes nothing."""
    return cti_events_ingest(events=[event])[0]
