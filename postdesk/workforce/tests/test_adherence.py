"""Adherence's pure definitions (workforce.adherence) on a hand-worked day, the edges
(no shift, no CTI record, a night shift, overlapping shifts, periods past the window)
and properties that hold for any day."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from postdesk.workforce.adherence import (
    Period,
    day_adherence,
    merge,
    on_floor_per_slot,
    staffing_state,
)

TZ = ZoneInfo("Asia/Shanghai")
DAY = datetime(2026, 3, 10, tzinfo=TZ)
WINDOW = (DAY, DAY + timedelta(days=1))


def at(hhmm: str, day: int = 0) -> datetime:
    h, m = hhmm.split(":")
    return DAY + timedelta(days=day, hours=int(h), minutes=int(m))


def p(start: str, end: str, state: str) -> Period:
    return Period(at(start), at(end), state)


def test_a_hand_worked_early_shift():
    """08:00–16:00 scheduled (480 min). Worked out by hand: logged out 10 recorded + 10
    without a record, ready 100 + 80, on a call 120 + 90 + 10, wrap-up 30, break 30;
    working outside the shift 30 before and 20 after."""
    periods = [
        p("07:30", "08:00", "ready"),
        p("08:00", "08:10", "logged_out"),
        p("08:20", "10:00", "ready"),
        p("10:00", "12:00", "on_call"),
        p("12:00", "12:30", "not_ready"),
        p("12:30", "14:00", "on_call"),
        p("14:00", "14:30", "after_call"),
        p("14:30", "15:50", "ready"),
        p("15:50", "16:20", "on_call"),
    ]
    result = day_adherence([(at("08:00"), at("16:00"))], periods, WINDOW)
    assert result.scheduled_minutes == 480
    assert result.scheduled_by_state == {
        "ready": 180, "on_call": 220, "after_call": 30, "break": 30, "logged_out": 20,
    }  # fmt: skip
    assert result.in_adherence_minutes == 430
    assert result.out_of_adherence_minutes == 50
    assert result.outside_schedule_minutes == 50
    assert result.percent == pytest.approx(100 * 430 / 480)


def test_no_shift_means_no_percent_and_all_work_is_outside():
    result = day_adherence([], [p("09:00", "10:00", "on_call"), p("10:00", "10:30", "not_ready")],
                           WINDOW)  # fmt: skip
    assert result.scheduled_minutes == 0
    assert result.percent is None
    assert result.outside_schedule_minutes == 60  # a break outside the shift is not work
    assert result.in_adherence_minutes == 0


def test_no_cti_record_at_all_is_logged_out_for_the_whole_shift():
    result = day_adherence([(at("12:00"), at("20:00"))], [], WINDOW)
    assert result.scheduled_by_state["logged_out"] == 480
    assert result.percent == 0
    assert result.out_of_adherence_minutes == 480


def test_a_night_shift_counts_whole_when_the_window_is_widened():
    shift = (at("16:00"), at("00:30", day=1))
    window = (DAY, at("00:30", day=1))
    periods = [p("16:00", "23:00", "ready"), Period(at("23:00"), at("01:00", day=1), "on_call")]
    result = day_adherence([shift], periods, window)
    assert result.scheduled_minutes == 510
    assert result.in_adherence_minutes == 510
    assert result.outside_schedule_minutes == 0  # the part after the window is not counted
    assert result.percent == 100


def test_overlapping_shifts_count_once_and_periods_are_trimmed_to_the_window():
    shifts = [(at("08:00"), at("16:00")), (at("12:00"), at("20:00"))]
    assert merge(shifts) == [(at("08:00"), at("20:00"))]
    before = Period(at("22:00", day=-1), at("09:00"), "ready")
    result = day_adherence(shifts, [before], WINDOW)
    assert result.scheduled_minutes == 720
    assert result.in_adherence_minutes == 60
    # 00:00–08:00 counts as work outside the shift; 22:00–24:00 the day before does not
    assert result.outside_schedule_minutes == 480


def test_agents_on_the_floor_per_half_hour():
    first = at("08:00")
    one = [p("08:00", "08:45", "ready"), p("08:45", "09:00", "not_ready")]
    two = [p("08:15", "09:00", "on_call"), p("07:00", "08:15", "logged_out")]
    three = [Period(at("07:00"), at("10:00", day=1), "after_call")]
    assert on_floor_per_slot([one, two, three], first, 3) == [2.5, 2.5, 1.0]
    assert on_floor_per_slot([], first, 2) == [0.0, 0.0]


@pytest.mark.parametrize(
    ("on_floor", "required", "state"),
    [(4.9, 5, "under"), (5, 5, "ok"), (6, 5, "ok"), (6.1, 5, "over"), (12, 10, "ok"),
     (12.5, 10, "over"), (0, 0, "ok"), (1, 0, "ok"), (1.5, 0, "over"), (0, 1, "under")],
)  # fmt: skip
def test_under_and_over_staffed(on_floor, required, state):
    assert staffing_state(on_floor, required) == state


STATES = st.sampled_from(["ready", "on_call", "after_call", "not_ready", "logged_out"])


@settings(max_examples=200, deadline=None)
@given(
    shifts=st.lists(st.tuples(st.integers(0, 1440), st.integers(0, 600)), max_size=3),
    periods=st.lists(st.tuples(st.integers(-120, 1500), st.integers(1, 600), STATES),
                     max_size=8),
)  # fmt: skip
def test_the_minutes_always_add_up(shifts, periods):
    spans = [(DAY + timedelta(minutes=s), DAY + timedelta(minutes=s + n)) for s, n in shifts]
    # the CTI's periods of one agent never overlap: lay them end to end from each start
    ordered, cursor = [], DAY - timedelta(hours=3)
    for start, length, state in sorted(periods):
        begin = max(DAY + timedelta(minutes=start), cursor)
        ordered.append(Period(begin, begin + timedelta(minutes=length), state))
        cursor = begin + timedelta(minutes=length)
    window = (DAY, DAY + timedelta(days=1, hours=11))
    r = day_adherence(spans, ordered, window)
    assert sum(r.scheduled_by_state.values()) == pytest.approx(r.scheduled_minutes, abs=0.3)
    assert r.in_adherence_minutes + r.out_of_adherence_minutes == pytest.approx(
        r.scheduled_minutes, abs=0.2
    )
    assert r.outside_schedule_minutes >= 0
    if r.percent is not None:
        assert 0 <= r.percent <= 100
