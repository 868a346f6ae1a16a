"""Writes of the calls app: CTI tokens, event ingestion, agent states, wrap-up."""

from __future__ import annotations

import functools
import hashlib
import json
import secrets
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from postdesk.calls import conf
from postdesk.calls.events import CtiEvent, StoredEvent, build_call
from postdesk.calls.models import (
    AgentState,
    Call,
    CallWorkOrder,
    CtiToken,
    WrapupCode,
)
from postdesk.calls.push import publish_on_commit
from postdesk.core.errors import InvalidTransition, NotFound, ValidationFailed
from postdesk.core.phones import try_normalize_phone
from postdesk.org.models import User

TOKEN_TOUCH_INTERVAL = timedelta(minutes=5)
TOKEN_CACHE_SECONDS = 10.0
EXTENSION_CACHE_SECONDS = 30.0

S = AgentState.State


# --------------------------------------------------------------------------- tokens


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


_token_cache: dict[str, tuple[int, float]] = {}
_token_lock = threading.Lock()


def cti_token_create(*, name: str) -> tuple[CtiToken, str]:
    """A new integration token; the raw value is returned once and never stored."""
    name = name.strip()
    if not name:
        raise ValidationFailed(fields={"name": _("Give the token a name.")})
    raw = "cti_" + secrets.token_urlsafe(32)
    token = CtiToken.objects.create(name=name[:100], key_hash=_hash(raw), prefix=raw[:10])
    return token, raw


def cti_token_revoke(*, token_id: int) -> bool:
    revoked = CtiToken.objects.filter(pk=token_id, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    with _token_lock:
        _token_cache.clear()
    return bool(revoked)


def cti_token_authenticate(*, raw: str) -> int | None:
    """The id of the live token `raw`, or None. Answers from a short in-process cache
    (a revoked token stops working within TOKEN_CACHE_SECONDS everywhere, at once in
    the process that revoked it)."""
    if not raw or len(raw) > 200:
        return None
    key = _hash(raw)
    now = time.monotonic()
    with _token_lock:
        hit = _token_cache.get(key)
    if hit is not None and hit[1] > now:
        return hit[0]
    token = CtiToken.objects.filter(key_hash=key, revoked_at__isnull=True).first()
    if token is None:
        with _token_lock:
            _token_cache.pop(key, None)
        return None
    wall = timezone.now()
    if token.last_used_at is None or wall - token.last_used_at > TOKEN_TOUCH_INTERVAL:
        CtiToken.objects.filter(pk=token.pk).update(last_used_at=wall)
    with _token_lock:
        if len(_token_cache) > 1000:
            _token_cache.clear()
        _token_cache[key] = (token.pk, now + TOKEN_CACHE_SECONDS)
    return token.pk


# ---------------------------------------------------------------------- extensions

_ext_cache: dict[str, tuple[int | None, float]] = {}
_ext_lock = threading.Lock()


def _user_id_for_extension(extension: str) -> int | None:
    if not extension:
        return None
    now = time.monotonic()
    with _ext_lock:
        hit = _ext_cache.get(extension)
    if hit is not None and hit[1] > now:
        return hit[0]
    user_id = (
        User.objects.filter(extension=extension, is_active=True)
        .values_list("pk", flat=True)
        .first()
    )
    with _ext_lock:
        if len(_ext_cache) > 5000:
            _ext_cache.clear()
        _ext_cache[extension] = (user_id, now + EXTENSION_CACHE_SECONDS)
    return user_id


def _user_id_for_names(names: tuple[str, ...]) -> int | None:
    """Zammad's user[]: a user name or display name of ours (the first that matches)."""
    for name in names:
        user_id = (
            User.objects.filter(is_active=True, username=name).values_list("pk", flat=True).first()
            or User.objects.filter(is_active=True, display_name=name)
            .values_list("pk", flat=True)
            .first()
        )
        if user_id:
            return user_id
    return None


def extension_cache_clear() -> None:
    with _ext_lock:
        _ext_cache.clear()


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


def _execute(sql: str, params: list[Any]) -> None:
    """Raw SQL on the hot path (both databases); aware datetimes adapted as Django does."""
    ops = connection.ops
    values = [ops.adapt_datetimefield_value(v) if isinstance(v, datetime) else v for v in params]
    with connection.cursor() as cursor:
        cursor.execute(sql, values)


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


# ---------------------------------------------------------------------- agent states


def _db_datetime(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    parsed = datetime.fromisoformat(str(value))
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def _state_row(user_id: int, at: datetime) -> AgentState:
    """The agent's state row, created if missing, locked for the transaction."""
    sql = "SELECT id, state, reason, since, call_id FROM calls_agentstate WHERE user_id = %s"
    if connection.features.has_select_for_update:
        sql += " FOR UPDATE"
    with connection.cursor() as cursor:
        cursor.execute(sql, [user_id])
        row = cursor.fetchone()
        if row is None:
            _execute(
                "INSERT INTO calls_agentstate (user_id, state, reason, since) "
                "VALUES (%s, %s, '', %s) ON CONFLICT (user_id) DO NOTHING",
                [user_id, S.LOGGED_OUT, at],
            )
            cursor.execute(sql, [user_id])
            row = cursor.fetchone()
    return AgentState(
        id=row[0],
        user_id=user_id,
        state=row[1],
        reason=row[2],
        since=_db_datetime(row[3]),
        call_id=row[4],
    )


def _move(state: AgentState, new: str, reason: str, at: datetime, call: Call | None) -> None:
    at = max(at, state.since)
    if state.state != new or state.reason != reason:
        _execute(
            "INSERT INTO calls_agentstateperiod (user_id, state, reason, started_at, ended_at, "
            "seconds) VALUES (%s, %s, %s, %s, %s, %s)",
            [
                state.user_id,
                state.state,
                state.reason,
                state.since,
                at,
                round((at - state.since).total_seconds(), 3),
            ],
        )
        state.since = at
    state.state = new
    state.reason = reason
    state.call_id = call.pk if call is not None else None
    _execute(
        "UPDATE calls_agentstate SET state = %s, reason = %s, since = %s, call_id = %s "
        "WHERE id = %s",
        [new, reason, state.since, state.call_id, state.pk],
    )


def _agent_state_follow(*, user_id: int, call: Call, event: CtiEvent) -> str | None:
    """Answer puts the agent on the call, hangup into after-call work, wrapup back to
    ready. An event older than the agent's current state (late delivery) moves nothing."""
    if event.event not in ("answer", "hangup", "wrapup", "newCall"):
        return None
    state = _state_row(user_id, event.timestamp)
    if event.timestamp < state.since:
        return None
    on_this_call = state.call_id == call.pk
    if event.event == "answer" or (event.event == "newCall" and call.direction == "out"):
        if call.ended_at is not None:
            # A late answer of a call that has already hung up: the agent is wrapping
            # it up (or done with it, when the wrapup came too).
            if call.wrapup_at is not None or state.since > call.ended_at:
                return None
            _move(state, S.AFTER_CALL, "", call.ended_at, call)
        else:
            _move(state, S.ON_CALL, "", event.timestamp, call)
    elif event.event == "hangup" and on_this_call and state.state == S.ON_CALL:
        _move(state, S.AFTER_CALL, "", event.timestamp, call)
    elif event.event == "wrapup" and on_this_call and state.state in (S.ON_CALL, S.AFTER_CALL):
        _move(state, S.READY, "", event.timestamp, None)
    else:
        return None
    return state.state


MANUAL_STATES = (S.READY, S.NOT_READY, S.LOGGED_OUT)


def agent_state_set(*, user: User, state: str, reason: str = "") -> AgentState:
    """Ready / not ready (with a reason) / logged out, set by the agent at the workbench.
    On a call the state is the telephone's; after-call work ends with `call_wrapup`."""
    if state not in MANUAL_STATES:
        raise ValidationFailed(fields={"state": _("Choose ready, not ready or logged out.")})
    if state == S.NOT_READY:
        if reason not in AgentState.Reason.values or not reason:
            raise ValidationFailed(fields={"reason": _("Choose why you are not ready.")})
    else:
        reason = ""
    now = timezone.now()
    with transaction.atomic():
        row = _state_row(user.pk, now)
        if row.state == S.ON_CALL:
            raise InvalidTransition(_("You are on a call; the state changes when it ends."))
        _move(row, state, reason, now, None)
        publish_on_commit(
            [
                (f"agent:{user.pk}", {"type": "state", "state": state}),
                ("wallboard", {"type": "tick", "k": "t"}),
            ]
        )
    return row


def call_wrapup(*, actor: User, call: Call, code: str, note: str = "", finish: bool = True) -> Call:
    """The agent's wrap-up code (and note) for a call. `finish` also ends after-call work:
    the agent becomes ready and, when the PBX sent no wrapup, the call's wrap-up time is
    now (a wrapup event from the workbench, so the call is rebuilt as from the PBX)."""
    if call.agent_id != actor.pk and actor.role not in ("lead", "admin"):
        raise NotFound()
    code = code.strip()
    if not WrapupCode.objects.filter(code=code, is_active=True).exists():
        raise ValidationFailed(fields={"code": _("Choose a wrap-up code.")})
    if call.ended_at is None and finish:
        raise InvalidTransition(_("The call has not ended yet."))
    with transaction.atomic():
        locked = Call.objects.select_for_update().get(pk=call.pk)
        locked.wrapup_code = code
        locked.wrapup_note = note.strip()[:500]
        locked.save(update_fields=["wrapup_code", "wrapup_note", "updated_at"])
        if finish and locked.wrapup_at is None:
            now = max(timezone.now(), locked.ended_at or timezone.now())
            event = CtiEvent(
                event="wrapup",
                call_id=locked.call_id,
                timestamp=now,
                agent=locked.agent_extension,
                source="workbench",
            )
            cti_event_ingest(event=event)
        elif finish and locked.agent_id == actor.pk:
            state = _state_row(actor.pk, timezone.now())
            if state.state == S.AFTER_CALL and state.call_id == locked.pk:
                _move(state, S.READY, "", timezone.now(), None)
                publish_on_commit([(f"agent:{actor.pk}", {"type": "state", "state": S.READY})])
    locked.refresh_from_db()
    return locked


def call_link_work_order(*, call_id: str, work_order_number: str) -> bool:
    """Record that a work order was opened from a call (the work-order app calls this).
    Returns False when there is no such call; linking twice does nothing."""
    call = Call.objects.filter(call_id=call_id).first()
    if call is None and call_id.isdigit():
        call = Call.objects.filter(pk=int(call_id)).first()
    if call is None:
        return False
    CallWorkOrder.objects.get_or_create(call=call, work_order_number=work_order_number[:40])
    return True


def call_set_customer(*, call: Call, customer_id: int | None) -> None:
    Call.objects.filter(pk=call.pk).update(customer_id=customer_id)


DEFAULT_WRAPUP_CODES = [
    ("query", "查询"),
    ("consultation", "咨询"),
    ("complaint", "投诉"),
    ("suggestion", "建议"),
    ("pickup", "揽收"),
    ("booking", "订票/预订"),
    ("tracing", "查单"),
    ("transfer", "转接"),
    ("nuisance", "骚扰/误拨"),
    ("other", "其他"),
]


def wrapup_codes_ensure() -> int:
    """The default wrap-up codes (idempotent); returns how many were added."""
    existing = set(WrapupCode.objects.values_list("code", flat=True))
    rows = [
        WrapupCode(code=c, label=label, position=i)
        for i, (c, label) in enumerate(DEFAULT_WRAPUP_CODES)
        if c not in existing
    ]
    WrapupCode.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)
