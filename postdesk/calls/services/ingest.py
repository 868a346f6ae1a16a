"""CTI event ingestion: store each event once and rebuild its call from all of them.

`cti_events_ingest` takes a batch of parsed events (one request's event, or the events
that a web process's writer gathered from its concurrent requests: `calls.writer`) and
stores them in one transaction, in three steps:

1. lock: the batch's calls are created if new and locked, in call-id order (so two
   batches never deadlock), returning each call's event log;
2. plan, in memory: each event is checked against its call's log (a duplicate changes
   nothing), appended, and the call rebuilt from all of its events by their timestamps
   (`events.build_call`: arrival order never matters); then the agent states concerned
   are locked (in user-id order) and moved by the telephone's rules (`states._follow`);
3. write: the new events, the rebuilt calls, the closed state periods and the states.

On PostgreSQL that is three round trips for the whole batch: `BEGIN` travels with the
lock, `COMMIT` with the writes (one statement of data-modifying CTEs fed by one JSON
document each), and the agent-state lock between them when the batch moves an agent.
The caller is answered only after COMMIT returned (`synchronous_commit` stays on). On
SQLite (and inside an outer transaction) the same plan is written statement by
statement inside `transaction.atomic()`.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from postdesk.calls import conf
from postdesk.calls.events import CtiEvent, StoredEvent, build_call
from postdesk.calls.models import AgentState
from postdesk.calls.push import publish, publish_on_commit
from postdesk.calls.services.states import (
    FOLLOWED_EVENTS,
    CallSnapshot,
    Period,
    _db_datetime,
    _execute,
    _follow,
)
from postdesk.calls.services.tokens import (
    _unit_id_for_queue,
    _user_id_for_extension,
    _user_id_for_names,
)
from postdesk.core.pg import multi_statement_cursor
from postdesk.core.phones import try_normalize_phone
from postdesk.org.models import User

S = AgentState.State
Message = tuple[str, dict[str, Any]]


@dataclass(frozen=True)
class IngestResult:
    call_pk: int
    created: bool  # False: the same event had been stored already


@functools.lru_cache(maxsize=20000)
def _canonical(raw: str) -> str:
    return try_normalize_phone(raw, default_area_code=settings.POSTDESK_DEFAULT_AREA_CODE) or ""


# The columns of calls_call rebuilt from the events, in the order `_rebuild` gives them.
CALL_COLUMNS = (
    "direction",
    "from_number",
    "to_number",
    "caller_number",
    "queue",
    "agent_extension",
    "agent_id",
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
    "unit_id",
    "events_count",
)
_PG_TYPES = {
    "agent_id": "bigint",
    "unit_id": "bigint",
    "started_at": "timestamptz",
    "answered_at": "timestamptz",
    "ended_at": "timestamptz",
    "wrapup_at": "timestamptz",
    "wait_seconds": "float8",
    "talk_seconds": "float8",
    "hold_seconds": "float8",
    "acw_seconds": "float8",
    "events_count": "integer",
}


@dataclass(slots=True)
class _OpenCall:
    """A call locked for this batch: its log as stored, then as the batch grows it."""

    pk: int
    call_id: str
    log: list[dict[str, Any]]
    stored: list[StoredEvent] = field(default_factory=list)
    values: list[Any] | None = None  # CALL_COLUMNS, once an event was added


def _stored(row: Mapping[str, Any]) -> StoredEvent:
    return StoredEvent(
        event=row["event"],
        timestamp=datetime.fromisoformat(row["timestamp"]),
        data=row.get("data") or {},
        source=row.get("source") or "cti",
    )


def _is_duplicate(call: _OpenCall, event: CtiEvent) -> bool:
    """Same call, event and timestamp (Zammad's format has no timestamp of its own: the
    same call and event from Zammad)."""
    for stored in call.stored:
        if stored.event != event.event:
            continue
        if stored.timestamp == event.timestamp:
            return True
        if event.source == "zammad" and stored.source == "zammad":
            return True
    return False


def _rebuild(call: _OpenCall) -> CallSnapshot:
    facts = build_call(call.stored, short_abandon_seconds=conf.short_abandon_seconds())
    agent_id = _user_id_for_extension(facts.agent_extension)
    call.values = [
        facts.direction,
        facts.from_number,
        facts.to_number,
        _canonical(facts.from_number if facts.direction == "in" else facts.to_number),
        facts.queue,
        facts.agent_extension,
        agent_id,
        facts.ringing_extension,
        facts.started_at,
        facts.answered_at,
        facts.ended_at,
        facts.wrapup_at,
        facts.wait_seconds,
        facts.talk_seconds,
        facts.hold_seconds,
        facts.acw_seconds,
        facts.outcome,
        facts.cause,
        facts.recording_url,
        _unit_id_for_queue(facts.queue),
        len(call.stored),
    ]
    return CallSnapshot(
        pk=call.pk,
        call_id=call.call_id,
        direction=facts.direction,
        agent_id=agent_id,
        ringing_extension=facts.ringing_extension,
        to_number=facts.to_number,
        outcome=facts.outcome,
        ended_at=facts.ended_at,
        wrapup_at=facts.wrapup_at,
    )


def _event_data(event: CtiEvent) -> dict[str, Any]:
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
    return data


def _call_message(event: CtiEvent, call: CallSnapshot) -> Message | None:
    """The screen pop's nudge: to the agent of the call, else the phone that rings."""
    target = call.agent_id
    if target is None and event.event == "newCall" and call.direction == "in":
        target = _user_id_for_extension(call.ringing_extension)
    if target is None and event.event == "newCall":
        target = _user_id_for_extension(call.to_number)
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


# ---------------------------------------------------------------------------- SQL


class _Sql:
    """The three database steps on SQLite (and on PostgreSQL inside an outer
    transaction): plain statements inside `transaction.atomic()`."""

    own_transaction = False

    def lock_calls(
        self, first_at: dict[str, datetime], now: datetime, agents: list[int]
    ) -> dict[str, _OpenCall]:
        opened: dict[str, _OpenCall] = {}
        with connection.cursor() as cursor:
            for call_id in sorted(first_at):
                cursor.execute(
                    _LOCK_ONE_SQL,
                    [call_id, _adapt(first_at[call_id]), _adapt(now)],
                )
                pk, log = cursor.fetchone()
                opened[call_id] = _opened(pk, call_id, log)
        return opened

    def lock_states(self, first_at: dict[int, datetime]) -> dict[int, AgentState]:
        sql = "SELECT id, user_id, state, reason, since, call_id FROM calls_agentstate "
        sql += "WHERE user_id = %s" + (
            " FOR UPDATE" if connection.features.has_select_for_update else ""
        )
        states: dict[int, AgentState] = {}
        with connection.cursor() as cursor:
            for user_id in sorted(first_at):
                cursor.execute(sql, [user_id])
                row = cursor.fetchone()
                if row is None:
                    _execute(
                        "INSERT INTO calls_agentstate (user_id, state, reason, since) "
                        "VALUES (%s, %s, '', %s) ON CONFLICT (user_id) DO NOTHING",
                        [user_id, S.LOGGED_OUT, first_at[user_id]],
                    )
                    cursor.execute(sql, [user_id])
                    row = cursor.fetchone()
                states[user_id] = _state(row)
        return states

    def write(
        self,
        events: list[list[Any]],
        calls: list[_OpenCall],
        periods: list[Period],
        states: list[AgentState],
        now: datetime,
    ) -> None:
        for params in events:
            _execute(_INSERT_EVENT_SQL, [*params[:6], json.dumps(params[6], ensure_ascii=False)])
        for call in calls:
            assert call.values is not None
            _execute(
                _UPDATE_CALL_SQL,
                [*call.values, now, json.dumps(call.log, ensure_ascii=False), call.pk],
            )
        for period in periods:
            _execute(_INSERT_PERIOD_SQL, list(period))
        for state in states:
            _execute(
                _UPDATE_STATE_SQL, [state.state, state.reason, state.since, state.call_id, state.pk]
            )

    def finish(self) -> None:
        return None

    def abort(self) -> None:
        return None


class _PgSql(_Sql):
    """PostgreSQL with this connection in autocommit: the batch's own transaction, BEGIN
    sent with the lock and COMMIT with the writes (the simple query protocol carries
    several statements in one round trip)."""

    own_transaction = True

    def __init__(self) -> None:
        self.began = False
        self.prelocked: dict[int, AgentState] = {}

    def lock_calls(
        self, first_at: dict[str, datetime], now: datetime, agents: list[int]
    ) -> dict[str, _OpenCall]:
        """BEGIN, the calls locked, and in the same round trip the states of the agents
        the batch will likely move (those its events name, and the calls' own agents),
        locked after the calls as every writer does."""
        ids = sorted(first_at)
        with multi_statement_cursor() as raw:
            self.began = True
            raw.execute(
                "BEGIN; " + _PG_LOCK_SQL + "; " + _PG_LOCK_LIKELY_STATES_SQL,
                [
                    now,
                    json.dumps([{"call_id": i, "at": first_at[i].isoformat()} for i in ids]),
                    json.dumps(sorted(set(agents))),
                    json.dumps(ids),
                ],
            )
            raw.nextset()  # past BEGIN
            rows = raw.fetchall()
            raw.nextset()
            self.prelocked = {row[1]: _state(row) for row in raw.fetchall()}
        return {call_id: _opened(pk, call_id, log) for pk, call_id, log in rows}

    def lock_states(self, first_at: dict[int, datetime]) -> dict[int, AgentState]:
        states = {u: self.prelocked[u] for u in first_at if u in self.prelocked}
        rest = sorted(u for u in first_at if u not in states)
        if not rest:
            return states
        # rare: an agent nobody expected (or one without a state row yet)
        with connection.cursor() as cursor:
            cursor.execute(_PG_LOCK_STATES_SQL, [rest])
            states.update({row[1]: _state(row) for row in cursor.fetchall()})
            missing = [user_id for user_id in rest if user_id not in states]
            if missing:
                cursor.execute(
                    "INSERT INTO calls_agentstate (user_id, state, reason, since) "
                    "SELECT u, %s, '', t FROM unnest(%s::bigint[], %s::timestamptz[]) AS v(u, t) "
                    "ORDER BY u ON CONFLICT (user_id) DO NOTHING",
                    [S.LOGGED_OUT, missing, [first_at[user_id] for user_id in missing]],
                )
                cursor.execute(_PG_LOCK_STATES_SQL, [missing])
                states.update({row[1]: _state(row) for row in cursor.fetchall()})
        return states

    def write(
        self,
        events: list[list[Any]],
        calls: list[_OpenCall],
        periods: list[Period],
        states: list[AgentState],
        now: datetime,
    ) -> None:
        docs = [
            [
                {
                    "call_id": e[0],
                    "call_key": e[1],
                    "event": e[2],
                    "timestamp": e[3].isoformat(),
                    "received_at": e[4].isoformat(),
                    "source": e[5],
                    "data": e[6],
                }
                for e in events
            ],
            [
                {
                    "id": call.pk,
                    "event_log": call.log,
                    **{
                        name: value.isoformat() if isinstance(value, datetime) else value
                        for name, value in zip(CALL_COLUMNS, call.values or (), strict=True)
                    },
                }
                for call in calls
            ],
            [
                {
                    "user_id": p[0],
                    "state": p[1],
                    "reason": p[2],
                    "started_at": p[3].isoformat(),
                    "ended_at": p[4].isoformat(),
                    "seconds": p[5],
                }
                for p in periods
            ],
            [
                {
                    "id": s.pk,
                    "state": s.state,
                    "reason": s.reason,
                    "since": s.since.isoformat(),
                    "call_id": s.call_id,
                }
                for s in states
            ],
        ]
        with multi_statement_cursor() as raw:
            raw.execute(
                _PG_WRITE_SQL + "; COMMIT",
                [
                    now,
                    *(json.dumps(doc, ensure_ascii=False, separators=(",", ":")) for doc in docs),
                ],
            )
        self.began = False

    def finish(self) -> None:
        if self.began:  # nothing to write (all duplicates): end the transaction
            with connection.cursor() as cursor:
                cursor.execute("COMMIT")
            self.began = False

    def abort(self) -> None:
        if not self.began:
            return
        self.began = False
        try:
            with connection.cursor() as cursor:
                cursor.execute("ROLLBACK")
        except Exception:
            connection.close()  # broken: the next use connects afresh


def _adapt(value: datetime) -> Any:
    return connection.ops.adapt_datetimefield_value(value)


def _opened(pk: int, call_id: str, log: Any) -> _OpenCall:
    if isinstance(log, str | bytes):
        log = json.loads(log)
    rows = list(log or [])
    return _OpenCall(pk=int(pk), call_id=call_id, log=rows, stored=[_stored(r) for r in rows])


def _state(row: Sequence[Any]) -> AgentState:
    return AgentState(
        id=row[0],
        user_id=row[1],
        state=row[2],
        reason=row[3],
        since=_db_datetime(row[4]),
        call_id=row[5],
    )


_LOCK_ONE_SQL = """
INSERT INTO calls_call (call_id, direction, from_number, to_number, caller_number, queue,
    agent_extension, ringing_extension, started_at, hold_seconds, outcome, cause,
    recording_url, wrapup_code, wrapup_note, events_count, event_log, updated_at)
VALUES (%s, 'in', '', '', '', '', '', '', %s, 0, '', '', '', '', '', 0, '[]', %s)
ON CONFLICT (call_id) DO UPDATE SET call_id = EXCLUDED.call_id
RETURNING id, event_log
"""
# New calls are created, and all are locked, in call-id order.
_PG_LOCK_SQL = """
INSERT INTO calls_call (call_id, direction, from_number, to_number, caller_number, queue,
    agent_extension, ringing_extension, started_at, hold_seconds, outcome, cause,
    recording_url, wrapup_code, wrapup_note, events_count, event_log, updated_at)
SELECT v.call_id, 'in', '', '', '', '', '', '', v.at, 0, '', '', '', '', '', 0, '[]',
    %s::timestamptz
FROM json_to_recordset(%s::json) AS v(call_id text, at timestamptz) ORDER BY v.call_id
ON CONFLICT (call_id) DO UPDATE SET call_id = EXCLUDED.call_id
RETURNING id, call_id, event_log
"""
_PG_LOCK_STATES_SQL = (
    "SELECT id, user_id, state, reason, since, call_id FROM calls_agentstate "
    "WHERE user_id = ANY(%s::bigint[]) ORDER BY user_id FOR UPDATE"
)
_PG_LOCK_LIKELY_STATES_SQL = """
SELECT id, user_id, state, reason, since, call_id FROM calls_agentstate
WHERE user_id IN (SELECT value::bigint FROM json_array_elements_text(%s::json)
    UNION SELECT agent_id FROM calls_call WHERE call_id IN (
        SELECT value FROM json_array_elements_text(%s::json)) AND agent_id IS NOT NULL)
ORDER BY user_id FOR UPDATE
"""
_INSERT_EVENT_SQL = (
    'INSERT INTO calls_callevent (call_id, call_key, event, "timestamp", received_at, source, '
    "data) VALUES (%s, %s, %s, %s, %s, %s, %s)"
)
_UPDATE_CALL_SQL = (
    "UPDATE calls_call SET "
    + ", ".join(f"{column} = %s" for column in CALL_COLUMNS)
    + ", updated_at = %s, event_log = %s WHERE id = %s"
)
_INSERT_PERIOD_SQL = (
    "INSERT INTO calls_agentstateperiod (user_id, state, reason, started_at, ended_at, "
    "seconds) VALUES (%s, %s, %s, %s, %s, %s)"
)
_UPDATE_STATE_SQL = (
    "UPDATE calls_agentstate SET state = %s, reason = %s, since = %s, call_id = %s WHERE id = %s"
)
_PG_TYPES["id"] = "bigint"
_PG_TYPES["event_log"] = "jsonb"
_CALL_RECORD = ", ".join(
    f"{name} {_PG_TYPES.get(name, 'text')}" for name in ("id", *CALL_COLUMNS, "event_log")
)
_PG_WRITE_SQL = f"""
WITH params AS (SELECT %s::timestamptz AS now),
new_events AS (
    INSERT INTO calls_callevent (call_id, call_key, event, "timestamp", received_at, source,
        data)
    SELECT call_id, call_key, event, "timestamp", received_at, source, data
    FROM json_to_recordset(%s::json) AS v(call_id bigint, call_key text, event text,
        "timestamp" timestamptz, received_at timestamptz, source text, data jsonb)
),
rebuilt AS (
    UPDATE calls_call AS c SET
        {", ".join(f"{name} = v.{name}" for name in CALL_COLUMNS)},
        updated_at = (SELECT now FROM params), event_log = v.event_log
    FROM json_to_recordset(%s::json) AS v({_CALL_RECORD})
    WHERE c.id = v.id
),
periods AS (
    INSERT INTO calls_agentstateperiod (user_id, state, reason, started_at, ended_at, seconds)
    SELECT user_id, state, reason, started_at, ended_at, seconds
    FROM json_to_recordset(%s::json) AS v(user_id bigint, state text, reason text,
        started_at timestamptz, ended_at timestamptz, seconds float8)
)
UPDATE calls_agentstate AS s SET state = v.state, reason = v.reason, since = v.since,
    call_id = v.call_id
FROM json_to_recordset(%s::json) AS v(id bigint, state text, reason text, since timestamptz,
    call_id bigint)
WHERE s.id = v.id
"""


# ------------------------------------------------------------------------ ingestion


def cti_events_ingest(*, events: Sequence[CtiEvent]) -> list[IngestResult]:
    """Store a batch of CTI events in one transaction, each once, and rebuild their calls;
    one result per event, in order. Either the whole batch is stored or nothing is.
    Agent states move with the calls; the push goes out after commit."""
    if not events:
        return []
    if (
        connection.vendor == "postgresql"
        and not connection.in_atomic_block
        and connection.get_autocommit()
    ):
        sql = _PgSql()
        try:
            results, messages = _ingest(events, sql)
        except BaseException:
            sql.abort()
            raise
        publish(messages)
        return results
    with transaction.atomic():
        results, messages = _ingest(events, _Sql())
        publish_on_commit(messages)
    return results


def cti_event_ingest(*, event: CtiEvent) -> IngestResult:
    """Store one CTI event (once) and rebuild its call from all of its events. The call
    row is locked first, so events of one call are applied one at a time; a duplicate
    (same call id, event and timestamp; for Zammad's timestamp-less format, the same call
    id and event) changes nothing."""
    return cti_events_ingest(events=[event])[0]


def _ingest(events: Sequence[CtiEvent], sql: _Sql) -> tuple[list[IngestResult], list[Message]]:
    now = timezone.now()
    first_at: dict[str, datetime] = {}
    for event in events:
        first_at.setdefault(event.call_id, event.timestamp)
    hinted = (_user_id_for_extension(event.agent) for event in events if event.agent)
    opened = sql.lock_calls(first_at, now, [user_id for user_id in hinted if user_id])

    results: list[IngestResult] = []
    new_events: list[list[Any]] = []
    steps: list[tuple[CtiEvent, CallSnapshot]] = []
    for event in events:
        call = opened[event.call_id]
        if _is_duplicate(call, event):
            results.append(IngestResult(call_pk=call.pk, created=False))
            continue
        data = _event_data(event)
        call.log.append(
            {
                "event": event.event,
                "timestamp": event.timestamp.isoformat(),
                "data": data,
                "source": event.source,
            }
        )
        call.stored.append(
            StoredEvent(
                event=event.event, timestamp=event.timestamp, data=data, source=event.source
            )
        )
        steps.append((event, _rebuild(call)))
        new_events.append(
            [call.pk, event.call_id, event.event, event.timestamp, now, event.source, data]
        )
        results.append(IngestResult(call_pk=call.pk, created=True))
    if not steps:
        sql.finish()
        return results, []

    # the agents the telephone moves, locked in user-id order
    agents_at: dict[int, datetime] = {}
    for event, snap in steps:
        if snap.agent_id is not None and event.event in FOLLOWED_EVENTS:
            agents_at.setdefault(snap.agent_id, event.timestamp)
    states = sql.lock_states(agents_at) if agents_at else {}
    periods: list[Period] = []
    moved: set[int] = set()
    messages: list[Message] = [("wallboard", {"type": "tick", "k": "t"})]
    for event, snap in steps:
        nudge = _call_message(event, snap)
        if nudge is not None:
            messages.append(nudge)
        if snap.agent_id is not None and snap.agent_id in states:
            new_state = _follow(states[snap.agent_id], call=snap, event=event, periods=periods)
            if new_state is not None:
                moved.add(snap.agent_id)
                messages.append((f"agent:{snap.agent_id}", {"type": "state", "state": new_state}))
    sql.write(
        new_events,
        [call for call in opened.values() if call.values is not None],
        periods,
        [states[user_id] for user_id in sorted(moved)],
        now,
    )
    return results, messages
