"""SLA policies and business calendars as the services use them.

The arithmetic itself is pure (`postdesk.core.businesstime`); this module only finds the
policy for an order and the calendar of a unit, and keeps one `BusinessCalendar` instance
per unit (each keeps a day cache) in a small process-wide cache that notices edits.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import cast

from postdesk.core.businesstime import (
    BusinessCalendar,
    DeadlineRule,
    DeadlineUnit,
    compute_deadline,
)
from postdesk.workorders.models import CalendarException, SlaPolicy, WorkCalendar

CACHE_SECONDS = 30.0

#: (type, dispatch, accept, feedback, reply, warn minutes) — the defaults of the issue;
#: `postdesk seed_demo` writes them as SlaPolicy rows so administrators can edit them.
DEFAULT_RULES: dict[str, dict[str, tuple[int, str] | None]] = {
    "query": {"dispatch": None, "accept": None, "feedback": None, "reply": (1, "working_days")},
    "consultation": {
        "dispatch": None,
        "accept": None,
        "feedback": None,
        "reply": (1, "working_days"),
    },
    "complaint": {
        "dispatch": (2, "working_hours"),
        "accept": (4, "working_hours"),
        "feedback": (3, "working_days"),
        "reply": (7, "calendar_days"),
    },
    "suggestion": {
        "dispatch": (1, "working_days"),
        "accept": (1, "working_days"),
        "feedback": (5, "working_days"),
        "reply": (15, "calendar_days"),
    },
    "tracing": {
        "dispatch": (2, "working_hours"),
        "accept": (4, "working_hours"),
        "feedback": (2, "working_days"),
        "reply": (5, "calendar_days"),
    },
    "pickup": {
        "dispatch": (30, "working_minutes"),
        "accept": (30, "working_minutes"),
        "feedback": (4, "working_hours"),
        "reply": None,
    },
    "booking": {"dispatch": None, "accept": None, "feedback": None, "reply": (1, "working_days")},
}
DEFAULT_WARN_MINUTES = 60
DEFAULT_DIRECTOR_AFTER_MINUTES = 240
STAGES = ("dispatch", "accept", "feedback", "reply")


@dataclass(frozen=True)
class Policy:
    dispatch: DeadlineRule | None
    accept: DeadlineRule | None
    feedback: DeadlineRule | None
    reply: DeadlineRule | None
    warn_before: timedelta
    director_after: timedelta

    def rule(self, stage: str) -> DeadlineRule | None:
        rule: DeadlineRule | None = getattr(self, stage)
        return rule


def _rule(amount: int | None, unit: str) -> DeadlineRule | None:
    if amount is None or not unit:
        return None
    return DeadlineRule(amount, cast(DeadlineUnit, unit))


def default_policy(type_: str) -> Policy:
    rules = DEFAULT_RULES[type_]
    return Policy(
        **{
            stage: (DeadlineRule(r[0], cast(DeadlineUnit, r[1])) if (r := rules[stage]) else None)
            for stage in STAGES
        },
        warn_before=timedelta(minutes=DEFAULT_WARN_MINUTES),
        director_after=timedelta(minutes=DEFAULT_DIRECTOR_AFTER_MINUTES),
    )


def _policy_from_row(row: SlaPolicy) -> Policy:
    return Policy(
        dispatch=_rule(row.dispatch_amount, row.dispatch_unit),
        accept=_rule(row.accept_amount, row.accept_unit),
        feedback=_rule(row.feedback_amount, row.feedback_unit),
        reply=_rule(row.reply_amount, row.reply_unit),
        warn_before=timedelta(minutes=row.warn_before_minutes),
        director_after=timedelta(minutes=row.director_after_minutes),
    )


class _Cache:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.loaded_at = -1e9
        self.policies: dict[tuple[str, str, str], Policy] = {}
        self.calendars: dict[int | None, BusinessCalendar] = {}

    def refresh(self, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self.loaded_at < CACHE_SECONDS:
            return
        with self.lock:
            if not force and now - self.loaded_at < CACHE_SECONDS:
                return
            policies = {
                (row.type, row.subtype, row.priority): _policy_from_row(row)
                for row in SlaPolicy.objects.all()
            }
            exceptions: dict[int, tuple[list[date], list[date]]] = {}
            for exc in CalendarException.objects.all():
                holidays, workdays = exceptions.setdefault(exc.calendar_id, ([], []))
                (holidays if exc.kind == CalendarException.Kind.HOLIDAY else workdays).append(
                    exc.day
                )
            calendars: dict[int | None, BusinessCalendar] = {}
            for cal in WorkCalendar.objects.all():
                holidays, workdays = exceptions.get(cal.pk, ([], []))
                hours = {wd: cal.weekday_hours for wd in range(5)}
                weekend = cal.weekend_hours or ("" if not cal.weekends_count else cal.weekday_hours)
                hours.update({5: weekend, 6: weekend})
                calendars[cal.unit_id] = BusinessCalendar.weekly(
                    hours,
                    weekends_count=cal.weekends_count,
                    official_calendar=cal.official_calendar,
                    extra_holidays=holidays,
                    extra_workdays=workdays,
                    name=cal.name,
                )
            self.policies = policies
            self.calendars = calendars
            self.loaded_at = time.monotonic()


_cache = _Cache()
STANDARD = BusinessCalendar.weekly(
    {wd: "08:30-12:00,13:30-17:30" for wd in range(5)}, name="standard"
)


def invalidate() -> None:
    """Forget cached policies and calendars (after an administrator edits them; tests)."""
    _cache.loaded_at = -1e9


def policy_for(*, type: str, subtype: str = "", priority: str = "") -> Policy:
    """The most specific policy: (type, subtype, priority), then without priority, then
    without subtype, then the type alone, then the built-in default."""
    _cache.refresh()
    for key in (
        (type, subtype, priority),
        (type, subtype, ""),
        (type, "", priority),
        (type, "", ""),
    ):
        found = _cache.policies.get(key)
        if found is not None:
            return found
    return default_policy(type)


def calendar_for(*, unit_id: int | None) -> BusinessCalendar:
    """The unit's own calendar, else the default one, else Monday–Friday office hours."""
    _cache.refresh()
    return _cache.calendars.get(unit_id) or _cache.calendars.get(None) or STANDARD


def deadline(
    *, policy: Policy, stage: str, unit_id: int | None, start: datetime
) -> datetime | None:
    rule = policy.rule(stage)
    if rule is None:
        return None
    return compute_deadline(calendar_for(unit_id=unit_id), start, rule)


def shortest_director_after() -> timedelta:
    """The shortest "tell the director" delay of any policy (bounds the watch's query)."""
    _cache.refresh()
    delays = [p.director_after for p in _cache.policies.values()]
    delays += [timedelta(minutes=DEFAULT_DIRECTOR_AFTER_MINUTES)]
    return min(delays)
