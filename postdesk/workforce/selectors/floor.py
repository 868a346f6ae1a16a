"""The live seat map: who sits where, each agent's state and for how long, the seats out
of order, and the queue waiting."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from postdesk.calls.models import AgentState
from postdesk.calls.selectors import is_supervisor, wallboard
from postdesk.core.errors import NotFound, PermissionDenied
from postdesk.org.models import Role, User
from postdesk.org.selectors import scope_for
from postdesk.workforce.models import FloorPlan, InternalReport, Seat
from postdesk.workforce.selectors.reports import seats_out_of_order


@dataclass(frozen=True)
class SeatCell:
    seat: Seat
    state: str
    state_label: str
    reason: str
    since: datetime | None
    seconds: float
    fault: InternalReport | None


@dataclass(frozen=True)
class SeatMap:
    plan: FloorPlan
    grid: list[list[SeatCell | None]]
    waiting: int
    longest_wait_seconds: float | None
    by_state: dict[str, int]
    now: datetime


def floor_plans(*, user: User) -> list[FloorPlan]:
    if not (is_supervisor(user=user) or user.role == Role.ADMIN):
        return []
    scope = scope_for(user=user)
    plans = FloorPlan.objects.select_related("unit").order_by("id")
    if scope.everything:
        return list(plans)
    return [p for p in plans if scope.allows_unit(p.unit_id)]


def floor_plan_get(*, user: User, plan_id: int | None) -> FloorPlan:
    plans = floor_plans(user=user)
    if not is_supervisor(user=user):
        raise PermissionDenied()
    for plan in plans:
        if plan_id is None or plan.pk == plan_id:
            return plan
    raise NotFound()


def seat_map(*, user: User, plan: FloorPlan) -> SeatMap:
    """The grid of one floor plan with each occupant's current state (supervisors)."""
    if not is_supervisor(user=user):
        raise PermissionDenied()
    now = timezone.now()
    seats = list(plan.seats.select_related("occupant"))
    occupants = [s.occupant_id for s in seats if s.occupant_id]
    states = {a.user_id: a for a in AgentState.objects.filter(user_id__in=occupants)}
    faults = seats_out_of_order()
    labels = dict(AgentState.State.choices)
    reasons = dict(AgentState.Reason.choices)
    grid: list[list[SeatCell | None]] = [[None] * plan.cols for _ in range(plan.rows)]
    by_state: dict[str, int] = {s: 0 for s in AgentState.State.values}
    for seat in seats:
        if seat.row >= plan.rows or seat.col >= plan.cols:
            continue
        agent = states.get(seat.occupant_id) if seat.occupant_id else None
        state = agent.state if agent else ("logged_out" if seat.occupant_id else "")
        if state:
            by_state[state] += 1
        grid[seat.row][seat.col] = SeatCell(
            seat=seat,
            state=state,
            state_label=str(labels.get(state, "")) if state else "",
            reason=str(reasons.get(agent.reason, "")) if agent and agent.reason else "",
            since=agent.since if agent else None,
            seconds=max((now - agent.since).total_seconds(), 0.0) if agent else 0.0,
            fault=faults.get(seat.pk),
        )
    board = wallboard(user=user)
    return SeatMap(
        plan=plan,
        grid=grid,
        waiting=board.waiting,
        longest_wait_seconds=board.longest_wait_seconds,
        by_state=by_state,
        now=now,
    )
