"""The calls app's periodic housekeeping (the beat table runs it through `calls.tasks`).

- `calls_sweep_stale`: a call whose hangup never arrived is closed by a hangup of the
  source "sweep" dated at the call's last event (what happened after it is unknown), so
  the call is rebuilt from its events as always and a real hangup arriving later still
  wins. An agent left "on a call" or in after-call work longer than the limit is logged
  out as of the end of that call (or, when that is unknown, as of the state's start):
  the time after it is not counted as talk or after-call work.
- `calls_purge_old`: retention of the CTI event log and of the agent-state periods.

Both are idempotent: run twice, or late, they do nothing more.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from postdesk.calls import conf
from postdesk.calls.events import SWEEP_SOURCE, CtiEvent
from postdesk.calls.models import AgentState, AgentStatePeriod, Call, CallEvent
from postdesk.calls.push import publish_on_commit
from postdesk.calls.services.ingest import cti_event_ingest
from postdesk.calls.services.states import agent_state_move, agent_states_lock

S = AgentState.State
SWEEP_CAUSE = "no_hangup"


@dataclass(frozen=True)
class SweepResult:
    calls_closed: int
    agents_released: int


def calls_sweep_stale(
    *, now: datetime | None = None, hours: float | None = None, limit: int = 500
) -> SweepResult:
    """Close the calls left open longer than `hours` (default `POSTDESK_CALLS_STALE_HOURS`)
    and release the agents stuck on a call or in after-call work as long; at most `limit`
    of each per run (the next run takes the rest)."""
    now = now or timezone.now()
    cutoff = now - timedelta(hours=conf.stale_hours() if hours is None else hours)
    closed = 0
    stale = (
        Call.objects.filter(ended_at__isnull=True, started_at__lt=cutoff)
        .order_by("started_at")
        .values_list("call_id", "event_log", "started_at")[:limit]
    )
    for call_id, log, started_at in stale:
        last = max(
            (datetime.fromisoformat(row["timestamp"]) for row in log or ()), default=started_at
        )
        hangup = CtiEvent(
            event="hangup",
            call_id=call_id,
            timestamp=last,
            cause=SWEEP_CAUSE,
            source=SWEEP_SOURCE,
        )
        closed += int(cti_event_ingest(event=hangup).created)
    released = 0
    stuck = AgentState.objects.filter(
        state__in=(S.ON_CALL, S.AFTER_CALL), since__lt=cutoff
    ).values_list("user_id", flat=True)[:limit]
    for user_id in list(stuck):
        released += int(_agent_release(user_id=user_id, cutoff=cutoff))
    return SweepResult(calls_closed=closed, agents_released=released)


def _agent_release(*, user_id: int, cutoff: datetime) -> bool:
    with transaction.atomic():
        state = agent_states_lock({user_id: cutoff})[user_id]
        if state.state not in (S.ON_CALL, S.AFTER_CALL) or state.since >= cutoff:
            return False  # it moved meanwhile
        at = state.since
        if state.call_id is not None:
            ended = Call.objects.filter(pk=state.call_id).values_list("ended_at", flat=True).first()
            if ended is None and Call.objects.filter(pk=state.call_id).exists():
                return False  # the call is still open: the call sweep closes it first
            if ended is not None and ended > at:
                at = ended
        agent_state_move(state, S.LOGGED_OUT, "", at, None)
        publish_on_commit(
            [
                (f"agent:{user_id}", {"type": "state", "state": S.LOGGED_OUT}),
                ("wallboard", {"type": "tick", "k": "t"}),
            ]
        )
    return True


# ------------------------------------------------------------------------ retention


@dataclass(frozen=True)
class PurgeResult:
    events: int
    periods: int


def calls_purge_old(
    *,
    now: datetime | None = None,
    event_days: int | None = None,
    period_days: int | None = None,
    chunk: int = 5000,
) -> PurgeResult:
    """Delete CTI events received, and agent-state periods ended, more than the retention
    (`POSTDESK_CALLS_EVENT_RETENTION_DAYS`, `POSTDESK_CALLS_STATE_RETENTION_DAYS`; 0 keeps
    them) ago, `chunk` rows per transaction. The calls themselves are kept: each call
    holds its own copy of its events, so it can still be rebuilt."""
    now = now or timezone.now()
    event_days = conf.event_retention_days() if event_days is None else event_days
    period_days = conf.state_retention_days() if period_days is None else period_days
    events = (
        _purge(CallEvent, "received_at", now - timedelta(days=event_days), chunk)
        if event_days > 0
        else 0
    )
    periods = (
        _purge(AgentStatePeriod, "ended_at", now - timedelta(days=period_days), chunk)
        if period_days > 0
        else 0
    )
    return PurgeResult(events=events, periods=periods)


def _time_at(model: type[models.Model], field: str, pk_from: int) -> tuple[int, Any] | None:
    row = model._default_manager.filter(pk__gte=pk_from).order_by("pk").values_list("pk", field)
    return row.first()


def _last_pk_before(model: type[models.Model], field: str, cutoff: datetime) -> int | None:
    """The pk of the last row, in pk order, whose `field` is before `cutoff`. Rows are
    written in time order (near enough: the retention is counted in days), so this
    bisects over the primary key with a few dozen index look-ups instead of scanning
    the table for a time column it has no index on."""
    first = _time_at(model, field, 0)
    if first is None or first[1] >= cutoff:
        return None
    last = model._default_manager.order_by("-pk").values_list("pk", field).first()
    assert last is not None
    if last[1] < cutoff:
        return int(last[0])
    lo, hi = int(first[0]), int(last[0])  # the row from lo on is old; from hi on, not
    while hi - lo > 1:
        mid = (lo + hi) // 2
        row = _time_at(model, field, mid)
        if row is not None and row[1] < cutoff:
            lo = mid
        else:
            hi = mid
    found = _time_at(model, field, lo)
    return int(found[0]) if found is not None else None


def _purge(model: type[models.Model], field: str, cutoff: datetime, chunk: int) -> int:
    bound = _last_pk_before(model, field, cutoff)
    if bound is None:
        return 0
    manager = model._default_manager
    deleted = 0
    while True:
        ids = list(
            manager.filter(pk__lte=bound, **{f"{field}__lt": cutoff})
            .order_by("pk")
            .values_list("pk", flat=True)[:chunk]
        )
        if not ids:
            return deleted
        with transaction.atomic():
            deleted += manager.filter(pk__in=ids).delete()[0]
