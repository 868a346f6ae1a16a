"""Agent states: the telephone's moves (answer, hangup, wrapup) and the agent's own."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from postdesk.calls.events import CtiEvent
from postdesk.calls.models import AgentState, AgentStatePeriod
from postdesk.calls.push import publish_on_commit
from postdesk.core import rows
from postdesk.core.errors import InvalidTransition, ValidationFailed
from postdesk.org.models import User

S = AgentState.State


# ---------------------------------------------------------------------- agent states


def agent_states_lock(first_at: Mapping[int, datetime]) -> dict[int, AgentState]:
    """The state rows of these agents (user id -> when the first move is), locked for
    the transaction in user-id order; an agent without one gets it, logged out since
    that moment."""
    ids = sorted(first_at)
    states = {s.user_id: s for s in rows.select(AgentState, where_in="user", values=ids, lock=True)}
    missing = [user_id for user_id in ids if user_id not in states]
    if missing:
        rows.insert(
            [
                AgentState(user_id=user_id, state=S.LOGGED_OUT, reason="", since=first_at[user_id])
                for user_id in missing
            ],
            lock_on="user",
        )
        found = rows.select(AgentState, where_in="user", values=missing, lock=True)
        states.update({state.user_id: state for state in found})
    return states


def agent_states_save(states: Sequence[AgentState], periods: Sequence[AgentStatePeriod]) -> None:
    """Write moved (locked) state rows and the periods their moves closed."""
    rows.insert(periods)
    rows.write(states, ("state", "reason", "since", "call"))


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
    # agents who had the call before it was transferred to `agent_id`
    earlier_agent_ids: tuple[int, ...] = ()


def _shift(
    state: AgentState,
    new: str,
    reason: str,
    at: datetime,
    call_pk: int | None,
    periods: list[AgentStatePeriod],
) -> None:
    """Move the state in memory; the closed period (if it lasted) goes to `periods`."""
    at = max(at, state.since)
    changed = state.state != new or state.reason != reason
    if changed and at > state.since:
        # a period of no length (a move at the very moment of the last) is not kept
        periods.append(
            AgentStatePeriod(
                user_id=state.user_id,
                state=state.state,
                reason=state.reason,
                started_at=state.since,
                ended_at=at,
                seconds=round((at - state.since).total_seconds(), 3),
            )
        )
    if changed:
        state.since = at
    state.state = new
    state.reason = reason
    state.call_id = call_pk


def agent_state_move(
    state: AgentState, new: str, reason: str, at: datetime, call_pk: int | None
) -> None:
    """Move a locked state row and write it (with the period it closed)."""
    periods: list[AgentStatePeriod] = []
    _shift(state, new, reason, at, call_pk, periods)
    agent_states_save([state], periods)


def agent_state_follow(
    state: AgentState, *, call: CallSnapshot, event: CtiEvent, periods: list[AgentStatePeriod]
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


def agent_state_hand_over(
    state: AgentState, *, call: CallSnapshot, event: CtiEvent, periods: list[AgentStatePeriod]
) -> str | None:
    """A transfer (another extension answered the call): the agent who had it goes into
    after-call work at that moment, if the telephone still shows it on this call."""
    if event.event != "answer" or state.call_id != call.pk or state.state != S.ON_CALL:
        return None
    if event.timestamp < state.since:
        return None
    _shift(state, S.AFTER_CALL, "", event.timestamp, call.pk, periods)
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
        row = agent_states_lock({user.pk: now})[user.pk]
        if row.state == S.ON_CALL:
            raise InvalidTransition(_("You are on a call; the state changes when it ends."))
        agent_state_move(row, state, reason, now, None)
        publish_on_commit(
            [
                (f"agent:{user.pk}", {"type": "state", "state": state}),
                ("wallboard", {"type": "tick", "k": "t"}),
            ]
        )
    return row
