"""Reads of quality inspection, always scoped to what the user may see."""

from __future__ import annotations

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Q, QuerySet

from postdesk.core.errors import NotFound
from postdesk.core.periods import Month
from postdesk.org.models import Role, User
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


def scorecards(
    *, user: User, month: Month, agent: str = "", unit: str = "", by_unit: bool = False
) -> list[dict[str, Any]]:
    """Per agent (or per unit when `unit` is given or the viewer is a handler): evaluated,
    quota, average, per-section averages, fatal fails, and last month's average (trend)."""
    by_unit = by_unit or bool(unit) or role_of(user) == Role.HANDLER
    rows = evaluations_visible(user=user).select_related("agent", "unit")
    if agent:
        rows = rows.filter(agent__username=agent)
    if by_unit:
        rows = rows.filter(unit__isnull=False)
        if unit:
            rows = rows.filter(unit__code=unit)
    else:
        rows = rows.filter(agent__isnull=False)

    def group(qs: QuerySet[Evaluation]) -> dict[str, list[Evaluation]]:
        groups: dict[str, list[Evaluation]] = defaultdict(list)
        for e in qs:
            key = (
                (e.unit.code if e.unit else "")
                if by_unit
                else (e.agent.username if e.agent else "")
            )
            groups[key].append(e)
        return groups

    now = group(rows.filter(month=month.first_day))
    before = group(rows.filter(month=month.previous().first_day))
    quotas: dict[str, tuple[int, int]] = {}
    for q in Quota.objects.filter(month=month.first_day).select_related("agent", "unit"):
        key = (q.unit.code if q.unit else "") if by_unit else (q.agent.username if q.agent else "")
        if key:
            quotas[key] = (q.calls, q.work_orders)
    results = []
    for key in sorted(now):
        evals = now[key]
        sections: dict[str, list[Decimal]] = defaultdict(list)
        for e in evals:
            for s in e.section_scores:
                if s["score"] is not None:
                    sections[s["title"]].append(Decimal(str(s["score"])))
        first = evals[0]
        previous = _avg([e.score for e in before.get(key, [])])
        average = _avg([e.score for e in evals])
        calls_q, orders_q = quotas.get(key, (0, 0))
        results.append(
            {
                ("unit" if by_unit else "agent"): key,
                "name": (first.unit.name if first.unit else "")
                if by_unit
                else (str(first.agent) if first.agent else ""),
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
    results.sort(
        key=lambda r: (-Decimal(str(r["average"] or 0)), str(r.get("agent") or r.get("unit")))
    )
    return results


def calibration_get(*, user: User, pk: int) -> Calibration:
    from postdesk.quality.rules import can_inspect

    found = Calibration.objects.filter(pk=pk).select_related("form").first()
    if found is None or not can_inspect(user):
        raise NotFound()
    return found


def samples_for(*, user: User, month: Month) -> list[Sample]:
    """The samples assigned to this inspector for the month, not yet evaluated first."""
    return list(
        Sample.objects.filter(month=month.first_day, inspector=user)
        .select_related("agent", "unit", "work_order", "inspector", "call")
        .order_by("evaluation_id", "id")
    )
