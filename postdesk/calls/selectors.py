"""Reads of the calls app, always through the reader's scope.

Who sees which calls: an agent sees the calls it took or that rang its extension; team
leads, directors and administrators see the calls of the agents in their scope (the
whole centre for the city centre) and, of the calls nobody answered, those of the queues
their units answer (`CallQueue`; a queue not listed there is the city centre's).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from postdesk.calls import conf
from postdesk.calls.integrations import (
    OpenWorkOrder,
    ParcelLine,
    open_work_orders,
    recent_parcels,
)
from postdesk.calls.metrics import MetricCall, compute_metrics
from postdesk.calls.metrics_sql import metrics_aggregate
from postdesk.calls.models import AgentState, AgentStatePeriod, Call, WrapupCode
from postdesk.core.errors import NotFound, PermissionDenied, ValidationFailed
from postdesk.core.paging import page_start
from postdesk.core.phones import display_phone
from postdesk.core.ttlcache import TTLCache
from postdesk.customers.models import Customer
from postdesk.customers.selectors import CustomerCard, customer_card, customers_by_phone
from postdesk.org.models import Role, User
from postdesk.org.selectors import scope_for

SUPERVISOR_ROLES = frozenset({Role.LEAD, Role.DIRECTOR, Role.ADMIN})
LOCAL_TZ = ZoneInfo(settings.TIME_ZONE)


def is_supervisor(*, user: User) -> bool:
    return user.is_superuser or user.role in SUPERVISOR_ROLES


def calls_visible(*, user: User) -> QuerySet[Call]:
    calls = Call.objects.all()
    if not user.is_authenticated or not user.is_active:
        return calls.none()
    if not is_supervisor(user=user):
        mine = Q(agent=user)
        if user.extension:
            mine |= Q(agent__isnull=True, ringing_extension=user.extension)
        return calls.filter(mine)
    scope = scope_for(user=user)
    if scope.everything:
        return calls
    # answered: the agent's unit; not (yet) answered: the unit answering its queue
    return calls.filter(
        Q(agent__unit_id__in=scope.unit_ids) | Q(agent__isnull=True, unit_id__in=scope.unit_ids)
    )


def call_get(*, user: User, call_pk: int) -> Call:
    call = calls_visible(user=user).select_related("agent", "customer").filter(pk=call_pk).first()
    if call is None:
        raise NotFound()
    return call


def local_day_bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time.min, tzinfo=LOCAL_TZ)
    return start, start + timedelta(days=1)


def today_local() -> date:
    return timezone.now().astimezone(LOCAL_TZ).date()


@dataclass(frozen=True)
class CallFilters:
    day: date | None = None
    direction: str = ""
    outcome: str = ""
    agent: str = ""  # extension
    number: str = ""


def call_filters_parse(raw: Mapping[str, str]) -> CallFilters:
    """The call log's filters from its query string (the page and exports): no day is
    today; a day, direction or outcome that does not parse is a 400 naming it."""
    from postdesk.core.periods import parse_day

    day = parse_day(raw["day"], field="day") if raw.get("day") else today_local()
    direction, outcome = raw.get("direction", ""), raw.get("outcome", "")
    errors: dict[str, str] = {}
    if direction and direction not in Call.Direction.values:
        errors["direction"] = _("Unknown direction.")
    if outcome and outcome != "open" and outcome not in Call.Outcome.values:
        errors["outcome"] = _("Unknown outcome.")
    if errors:
        raise ValidationFailed(fields=errors)
    return CallFilters(
        day=day,
        direction=direction,
        outcome=outcome,
        agent=raw.get("agent", "").strip()[:20],
        number=raw.get("number", "").strip()[:40],
    )


def calls_filtered(*, user: User, filters: CallFilters) -> QuerySet[Call]:
    """The calls of the log's filters in the user's scope."""
    calls = calls_visible(user=user)
    if filters.day is not None:
        start, end = local_day_bounds(filters.day)
        calls = calls.filter(started_at__gte=start, started_at__lt=end)
    if filters.direction:
        calls = calls.filter(direction=filters.direction)
    if filters.outcome:
        calls = calls.filter(outcome=filters.outcome if filters.outcome != "open" else "")
    if filters.agent:
        calls = calls.filter(agent_extension=filters.agent)
    if filters.number:
        from postdesk.core.phones import try_normalize_phone

        number = try_normalize_phone(
            filters.number, default_area_code=settings.POSTDESK_DEFAULT_AREA_CODE
        )
        calls = calls.filter(caller_number=number or filters.number)
    return calls


def calls_list(
    *, user: User, filters: CallFilters, page: int = 1, page_size: int = 50
) -> tuple[int, list[Call]]:
    calls = calls_filtered(user=user, filters=filters)
    total = calls.count()
    start_at = page_start(max(page, 1), page_size)
    rows: list[Call] = list(
        calls.select_related("agent")
        .prefetch_related("work_orders")
        .order_by("-started_at", "-id")[start_at : start_at + page_size]
    )
    _attach_work_orders(rows)
    return total, rows


def _attach_work_orders(rows: list[Call]) -> None:
    """Each call's `work_order_numbers`: the orders opened from it (the work-order app's
    `call_id`, and links recorded with `call_link_work_order`)."""
    numbers: dict[str, set[str]] = {row.call_id: set() for row in rows}
    for row in rows:
        numbers[row.call_id].update(link.work_order_number for link in row.work_orders.all())
    from postdesk.workorders.models import WorkOrder

    if numbers:
        for call_id, number in WorkOrder.objects.filter(call_id__in=list(numbers)).values_list(
            "call_id", "number"
        ):
            numbers[call_id].add(number)
    for row in rows:
        row.work_order_numbers = sorted(numbers[row.call_id])  # type: ignore[attr-defined]


# ----------------------------------------------------------------------- screen pop


@dataclass(frozen=True)
class PopCandidate:
    card: CustomerCard
    recent_calls: list[Call]


@dataclass(frozen=True)
class ScreenPop:
    call: Call
    caller_display: str
    caller_number: str
    candidates: list[PopCandidate]
    unknown: bool
    last_contacts: list[Call]
    work_orders: list[OpenWorkOrder]
    parcels: list[ParcelLine]
    wrapup_codes: list[WrapupCode]
    linked_work_orders: list[str] = field(default_factory=list)


def screen_pop(*, user: User, call: Call) -> ScreenPop:
    """Everything an agent needs before the first word: who is calling (every customer
    with that number), their last contacts, open work orders, recent parcels."""
    raw = call.from_number if call.direction == Call.Direction.IN else call.to_number
    customers: list[Customer] = customers_by_phone(raw=raw, user=user) if raw else []
    number = call.caller_number
    last = (
        list(
            calls_visible(user=user)
            .filter(caller_number=number)
            .exclude(pk=call.pk)
            .select_related("agent")
            .order_by("-started_at")[:5]
        )
        if number
        else []
    )
    by_customer: dict[int, list[Call]] = {}
    if customers:
        for other in (
            Call.objects.filter(customer_id__in=[c.pk for c in customers])
            .exclude(pk=call.pk)
            .order_by("-started_at")[:20]
        ):
            by_customer.setdefault(other.customer_id or 0, []).append(other)
    candidates = [
        PopCandidate(
            card=customer_card(customer=c, full=False), recent_calls=by_customer.get(c.pk, [])[:3]
        )
        for c in customers
    ]
    orders = open_work_orders(
        user=user, numbers=[number] if number else [], customer_ids=[c.pk for c in customers]
    )
    parcels = recent_parcels(user=user, waybills=[o.waybill_no for o in orders])
    linked = list(call.work_orders.values_list("work_order_number", flat=True))
    try:
        from postdesk.workorders.models import WorkOrder

        linked = sorted(
            set(linked)
            | set(WorkOrder.objects.filter(call_id=call.call_id).values_list("number", flat=True))
        )
    except ImportError:
        pass
    return ScreenPop(
        call=call,
        caller_display=display_phone(number) if number else raw,
        caller_number=number or raw,
        candidates=candidates,
        unknown=not customers,
        last_contacts=last,
        work_orders=orders,
        parcels=parcels,
        wrapup_codes=list(WrapupCode.objects.filter(is_active=True)),
        linked_work_orders=linked,
    )


# ---------------------------------------------------------------------- agent state


def agent_state_of(*, user: User) -> AgentState | None:
    return AgentState.objects.select_related("call").filter(user=user).first()


def agent_active_call(*, user: User) -> Call | None:
    """The call the agent is on or wrapping up, else one ringing at its extension."""
    state = agent_state_of(user=user)
    if (
        state is not None
        and state.call_id
        and state.state in (AgentState.State.ON_CALL, AgentState.State.AFTER_CALL)
    ):
        return state.call
    if user.extension:
        since = timezone.now() - timedelta(minutes=10)
        return (
            Call.objects.filter(
                ringing_extension=user.extension,
                answered_at__isnull=True,
                ended_at__isnull=True,
                started_at__gte=since,
            )
            .order_by("-started_at")
            .first()
        )
    return None


def agent_recent_calls(*, user: User, limit: int = 10) -> list[Call]:
    return list(Call.objects.filter(agent=user).order_by("-started_at")[:limit])


def agent_time_in_states(*, user: User, day: date) -> dict[str, float]:
    """Seconds the agent spent in each state on a local day (the open period counts up
    to now)."""
    start, end = local_day_bounds(day)
    totals: dict[str, float] = {s: 0.0 for s in AgentState.State.values}
    for period in AgentStatePeriod.objects.filter(
        user=user, ended_at__gt=start, started_at__lt=end
    ):
        overlap = min(period.ended_at, end) - max(period.started_at, start)
        totals[period.state] += max(overlap.total_seconds(), 0.0)
    current = agent_state_of(user=user)
    if current is not None:
        now = min(timezone.now(), end)
        overlap = now - max(current.since, start)
        totals[current.state] += max(overlap.total_seconds(), 0.0)
    return {k: round(v, 1) for k, v in totals.items()}


# ------------------------------------------------------------------------ wallboard


@dataclass(frozen=True)
class Wallboard:
    waiting: int
    longest_wait_seconds: float | None
    agents_by_state: dict[str, int]
    agents: list[dict[str, Any]]
    today: dict[str, Any]


def wallboard(*, user: User) -> Wallboard:
    if not is_supervisor(user=user):
        raise PermissionDenied()
    now = timezone.now()
    waiting_calls = calls_visible(user=user).filter(
        direction=Call.Direction.IN,
        answered_at__isnull=True,
        ended_at__isnull=True,
        started_at__gte=now - timedelta(hours=2),
    )
    oldest = waiting_calls.order_by("started_at").values_list("started_at", flat=True).first()
    scope = scope_for(user=user)
    states = AgentState.objects.select_related("user").filter(user__is_active=True)
    if not scope.everything:
        states = states.filter(user__unit_id__in=scope.unit_ids)
    by_state: dict[str, int] = {s: 0 for s in AgentState.State.values}
    agents = []
    for row in states.order_by("user__extension"):
        by_state[row.state] += 1
        if row.state != AgentState.State.LOGGED_OUT:
            agents.append(
                {
                    "name": str(row.user),
                    "extension": row.user.extension,
                    "state": row.state,
                    "state_label": row.get_state_display(),
                    "reason": row.get_reason_display() if row.reason else "",
                    "seconds": max((now - row.since).total_seconds(), 0),
                }
            )
    start, end = local_day_bounds(today_local())
    today = call_metrics(user=user, start=start, end=end, breakdowns=False)
    return Wallboard(
        waiting=waiting_calls.count(),
        # a start stamped ahead of our clock (a PBX's clock runs fast) waits 0 s, not less
        longest_wait_seconds=max((now - oldest).total_seconds(), 0.0) if oldest else None,
        agents_by_state=by_state,
        agents=agents,
        today=today,
    )


# -------------------------------------------------------------------------- metrics


def call_metrics(
    *,
    user: User,
    start: datetime,
    end: datetime,
    breakdowns: bool = True,
    service_level_seconds: float | None = None,
    short_abandon_seconds: float | None = None,
) -> dict[str, Any]:
    """The fixed call metrics over the inbound calls in the supervisor's scope that began
    in [start, end)."""
    if not is_supervisor(user=user):
        raise PermissionDenied()
    return _metrics(
        calls_visible(user=user),
        start,
        end,
        breakdowns=breakdowns,
        service_level_seconds=service_level_seconds,
        short_abandon_seconds=short_abandon_seconds,
    )


def call_metrics_centre(*, start: datetime, end: datetime, **options: Any) -> dict[str, Any]:
    """The same metrics over the whole centre's calls, read by no user: the
    `call_metrics` command's (never for a request)."""
    return _metrics(Call.objects.all(), start, end, **options)


def _metrics(
    calls_read: QuerySet[Call],
    start: datetime,
    end: datetime,
    *,
    breakdowns: bool = True,
    service_level_seconds: float | None = None,
    short_abandon_seconds: float | None = None,
) -> dict[str, Any]:
    sl = (
        service_level_seconds if service_level_seconds is not None else conf.service_level_seconds()
    )
    short = (
        short_abandon_seconds if short_abandon_seconds is not None else conf.short_abandon_seconds()
    )
    inbound = calls_read.filter(
        direction=Call.Direction.IN, started_at__gte=start, started_at__lt=end
    )
    if breakdowns:
        result = compute_metrics(
            _metric_calls(inbound),
            tz=LOCAL_TZ,
            service_level_seconds=sl,
            short_abandon_seconds=short,
            breakdowns=True,
        )
    else:  # the same figures counted by the database (Hot paths)
        result = metrics_aggregate(inbound, service_level_seconds=sl, short_abandon_seconds=short)
    result["from"] = start.astimezone(LOCAL_TZ).isoformat()
    result["to"] = end.astimezone(LOCAL_TZ).isoformat()
    return result


def _metric_calls(inbound: QuerySet[Call]) -> Iterator[MetricCall]:
    rows = inbound.values_list(
        "started_at",
        "answered_at",
        "ended_at",
        "wrapup_at",
        "agent_extension",
        "agent__username",
        "queue",
    ).iterator(chunk_size=5000)
    return (
        MetricCall(
            started_at=r[0],
            answered_at=r[1],
            ended_at=r[2],
            wrapup_at=r[3],
            agent_extension=r[4],
            agent_username=r[5] or "",
            queue=r[6],
        )
        for r in rows
    )


def call_metrics_for_days(*, user: User, first: date, last: date, **options: Any) -> dict[str, Any]:
    """`call_metrics` of the local days first … last (both included)."""
    start, _ = local_day_bounds(first)
    _, end = local_day_bounds(last)
    return call_metrics(user=user, start=start, end=end, **options)


def call_metrics_for_days_centre(*, first: date, last: date, **options: Any) -> dict[str, Any]:
    """`call_metrics_centre` of the local days first … last: the command's."""
    start, _ = local_day_bounds(first)
    _, end = local_day_bounds(last)
    return call_metrics_centre(start=start, end=end, **options)


_WRAPUP_LABELS: TTLCache[str, dict[str, str]] = TTLCache(30)


def wrapup_labels() -> dict[str, str]:
    """code -> label of every wrap-up code (reference data; per process for 30 s, so an
    administrator's new label shows within that)."""
    found, labels = _WRAPUP_LABELS.get("all")
    if found and labels is not None:
        return labels
    labels = dict(WrapupCode.objects.values_list("code", "label"))
    _WRAPUP_LABELS.put("all", labels)
    return labels
