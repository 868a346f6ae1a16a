"""Agent states: the telephone's moves (answer, hangup, wrapup) and the agent's own."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from postdesk.calls.events import CtiEvent
from postdesk.calls.models import (
    AgentState,
    Call,
)
from postdesk.calls.push import publish_on_commit
from postdesk.core.errors import InvalidTransition, ValidationFailed
from postdesk.org.models import User

S = AgentState.State


def _execute(sql: str, params: list[Any]) -> None:
    """Raw SQL on the hot path (both databases); aware datetimes adapted as Django does."""
    ops = connection.ops
    values = [ops.adapt_datetimefield_value(v) if isinstance(v, datetime) else v for v in params]
    with connection.cursor() as cursor:
        cursor.execute(sql, values)


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


# A closed period: (user_id, state, reason, started_at, ended_at, seconds).
Period = tuple[int, str, str, datetime, datetime, float]
FOLLOWED_EVENTS = frozenset({"answer", "hangup", "wrapup", "newCall"})


@dataclass(frozen=True, slots=True)
class CallSnapshot:
    """What the agent-state rules and the push need of a call just after one event."""

    pk: int
    call_id: str
    direction: str
    agent_id: int | None
    ringing_extension: str
    to_number: str
    outcome: str
    ended_at: datetime | None
    wrapup_at: datetime | None


def _shift(
    state: AgentState,
    new: str,
    reason: str,
    at: datetime,
    call_pk: int | None,
    periods: list[Period],
) -> None:
    """Move the state in memory; the closed period (if it lasted) goes to `periods`."""
    at = max(at, state.since)
    changed = state.state != new or state.reason != reason
    if changed and at > state.since:
        # a period of no length (a move at the very moment of the last) is not kept
        periods.append(
            (
                state.user_id,
                state.state,
                state.reason,
                state.since,
                at,
                round((at - state.since).total_seconds(), 3),
            )
        )
    if changed:
        state.since = at
    state.state = new
    state.reason = reason
    state.call_id = call_pk


def _write_state(state: AgentState, periods: list[Period]) -> None:
    for period in periods:
        _execute(
            "INSERT INTO calls_agentstateperiod (user_id, state, reason, started_at, ended_at, "
            "seconds) VALUES (%s, %s, %s, %s, %s, %s)",
            list(period),
        )
    _execute(
        "UPDATE calls_agentstate SET state = %s, reason = %s, since = %s, call_id = %s "
        "WHERE id = %s",
        [state.state, state.reason, state.since, state.call_id, state.pk],
    )


def _move(state: AgentState, new: str, reason: str, at: datetime, call: Call | None) -> None:
    """Move a locked state row and write it (with its closed period)."""
    periods: list[Period] = []
    _shift(state, new, reason, at, call.pk if call is not None else None, periods)
    _write_state(state, periods)


def _follow(
    state: AgentState, *, call: CallSnapshot, event: CtiEvent, periods: list[Period]
) -> str | None:
    """The telephone moves the agent (in memory; the caller writes): answer puts the agent
    on the call, hangup into after-call work, wrapup back to ready. An event older than
    the agent's current state (late delivery) moves nothing. Returns the new state."""
    if event.event not in FOLLOWED_EVENTS or event.timestamp < state.since:
        return None
    on_this_call = state.call_id == call.pk
    if event.event == "answer" or (event.event == "newCall" and call.direction == "out"):
        if call.ended_at is not None:
            # A late answer of a call that has already hung up: the agent is wrapping
            # it up (or done with it, when the wrapup came too).
            if call.wrapup_at is not None or state.since > call.ended_at:
                return None
            _shift(state, S.AFTER_CALL, "", call.ended_at, call.pk, periods)
        else:
            _shift(state, S.ON_CALL, "", event.timestamp, call.pk, periods)
    elif event.event == "hangup" and on_this_call and state.state == S.ON_CALL:
        _shift(state, S.AFTER_CALL, "", event.timestamp, call.pk, periods)
    elif event.event == "wrapup" and on_this_call and state.state in (S.ON_CALL, S.AFTER_CALL):
        _shift(state, S.READY, "", event.timestamp, None, periods)
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
