"""Reads of quality inspection, always scoped to what the user may see."""

from __future__ import annotations

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Q, QuerySet

from postdesk.core.errors import NotFound, PermissionDenied
from postdesk.core.periods import Month
from postdesk.org.models import Role, Unit, UnitType, User
from postdesk.org.selectors import scope_for
from postdesk.quality.models import Calibration, Evaluation, Quota, Sample
from postdesk.quality.rules import role_of


def evaluations_visible(*, user: User) -> QuerySet[Evaluation]:
    """Agents: their own; handlers: their unit's branch-reply evaluations; leads and
    directors: those of agents and units in their scope. Calibration rounds are not here."""
    rows = Evaluation.objects.filter(calibration__isnull=True)
    if not user.is_authenticated or not user.is_active:
        return rows.none()
    role = role_of(user)
    scope = scope_for(user=user)
    if role == Role.AGENT:
        return rows.filter(agent=user)
    if role == Role.HANDLER:
        return rows.filter(unit_id__in=scope.unit_ids)
    if scope.everything:
        return rows
    return rows.filter(
        Q(agent__unit_id__in=scope.unit_ids) | Q(unit_id__in=scope.unit_ids) | Q(inspector=user)
    )


def evaluation_get(*, user: User, pk: int) -> Evaluation:
    found = (
        evaluations_visible(user=user)
        .select_related("form", "agent", "unit", "inspector", "call", "work_order")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise NotFound()
    return found


def _avg(values: list[Decimal]) -> Decimal | None:
    if not values:
        return None
    return (sum(values, Decimal(0)) / len(values)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _team_of(units: dict[int, Unit]) -> dict[int, Unit]:
    """For each unit id, its nearest team (itself or an ancestor of type team)."""
    teams: dict[int, Unit] = {}
    for uid, u in units.items():
        ids = [int(x) for x in u.path.strip("/").split("/") if x] or [uid]
        for i in reversed(ids):
            if i in units and units[i].type == UnitType.TEAM:
                teams[uid] = units[i]
                break
    return teams


def scorecards(
    *,
    user: User,
    month: Month,
    agent: str = "",
    unit: str = "",
    team: str = "",
    by_unit: bool = False,
    by_team: bool = False,
) -> list[dict[str, Any]]:
    """The month's scorecards, in league order (best average first), each with evaluated,
    quota, average, per-section averages, fatal fails and last month's average (trend).

    Per agent (the default; a work order's evaluation counts for its first-contact owner),
    per unit (`by_unit`, or `unit` given, or the viewer is a handler: branch-reply
    evaluations by handling unit), or per team (`by_team` or `team` given: the agents'
    evaluations summed up by the agent's team, the nearest org unit of type team at or
    above the agent's unit; the quota is the sum of its agents'). Scoped to the reader."""
    by_team = by_team or bool(team)
    by_unit = not by_team and (by_unit or bool(unit) or role_of(user) == Role.HANDLER)
    kind = "team" if by_team else "unit" if by_unit else "agent"
    rows = evaluations_visible(user=user).select_related("agent", "unit")
    if agent:
        rows = rows.filter(agent__username=agent)
    if by_unit:
        rows = rows.filter(unit__isnull=False)
        if unit:
            rows = rows.filter(unit__code=unit)
    else:
        rows = rows.filter(agent__isnull=False)
    team_of: dict[int, Unit] = {}
    if by_team:
        team_of = _team_of({u.pk: u for u in Unit.objects.all()})
    names: dict[str, str] = {}

    def key_of(agent_user: User | None, unit_row: Unit | None) -> str:
        if kind == "unit":
            if unit_row is None:
                return ""
            names[unit_row.code] = unit_row.name
            return unit_row.code
        if agent_user is None:
            return ""
        if kind == "agent":
            names[agent_user.username] = str(agent_user)
            return agent_user.username
        t = team_of.get(agent_user.unit_id) if agent_user.unit_id else None
        if t is None:
            return ""
        names[t.code] = t.name
        return t.code

    def group(qs: QuerySet[Evaluation]) -> dict[str, list[Evaluation]]:
        groups: dict[str, list[Evaluation]] = defaultdict(list)
        for e in qs:
            key = key_of(e.agent, e.unit)
            if key and (not team or key == team):
                groups[key].append(e)
        return groups

    now = group(rows.filter(month=month.first_day))
    try:
        before = group(rows.filter(month=month.previous().first_day))
    except ValueError:  # the calendar's first month has no month before it
        before = {}
    quotas: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for q in Quota.objects.filter(month=month.first_day).select_related("agent", "unit"):
        key = key_of(q.agent, None) if kind != "unit" else key_of(None, q.unit)
        if key:
            quotas[key][0] += q.calls
            quotas[key][1] += q.work_orders
    results = []
    for key in sorted(now):
        evals = now[key]
        sections: dict[str, list[Decimal]] = defaultdict(list)
        for e in evals:
            for s in e.section_scores:
                if s["score"] is not None:
                    sections[s["title"]].append(Decimal(str(s["score"])))
        previous = _avg([e.score for e in before.get(key, [])])
        average = _avg([e.score for e in evals])
        calls_q, orders_q = quotas.get(key, [0, 0])
        results.append(
            {
                kind: key,
                "name": names.get(key, ""),
                "evaluated": len(evals),
                "evaluated_calls": sum(1 for e in evals if e.call_id),
                "evaluated_work_orders": sum(1 for e in evals if e.work_order_id),
                "quota": calls_q + orders_q,
                "average": average,
                "previous_average": previous,
                "trend": (average - previous)
                if average is not None and previous is not None
                else None,
                "fatal_failed": sum(1 for e in evals if e.fatal_failed),
                "sections": [{"title": t, "average": _avg(v)} for t, v in sections.items()],
            }
        )
    results.sort(key=lambda r: (-Decimal(str(r["average"] or 0)), str(r[kind])))
    return results


def agent_scorecards(*, user: User, month: Month, agent: str = "") -> list[dict[str, Any]]:
    """Per agent for the month, league order (for the month report and the league table)."""
    return scorecards(user=user, month=month, agent=agent)


def unit_scorecards(*, user: User, month: Month, unit: str = "") -> list[dict[str, Any]]:
    """Per handling unit (branch replies) for the month, league order."""
    return scorecards(user=user, month=month, unit=unit, by_unit=True)


def team_scorecards(*, user: User, month: Month, team: str = "") -> list[dict[str, Any]]:
    """Per team (agents' evaluations by their team) for the month, league order."""
    return scorecards(user=user, month=month, team=team, by_team=True)


def calibration_get(*, user: User, pk: int) -> Calibration:
    from postdesk.quality.rules import can_inspect

    if not can_inspect(user):
        raise PermissionDenied()
    found = Calibration.objects.filter(pk=pk).select_related("form").first()
    if found is None:
        raise NotFound()
    return found


def samples_for(*, user: User, month: Month) -> list[Sample]:
    """The samples assigned to this inspector for the month, not yet evaluated first."""
    return list(
        Sample.objects.filter(month=month.first_day, inspector=user)
        .select_related("agent", "unit", "work_order", "inspector", "call")
        .order_by("evaluation_id", "id")
    )
