"""The call history by half hour, the forecast of the next days, and the staff each
half hour requires (Erlang C), always through the reader's scope of calls."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import (
    Case,
    Count,
    F,
    FloatField,
    Func,
    IntegerField,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from postdesk.calls.models import Call
from postdesk.calls.selectors import calls_visible, is_supervisor
from postdesk.core.errors import PermissionDenied
from postdesk.org.models import Unit, User
from postdesk.org.selectors import scope_for
from postdesk.workforce import forecast as fc
from postdesk.workforce.erlang import Staffing
from postdesk.workforce.models import CallTally, ForecastOverride, TalliedDay
from postdesk.workforce.staffing import staffing_for

LOCAL_TZ = ZoneInfo(settings.TIME_ZONE)
HISTORY_WEEKS = 12
SLOT_SECONDS = 1800


class EpochSlot(Func):
    """⌊(seconds since 1970 + offset) ÷ 1800⌋ of a datetime column: the absolute local
    half hour, computed by the database (one expression; each vendor's epoch function)."""

    output_field = IntegerField()
    epoch_sql = {
        "postgresql": "FLOOR(EXTRACT(EPOCH FROM {column}))::bigint",
        "sqlite": "CAST(strftime('%%s', {column}) AS INTEGER)",
    }
    #: SQLite 3.38+ has unixepoch(), about a quarter faster than strftime('%s')
    if sqlite3.sqlite_version_info >= (3, 38):
        epoch_sql["sqlite"] = "unixepoch({column})"

    def __init__(self, expression: Any, offset_seconds: int) -> None:
        super().__init__(expression)
        self.offset_seconds = int(offset_seconds)

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> Any:  # type: ignore[override]
        column, params = compiler.compile(self.source_expressions[0])
        epoch = self.epoch_sql[connection.vendor].format(column=column)
        return f"(({epoch} + {self.offset_seconds}) / 1800)", params


def _offset(day: date) -> int:
    """The zone's UTC offset in seconds (Asia/Shanghai: +8 h, without daylight saving)."""
    moment = datetime.combine(day, time(12), tzinfo=LOCAL_TZ)
    offset = moment.utcoffset()
    return int(offset.total_seconds()) if offset is not None else 0


def scope_unit() -> Case:
    """The unit a call is scoped by, as `calls_visible` scopes supervisors' reads: the
    answering agent's unit, else the unit whose queue took the call."""
    return Case(
        When(agent__isnull=False, then=F("agent__unit_id")),
        default=F("unit_id"),
        output_field=IntegerField(),
    )


def inbound_by_slot(
    calls: QuerySet[Call], *, first: date, last: date, by_unit: bool = False
) -> QuerySet[Any, dict[str, Any]]:
    """Inbound `calls` of the local days `first`..`last` per absolute local half hour
    (`slot`; and per `scope_unit` with `by_unit`): offered, handled, handle seconds —
    one GROUP BY on the database, read by the forecast and by the tallies."""
    start = datetime.combine(first, time.min, tzinfo=LOCAL_TZ)
    end = datetime.combine(last + timedelta(days=1), time.min, tzinfo=LOCAL_TZ)
    keys = ("slot", "scope_unit") if by_unit else ("slot",)
    rows = calls.filter(direction=Call.Direction.IN, started_at__gte=start, started_at__lt=end)
    if by_unit:
        rows = rows.annotate(scope_unit=scope_unit())
    return (
        rows.annotate(slot=EpochSlot(F("started_at"), _offset(first)))
        .values(*keys)
        .order_by()
        .annotate(
            offered=Count("id"),
            handled=Count("id", filter=Q(talk_seconds__isnull=False)),
            handle=Sum(
                Coalesce(F("talk_seconds"), Value(0.0)) + Coalesce(F("acw_seconds"), Value(0.0)),
                filter=Q(talk_seconds__isnull=False),
                output_field=FloatField(),
            ),
        )
    )


def day_slot(absolute: int) -> tuple[date, int]:
    """An absolute local half hour (`EpochSlot`) as (local day, half hour of the day)."""
    return date(1970, 1, 1) + timedelta(days=absolute // fc.SLOTS), absolute % fc.SLOTS


def _runs(days: list[date]) -> list[tuple[date, date]]:
    """Sorted days as runs of consecutive days (first, last)."""
    runs: list[tuple[date, date]] = []
    for day in days:
        if runs and runs[-1][1] + timedelta(days=1) == day:
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs


def call_history(*, user: User, first: date, last: date) -> fc.History:
    """Inbound calls per local day and half hour (offered, handled, handle seconds) in
    the reader's scope. Days already tallied (`TalliedDay`, closed days: the nightly job)
    are read from `CallTally` for supervisors; every other day from the calls themselves
    (`inbound_by_slot`). Both give the same figures (`test_call_tallies.py`)."""
    slots: dict[tuple[date, int], fc.SlotStats] = {}
    tallied: set[date] = set()
    if is_supervisor(user=user):
        tallied = set(
            TalliedDay.objects.filter(day__gte=first, day__lte=last).values_list("day", flat=True)
        )
        tallies = CallTally.objects.filter(day__gte=first, day__lte=last, day__in=tallied)
        scope = scope_for(user=user)
        if not scope.everything:
            tallies = tallies.filter(unit_id__in=scope.unit_ids)
        summed = (
            tallies.values("day", "slot")
            .order_by()
            .annotate(offered=Sum("offered"), handled=Sum("handled"), handle=Sum("handle_seconds"))
        )
        for row in summed if tallied else ():
            slots[(row["day"], row["slot"])] = fc.SlotStats(
                offered=row["offered"], handled=row["handled"], handle_seconds=row["handle"]
            )
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    for run_first, run_last in _runs([d for d in days if d not in tallied]):
        for row in inbound_by_slot(calls_visible(user=user), first=run_first, last=run_last):
            slots[day_slot(int(row["slot"]))] = fc.SlotStats(
                offered=row["offered"], handled=row["handled"], handle_seconds=row["handle"] or 0.0
            )
    return fc.History(first=first, last=last, slots=slots)


@dataclass(frozen=True)
class RequirementRow:
    start: datetime
    day: date
    slot: int
    calls: float
    aht: float
    overridden: bool
    staffing: Staffing


@dataclass(frozen=True)
class Requirement:
    unit: Unit | None
    first: date
    days: int
    rows: list[RequirementRow]
    accuracy: fc.Accuracy
    history_first: date
    history_last: date
    target_sl: float
    target_seconds: float
    shrinkage: float

    def by_day(self) -> dict[date, list[RequirementRow]]:
        days: dict[date, list[RequirementRow]] = {}
        for row in self.rows:
            days.setdefault(row.day, []).append(row)
        return days


def slot_start(day: date, slot: int) -> datetime:
    midnight = datetime.combine(day, time.min, tzinfo=LOCAL_TZ)
    return midnight + timedelta(minutes=30 * slot)


def forecast_overrides(
    *, unit: Unit | None, first: date, last: date
) -> dict[tuple[date, int], float]:
    if unit is None:
        return {}
    rows = ForecastOverride.objects.filter(
        unit=unit,
        start__gte=slot_start(first, 0),
        start__lt=slot_start(last, 0) + timedelta(days=1),
    )
    result = {}
    for row in rows:
        local = timezone.localtime(row.start, LOCAL_TZ)
        result[(local.date(), (local.hour * 60 + local.minute) // 30)] = row.calls
    return result


def staffing_requirement(
    *,
    user: User,
    first: date | None = None,
    days: int = 14,
    unit: Unit | None = None,
    target_sl: float = 0.8,
    target_seconds: float = 20.0,
    shrinkage: float = 0.3,
    today: date | None = None,
) -> Requirement:
    """The forecast of `days` days from `first` (tomorrow by default) with its MAPE on the
    last 4 weeks, and the agents each half hour requires (Erlang C, the fixed
    definitions). Team leads, directors and administrators only."""
    if not is_supervisor(user=user):
        raise PermissionDenied()
    staffing_for(calls=0, interval_minutes=30, aht=180, target_sl=target_sl,
                 target_seconds=target_seconds, shrinkage=shrinkage)  # fmt: skip
    today = today or timezone.localtime(timezone.now(), LOCAL_TZ).date()
    first = first or today + timedelta(days=1)
    history_last = min(today - timedelta(days=1), first - timedelta(days=1))
    history_first = history_last - timedelta(days=7 * HISTORY_WEEKS - 1)
    history = call_history(user=user, first=history_first, last=history_last)
    wanted = [first + timedelta(days=i) for i in range(days)]
    overrides = forecast_overrides(unit=unit or user.unit, first=wanted[0], last=wanted[-1])
    result = fc.forecast(history, wanted, fc.day_kind, overrides)
    cache: dict[tuple[float, float], Staffing] = {}
    rows = []
    for interval in result.intervals:
        key = (round(interval.calls, 6), round(interval.aht, 3))
        needed = cache.get(key)
        if needed is None:
            needed = staffing_for(
                calls=max(interval.calls, 0.0),
                interval_minutes=30,
                aht=interval.aht,
                target_sl=target_sl,
                target_seconds=target_seconds,
                shrinkage=shrinkage,
            )
            cache[key] = needed
        rows.append(
            RequirementRow(
                start=slot_start(interval.day, interval.slot),
                day=interval.day,
                slot=interval.slot,
                calls=interval.calls,
                aht=interval.aht,
                overridden=interval.overridden,
                staffing=needed,
            )
        )
    return Requirement(
        unit=unit or user.unit,
        first=first,
        days=days,
        rows=rows,
        accuracy=result.accuracy,
        history_first=history_first,
        history_last=history_last,
        target_sl=target_sl,
        target_seconds=target_seconds,
        shrinkage=shrinkage,
    )
