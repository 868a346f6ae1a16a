"""Properties of the pure SLA arithmetic over random moments, durations and calendars
(hypothesis); the worked examples are in test_businesstime.py."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from postdesk.core import businesstime as bt
from postdesk.core.businesstime import (
    CALENDAR_24X7,
    STANDARD_OFFICE,
    BusinessCalendar,
    DeadlineRule,
    add_business_duration,
    business_duration_between,
    compute_deadline,
    is_working_time,
    next_working_moment,
    working_periods_on,
)

OFFICE = STANDARD_OFFICE
H = timedelta(hours=1)
M = timedelta(minutes=1)


# --------------------------------------------------------------------------- properties

CALENDARS = [
    OFFICE,
    CALENDAR_24X7,
    BusinessCalendar.weekly(
        {
            0: "09:00-12:00,14:00-18:00",
            2: "08:00-24:00",
            4: "00:00-06:00,22:00-24:00",
            5: "10:00-11:00",
        },
        weekends_count=True,
        extra_holidays=[date(2026, 3, 18), date(2026, 6, 3)],
        extra_workdays=[date(2026, 10, 2), date(2026, 3, 17)],
        name="odd",
    ),
    BusinessCalendar.weekly("08:30-12:00,13:30-17:30", tz="Europe/Berlin", official_calendar=False),
]

BASE = datetime(2025, 6, 1, tzinfo=UTC)
SPAN_SECONDS = int((datetime(2027, 6, 30, tzinfo=UTC) - BASE).total_seconds())
moments = st.integers(0, SPAN_SECONDS).map(lambda s: BASE + timedelta(seconds=s))
durations = st.integers(0, 60 * 60 * 60).map(lambda s: timedelta(seconds=s))
calendars = st.sampled_from(CALENDARS)
rules = st.builds(
    DeadlineRule,
    st.integers(0, 40),
    st.sampled_from(list(bt.DEADLINE_UNITS)),
)


def _in_closed_working_period(cal: BusinessCalendar, t: datetime) -> bool:
    local = t.astimezone(cal.tz)
    days = (local.date() - timedelta(days=1), local.date())
    return any(s <= t <= e for d in days for s, e in working_periods_on(cal, d))


@settings(max_examples=300, deadline=None)
@given(calendars, moments, moments, durations)
def test_later_start_never_gives_an_earlier_result(
    cal: BusinessCalendar, a: datetime, b: datetime, d: timedelta
) -> None:
    early, late = sorted((a, b))
    assert add_business_duration(cal, early, d) <= add_business_duration(cal, late, d)


@settings(max_examples=300, deadline=None)
@given(calendars, moments, moments, rules)
def test_later_start_never_gives_an_earlier_deadline(
    cal: BusinessCalendar, a: datetime, b: datetime, rule: DeadlineRule
) -> None:
    early, late = sorted((a, b))
    assert compute_deadline(cal, early, rule) <= compute_deadline(cal, late, rule)


@settings(max_examples=300, deadline=None)
@given(calendars, moments, rules)
def test_working_deadlines_lie_in_working_time_and_never_before_start(
    cal: BusinessCalendar, start: datetime, rule: DeadlineRule
) -> None:
    due = compute_deadline(cal, start, rule)
    assert due >= start
    assert due.tzinfo is cal.tz
    if rule.uses_working_time:
        assert _in_closed_working_period(cal, due)


@settings(max_examples=300, deadline=None)
@given(calendars, moments, durations)
def test_duration_between_start_and_result_is_the_duration(
    cal: BusinessCalendar, start: datetime, d: timedelta
) -> None:
    end = add_business_duration(cal, start, d)
    assert business_duration_between(cal, start, end) == d
    assert _in_closed_working_period(cal, end)
    if d:
        # the result is the first moment the duration is used up
        assert business_duration_between(cal, start, end - timedelta(microseconds=1)) < d


@settings(max_examples=200, deadline=None)
@given(calendars, moments, durations, durations.filter(bool))
def test_adding_in_two_steps_equals_adding_once(
    cal: BusinessCalendar, start: datetime, d1: timedelta, d2: timedelta
) -> None:
    once = add_business_duration(cal, start, d1 + d2)
    assert add_business_duration(cal, add_business_duration(cal, start, d1), d2) == once


@settings(max_examples=300, deadline=None)
@given(calendars, moments, moments, moments)
def test_duration_between_is_additive(
    cal: BusinessCalendar, a: datetime, b: datetime, c: datetime
) -> None:
    a, b, c = sorted((a, b, c))
    total = business_duration_between(cal, a, c)
    assert total == business_duration_between(cal, a, b) + business_duration_between(cal, b, c)
    assert total <= c - a


@settings(max_examples=300, deadline=None)
@given(calendars, moments)
def test_next_working_moment(cal: BusinessCalendar, t: datetime) -> None:
    nxt = next_working_moment(cal, t)
    assert nxt >= t
    assert is_working_time(cal, nxt)
    assert business_duration_between(cal, t, nxt) == timedelta(0)
    assert is_working_time(cal, t) == (nxt == t)


@settings(max_examples=200, deadline=None)
@given(calendars, moments)
def test_working_days_rule_ends_at_close_of_a_working_day_after_the_start_day(
    cal: BusinessCalendar, start: datetime
) -> None:
    due = compute_deadline(cal, start, DeadlineRule(1, "working_days"))
    local_start = start.astimezone(cal.tz)
    candidates = [
        day
        for day in (due.date(), due.date() - timedelta(days=1))
        if working_periods_on(cal, day) and working_periods_on(cal, day)[-1][1] == due
    ]
    assert candidates, due
    assert candidates[-1] > local_start.date()
