"""Exhaustive core tests for the pure SLA arithmetic (no Django, no database); its
properties over random inputs are in test_businesstime_properties.py.

STANDARD_OFFICE below is Monday–Friday 08:30–12:00 and 13:30–17:30 (lunch 12:00–13:30),
official Chinese calendar, Asia/Shanghai.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import chinese_calendar
import pytest

from postdesk.core import businesstime as bt
from postdesk.core.businesstime import (
    CALENDAR_24X7,
    SHANGHAI,
    STANDARD_OFFICE,
    BusinessCalendar,
    DeadlineRule,
    Period,
    add_business_duration,
    add_calendar_duration,
    business_duration_between,
    compute_deadline,
    is_working_day,
    is_working_time,
    next_working_moment,
    official_calendar_covers,
    working_periods_on,
)
from postdesk.core.tests.python_source import parse as parse_python

OFFICE = STANDARD_OFFICE
H = timedelta(hours=1)
M = timedelta(minutes=1)


def sh(y: int, mo: int, d: int, h: int = 0, mi: int = 0, s: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, s, tzinfo=SHANGHAI)


def add(start: datetime, duration: timedelta, cal: BusinessCalendar = OFFICE) -> datetime:
    return add_business_duration(cal, start, duration)


def weekday(d: date) -> str:
    return d.strftime("%a")


# --------------------------------------------------------------------------- the dates used


def test_the_dates_used_here_are_what_the_tests_assume() -> None:
    assert weekday(date(2026, 3, 13)) == "Fri"
    assert weekday(date(2026, 3, 16)) == "Mon"
    assert weekday(date(2026, 2, 14)) == "Sat"
    assert weekday(date(2026, 10, 10)) == "Sat"
    assert weekday(date(2026, 9, 30)) == "Wed"
    assert weekday(date(2026, 10, 8)) == "Thu"
    assert chinese_calendar.get_holiday_detail(date(2026, 10, 1)) == (True, "National Day")
    assert chinese_calendar.get_holiday_detail(date(2026, 2, 17)) == (True, "Spring Festival")


# --------------------------------------------------------------------------- weekend


def test_deadline_falling_into_a_weekend_moves_to_monday() -> None:
    # Friday 16:30 + 2 working hours: 1 h on Friday, 1 h on Monday from 08:30.
    assert add(sh(2026, 3, 13, 16, 30), 2 * H) == sh(2026, 3, 16, 9, 30)


def test_saturday_and_sunday_are_not_working_time() -> None:
    assert not is_working_time(OFFICE, sh(2026, 3, 14, 10))
    assert not is_working_time(OFFICE, sh(2026, 3, 15, 10))
    assert not is_working_day(OFFICE, date(2026, 3, 14))
    assert next_working_moment(OFFICE, sh(2026, 3, 14, 10)) == sh(2026, 3, 16, 8, 30)


def test_weekends_count_opens_ordinary_weekends_but_not_public_holidays() -> None:
    seven_days = BusinessCalendar.weekly("08:30-17:30", weekends_count=True)
    assert is_working_time(seven_days, sh(2026, 3, 14, 10))  # ordinary Saturday
    assert not is_working_day(seven_days, date(2026, 10, 3))  # National Day on a Saturday
    assert not is_working_day(seven_days, date(2026, 10, 1))


# --------------------------------------------------------------------------- public holidays


def test_deadline_falling_into_national_day_2026_moves_past_the_holiday() -> None:
    # Wed 30 Sep 16:00 + 2 h: 1.5 h that day (16:00-17:30), National Day 1-7 Oct,
    # then 30 min from 08:30 on Thu 8 Oct.
    assert add(sh(2026, 9, 30, 16), 2 * H) == sh(2026, 10, 8, 9)
    for day in range(1, 8):
        assert not is_working_day(OFFICE, date(2026, 10, day)), day
    assert is_working_day(OFFICE, date(2026, 10, 8))


def test_deadline_falling_into_spring_festival_2026_moves_past_the_holiday() -> None:
    # Spring Festival 2026: 15-23 Feb off; Saturday 14 Feb is a swapped working day.
    for day in range(15, 24):
        assert not is_working_day(OFFICE, date(2026, 2, day)), day
    # Saturday 14 Feb 17:00 + 1 h: 30 min that day, then Tue 24 Feb 08:30 + 30 min.
    assert add(sh(2026, 2, 14, 17), H) == sh(2026, 2, 24, 9)
    assert next_working_moment(OFFICE, sh(2026, 2, 17, 10)) == sh(2026, 2, 24, 8, 30)


def test_new_years_day_2026_is_a_holiday() -> None:
    # New Year 2026: 1-3 Jan off, Sunday 4 Jan is a working day.
    assert add(sh(2025, 12, 31, 17), H) == sh(2026, 1, 4, 9)


# --------------------------------------------------------------------------- 调休 days


SWAPPED_WORKING_WEEKEND_DAYS_2026 = {
    date(2026, 1, 4),  # Sunday, after New Year
    date(2026, 2, 14),  # Saturday, before Spring Festival
    date(2026, 2, 28),  # Saturday, after Spring Festival
    date(2026, 5, 9),  # Saturday, after Labour Day
    date(2026, 9, 20),  # Sunday, before Mid-Autumn
    date(2026, 10, 10),  # Saturday, after National Day
}


def test_the_2026_swapped_working_weekend_days_are_exactly_these() -> None:
    weekend_working = {
        date(2026, 1, 1) + timedelta(days=i)
        for i in range(365)
        if (date(2026, 1, 1) + timedelta(days=i)).weekday() >= 5
        and is_working_day(OFFICE, date(2026, 1, 1) + timedelta(days=i))
    }
    assert weekend_working == SWAPPED_WORKING_WEEKEND_DAYS_2026
    for day in SWAPPED_WORKING_WEEKEND_DAYS_2026:
        assert chinese_calendar.is_workday(day)


def test_deadline_on_a_swapped_working_saturday() -> None:
    # Friday 13 Feb 17:00 + 1 h: 30 min on Friday, then Saturday 14 Feb (调休) 08:30 + 30 min.
    assert add(sh(2026, 2, 13, 17), H) == sh(2026, 2, 14, 9)
    # Friday 9 Oct 17:00 + 1 h -> Saturday 10 Oct 09:00.
    assert add(sh(2026, 10, 9, 17), H) == sh(2026, 10, 10, 9)
    assert is_working_time(OFFICE, sh(2026, 10, 10, 14))
    assert not is_working_time(OFFICE, sh(2026, 10, 10, 12, 30))  # lunch applies too


def test_swapped_saturday_uses_makeup_weekday_when_weekend_has_no_periods() -> None:
    cal = BusinessCalendar.weekly(
        {0: "09:00-17:00", 1: "08:30-17:30", 2: "08:30-17:30", 3: "08:30-17:30", 4: "08:30-16:00"}
    )
    assert [str(p) for p in cal.periods_on(date(2026, 2, 14))] == ["09:00-17:00"]
    cal_tue = BusinessCalendar.weekly({1: "10:00-11:00"}, makeup_weekday=1)
    assert [str(p) for p in cal_tue.periods_on(date(2026, 2, 14))] == ["10:00-11:00"]
    assert cal.periods_on(date(2026, 3, 14)) == ()  # an ordinary Saturday stays closed
    assert [str(p) for p in cal.periods_on(date(2026, 3, 13))] == ["08:30-16:00"]


# --------------------------------------------------------------------------- lunch break


def test_deadline_across_the_lunch_break() -> None:
    assert add(sh(2026, 3, 16, 11, 30), H) == sh(2026, 3, 16, 14)
    # a pickup dispatched within 30 working minutes, ordered at 11:45
    assert compute_deadline(
        OFFICE, sh(2026, 3, 16, 11, 45), DeadlineRule(30, "working_minutes")
    ) == sh(2026, 3, 16, 13, 45)


def test_lunch_break_is_not_working_time_and_its_bounds_are_half_open() -> None:
    assert is_working_time(OFFICE, sh(2026, 3, 16, 11, 59, 59))
    assert not is_working_time(OFFICE, sh(2026, 3, 16, 12))
    assert not is_working_time(OFFICE, sh(2026, 3, 16, 13, 29, 59))
    assert is_working_time(OFFICE, sh(2026, 3, 16, 13, 30))
    assert next_working_moment(OFFICE, sh(2026, 3, 16, 12, 10)) == sh(2026, 3, 16, 13, 30)


def test_start_in_the_lunch_break_counts_from_1330() -> None:
    assert add(sh(2026, 3, 16, 12), 30 * M) == sh(2026, 3, 16, 14)


# --------------------------------------------------------------------------- boundaries


def test_start_exactly_at_period_boundaries() -> None:
    monday = (2026, 3, 16)
    assert add(sh(*monday, 8, 30), timedelta(0)) == sh(*monday, 8, 30)
    assert add(sh(*monday, 8, 30), M) == sh(*monday, 8, 31)
    # a deadline that exactly fills the morning ends at 12:00, not at 13:30
    assert add(sh(*monday, 8, 30), timedelta(hours=3, minutes=30)) == sh(*monday, 12)
    assert add(sh(*monday, 8, 30), timedelta(hours=3, minutes=31)) == sh(*monday, 13, 31)
    # the whole working day ends at 17:30 the same day
    assert add(sh(*monday, 8, 30), timedelta(hours=7, minutes=30)) == sh(*monday, 17, 30)
    assert add(sh(*monday, 12), timedelta(0)) == sh(*monday, 13, 30)
    assert add(sh(*monday, 17, 30), M) == sh(2026, 3, 17, 8, 31)
    assert not is_working_time(OFFICE, sh(*monday, 17, 30))
    assert is_working_time(OFFICE, sh(*monday, 8, 30))
    assert not is_working_time(OFFICE, sh(*monday, 8, 29, 59))


def test_start_outside_working_hours_begins_at_the_next_period() -> None:
    assert next_working_moment(OFFICE, sh(2026, 3, 16, 7)) == sh(2026, 3, 16, 8, 30)
    assert add(sh(2026, 3, 16, 7), H) == sh(2026, 3, 16, 9, 30)
    assert add(sh(2026, 3, 16, 18), H) == sh(2026, 3, 17, 9, 30)
    assert add(sh(2026, 3, 13, 19), H) == sh(2026, 3, 16, 9, 30)  # Friday evening
    assert add(sh(2026, 3, 14, 10), H) == sh(2026, 3, 16, 9, 30)  # Saturday


def test_long_durations_span_many_days() -> None:
    # 5 working days of 7.5 h each from Monday 08:30 end on Friday 17:30.
    assert add(sh(2026, 3, 16, 8, 30), 5 * timedelta(hours=7, minutes=30)) == sh(
        2026, 3, 20, 17, 30
    )
    assert add(sh(2026, 3, 16, 8, 30), 5 * timedelta(hours=7, minutes=30) + M) == sh(
        2026, 3, 23, 8, 31
    )


def test_seconds_and_microseconds_are_kept() -> None:
    start = datetime(2026, 3, 16, 11, 59, 30, 250, tzinfo=SHANGHAI)
    assert add(start, M) == datetime(2026, 3, 16, 13, 30, 30, 250, tzinfo=SHANGHAI)


# --------------------------------------------------------------------------- midnight


def test_24x7_across_midnight_and_year_end() -> None:
    assert add(sh(2026, 3, 16, 23, 30), H, CALENDAR_24X7) == sh(2026, 3, 17, 0, 30)
    assert add(sh(2026, 3, 16, 23), H, CALENDAR_24X7) == sh(2026, 3, 17)
    assert add(sh(2026, 12, 31, 23, 30), H, CALENDAR_24X7) == sh(2027, 1, 1, 0, 30)
    assert is_working_time(CALENDAR_24X7, sh(2026, 3, 17))
    assert (
        business_duration_between(CALENDAR_24X7, sh(2026, 3, 16, 23), sh(2026, 3, 17, 1)) == 2 * H
    )


def test_office_start_at_and_just_before_midnight() -> None:
    assert next_working_moment(OFFICE, sh(2026, 3, 17)) == sh(2026, 3, 17, 8, 30)
    assert next_working_moment(OFFICE, sh(2026, 3, 16, 23, 59, 59)) == sh(2026, 3, 17, 8, 30)
    assert add(sh(2026, 3, 16, 23, 59), 30 * M) == sh(2026, 3, 17, 9)


def test_evening_period_ending_at_midnight() -> None:
    late = BusinessCalendar.weekly("08:00-24:00", weekends_count=True, official_calendar=False)
    assert add(sh(2026, 3, 16, 23, 30), 30 * M, late) == sh(2026, 3, 17)  # ends at 24:00
    assert add(sh(2026, 3, 16, 23, 30), H, late) == sh(2026, 3, 17, 8, 30)
    assert not is_working_time(late, sh(2026, 3, 17))
    assert is_working_time(late, sh(2026, 3, 16, 23, 59, 59))
    assert compute_deadline(late, sh(2026, 3, 16, 10), DeadlineRule(1, "working_days")) == sh(
        2026, 3, 18
    )


# --------------------------------------------------------------------------- 24x7


def test_24x7_ignores_weekends_and_holidays() -> None:
    assert add(sh(2026, 10, 1, 10), 8 * H, CALENDAR_24X7) == sh(2026, 10, 1, 18)
    assert add(sh(2026, 2, 17), 48 * H, CALENDAR_24X7) == sh(2026, 2, 19)
    assert is_working_time(CALENDAR_24X7, sh(2026, 3, 14, 3))
    assert next_working_moment(CALENDAR_24X7, sh(2026, 10, 3, 3, 3)) == sh(2026, 10, 3, 3, 3)
    assert compute_deadline(
        CALENDAR_24X7, sh(2026, 10, 1, 10), DeadlineRule(1, "working_days")
    ) == sh(2026, 10, 3)


# --------------------------------------------------------------------------- admin exceptions


def test_administrator_extra_holiday_closes_a_working_day() -> None:
    cal = OFFICE.with_exceptions(extra_holidays=[date(2026, 3, 16)])
    assert add(sh(2026, 3, 13, 16, 30), 2 * H, cal) == sh(2026, 3, 17, 9, 30)
    assert not is_working_day(cal, date(2026, 3, 16))
    assert is_working_day(OFFICE, date(2026, 3, 16))  # the original is unchanged


def test_administrator_extra_workday_opens_a_weekend_or_holiday() -> None:
    cal = OFFICE.with_exceptions(extra_workdays=[date(2026, 3, 15), date(2026, 10, 2)])
    assert add(sh(2026, 3, 13, 16, 30), 2 * H, cal) == sh(2026, 3, 15, 9, 30)  # Sunday
    assert add(sh(2026, 9, 30, 17), H, cal) == sh(2026, 10, 2, 9)  # beats National Day
    assert [str(p) for p in cal.periods_on(date(2026, 3, 15))] == ["08:30-12:00", "13:30-17:30"]


def test_newer_exception_wins_and_conflicts_are_refused() -> None:
    day = date(2026, 3, 16)
    cal = OFFICE.with_exceptions(extra_holidays=[day]).with_exceptions(extra_workdays=[day])
    assert is_working_day(cal, day)
    assert day not in cal.extra_holidays
    with pytest.raises(ValueError, match="both extra holiday and extra working day"):
        BusinessCalendar.weekly("08:30-17:30", extra_holidays=[day], extra_workdays=[day])
    with pytest.raises(TypeError):
        BusinessCalendar.weekly("08:30-17:30", extra_holidays=[sh(2026, 3, 16)])  # type: ignore[list-item]


# --------------------------------------------------------------------------- time zones


def test_utc_and_offset_inputs_are_converted_to_shanghai() -> None:
    # 01:00 UTC is 09:00 in Shanghai (UTC+8, no DST).
    start = datetime(2026, 3, 16, 1, 0, tzinfo=UTC)
    assert is_working_time(OFFICE, start)
    result = add(start, H)
    assert result == sh(2026, 3, 16, 10)
    assert result.tzinfo is SHANGHAI and result.utcoffset() == timedelta(hours=8)
    ist = timezone(timedelta(hours=5, minutes=30))
    assert add(datetime(2026, 3, 16, 6, 30, tzinfo=ist), H) == sh(2026, 3, 16, 10)
    # 23:00 UTC on Sunday is 07:00 Monday in Shanghai: before opening, not the weekend.
    assert next_working_moment(OFFICE, datetime(2026, 3, 15, 23, tzinfo=UTC)) == sh(
        2026, 3, 16, 8, 30
    )
    # 16:30 UTC on Monday is 00:30 Tuesday: a working-day rule counts from Tuesday.
    rule = DeadlineRule(1, "working_days")
    assert compute_deadline(OFFICE, datetime(2026, 3, 16, 16, 30, tzinfo=UTC), rule) == sh(
        2026, 3, 18, 17, 30
    )


def test_shanghai_has_no_dst_in_the_period_we_use() -> None:
    for month in range(1, 13):
        assert sh(2026, month, 1, 12).utcoffset() == timedelta(hours=8)


def test_arithmetic_is_in_real_time_in_a_zone_with_dst() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    cal = BusinessCalendar.always_open(tz="Europe/Berlin")
    start = datetime(2026, 3, 28, 12, tzinfo=berlin)  # CET; clocks go forward on 29 March
    assert add(start, 24 * H, cal) == datetime(2026, 3, 29, 13, tzinfo=berlin)
    day_rule = DeadlineRule(1, "calendar_days")
    assert compute_deadline(cal, start, day_rule) == datetime(2026, 3, 29, 12, tzinfo=berlin)
    assert compute_deadline(cal, start, DeadlineRule(24, "calendar_hours")) == datetime(
        2026, 3, 29, 13, tzinfo=berlin
    )
    # the 23-hour day holds 23 hours of working time
    assert (
        business_duration_between(
            cal, datetime(2026, 3, 29, tzinfo=berlin), datetime(2026, 3, 30, tzinfo=berlin)
        )
        == 23 * H
    )


# --------------------------------------------------------------------------- naive input


@pytest.mark.parametrize(
    "call",
    [
        lambda t: add_business_duration(OFFICE, t, H),
        lambda t: add_calendar_duration(t, H),
        lambda t: business_duration_between(OFFICE, t, sh(2026, 3, 16)),
        lambda t: business_duration_between(OFFICE, sh(2026, 3, 16), t),
        lambda t: is_working_time(OFFICE, t),
        lambda t: next_working_moment(OFFICE, t),
        lambda t: compute_deadline(OFFICE, t, DeadlineRule(7, "calendar_days")),
        lambda t: compute_deadline(OFFICE, t, DeadlineRule(2, "working_days")),
    ],
)
def test_naive_datetimes_are_rejected(call: object) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        call(datetime(2026, 3, 16, 9))  # type: ignore[operator]


def test_a_date_is_not_a_datetime() -> None:
    with pytest.raises(TypeError):
        is_working_time(OFFICE, date(2026, 3, 16))  # type: ignore[arg-type]


# --------------------------------------------------------------------------- deadline rules


def test_complaint_reply_within_7_calendar_days_ignores_holidays() -> None:
    rule = DeadlineRule(7, "calendar_days")
    assert compute_deadline(OFFICE, sh(2026, 9, 30, 16), rule) == sh(2026, 10, 7, 16)
    assert compute_deadline(OFFICE, sh(2026, 3, 14, 3, 15), rule) == sh(2026, 3, 21, 3, 15)


def test_calendar_hours_and_add_calendar_duration() -> None:
    assert compute_deadline(OFFICE, sh(2026, 3, 16, 23), DeadlineRule(2, "calendar_hours")) == sh(
        2026, 3, 17, 1
    )
    result = add_calendar_duration(datetime(2026, 3, 16, 23, tzinfo=UTC), 2 * H)
    assert result == sh(2026, 3, 17, 9) and result.tzinfo is SHANGHAI


def test_working_hours_and_minutes_rules() -> None:
    assert compute_deadline(OFFICE, sh(2026, 3, 16, 16), DeadlineRule(4, "working_hours")) == sh(
        2026, 3, 17, 11
    )
    assert compute_deadline(OFFICE, sh(2026, 3, 16, 17), DeadlineRule(45, "working_minutes")) == sh(
        2026, 3, 17, 8, 45
    )


def test_working_days_is_end_of_business_of_the_nth_working_day_after_the_start_day() -> None:
    rule1, rule2, rule3 = (DeadlineRule(n, "working_days") for n in (1, 2, 3))
    # Monday 08:00 (before opening): Monday itself is not counted.
    assert compute_deadline(OFFICE, sh(2026, 3, 16, 8), rule1) == sh(2026, 3, 17, 17, 30)
    assert compute_deadline(OFFICE, sh(2026, 3, 16, 23, 59), rule1) == sh(2026, 3, 17, 17, 30)
    # Friday -> Monday, over the weekend
    assert compute_deadline(OFFICE, sh(2026, 3, 13, 10), rule1) == sh(2026, 3, 16, 17, 30)
    # taken on a Saturday: the next working day is Monday
    assert compute_deadline(OFFICE, sh(2026, 3, 14, 10), rule1) == sh(2026, 3, 16, 17, 30)
    # over National Day
    assert compute_deadline(OFFICE, sh(2026, 9, 30, 16), rule1) == sh(2026, 10, 8, 17, 30)
    assert compute_deadline(OFFICE, sh(2026, 9, 30, 16), rule2) == sh(2026, 10, 9, 17, 30)
    assert compute_deadline(OFFICE, sh(2026, 9, 30, 16), rule3) == sh(2026, 10, 10, 17, 30)  # 调休
    # Friday 13 Feb: Saturday 14 Feb (调休) is day 1, Spring Festival, Tuesday 24 Feb is day 2
    assert compute_deadline(OFFICE, sh(2026, 2, 13, 10), rule1) == sh(2026, 2, 14, 17, 30)
    assert compute_deadline(OFFICE, sh(2026, 2, 13, 10), rule2) == sh(2026, 2, 24, 17, 30)
    # Mid-Autumn Festival (Friday 25 Sep 2026)
    assert compute_deadline(OFFICE, sh(2026, 9, 25, 10), rule1) == sh(2026, 9, 28, 17, 30)


def test_zero_working_days_is_end_of_the_first_working_day() -> None:
    rule0 = DeadlineRule(0, "working_days")
    assert compute_deadline(OFFICE, sh(2026, 3, 16, 10), rule0) == sh(2026, 3, 16, 17, 30)
    assert compute_deadline(OFFICE, sh(2026, 3, 16, 18), rule0) == sh(2026, 3, 17, 17, 30)
    assert compute_deadline(OFFICE, sh(2026, 3, 14, 10), rule0) == sh(2026, 3, 16, 17, 30)
    assert compute_deadline(OFFICE, sh(2026, 3, 16, 10), DeadlineRule(0, "working_minutes")) == sh(
        2026, 3, 16, 10
    )
    assert compute_deadline(OFFICE, sh(2026, 3, 16, 10), DeadlineRule(0, "calendar_days")) == sh(
        2026, 3, 16, 10
    )


def test_deadline_rule_validation() -> None:
    with pytest.raises(ValueError, match="negative"):
        DeadlineRule(-1, "working_days")
    with pytest.raises(ValueError, match="unknown deadline unit"):
        DeadlineRule(1, "fortnights")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        DeadlineRule(True, "working_days")
    with pytest.raises(TypeError):
        DeadlineRule(1.5, "working_days")  # type: ignore[arg-type]
    assert DeadlineRule(30, "working_minutes").uses_working_time
    assert not DeadlineRule(7, "calendar_days").uses_working_time
    assert str(DeadlineRule(7, "calendar_days")) == "7 calendar days"
    assert set(bt.DEADLINE_UNITS) == {
        "calendar_days",
        "calendar_hours",
        "working_days",
        "working_hours",
        "working_minutes",
    }


# --------------------------------------------------------------------------- official data


def test_uncovered_years_fall_back_to_plain_weekdays() -> None:
    assert official_calendar_covers(date(2026, 10, 1))
    assert not official_calendar_covers(date(2099, 1, 1))
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(date(2099, 1, 1))
    # 1 Jan 2099 is a Thursday: unknown to the package, so an ordinary working day here
    assert is_working_day(OFFICE, date(2099, 1, 1))
    assert not is_working_day(OFFICE, date(2099, 1, 3))  # Saturday
    assert add(sh(2099, 1, 2, 17), H) == sh(2099, 1, 5, 9)  # Friday -> Monday
    # an administrator can still close such a day
    cal = OFFICE.with_exceptions(extra_holidays=[date(2099, 1, 1)])
    assert not is_working_day(cal, date(2099, 1, 1))


def test_official_calendar_can_be_switched_off() -> None:
    plain = BusinessCalendar.weekly("08:30-12:00,13:30-17:30", official_calendar=False)
    assert is_working_day(plain, date(2026, 10, 1))  # Thursday, no holiday known
    assert not is_working_day(plain, date(2026, 10, 10))  # Saturday, no 调休 known


# --------------------------------------------------------------------------- durations


def test_business_duration_between() -> None:
    assert (
        business_duration_between(OFFICE, sh(2026, 3, 13, 16, 30), sh(2026, 3, 16, 9, 30)) == 2 * H
    )
    assert business_duration_between(OFFICE, sh(2026, 3, 16, 11), sh(2026, 3, 16, 14)) == H + 30 * M
    assert business_duration_between(OFFICE, sh(2026, 3, 16, 14), sh(2026, 3, 16, 11)) == -(
        H + 30 * M
    )
    assert business_duration_between(OFFICE, sh(2026, 10, 1), sh(2026, 10, 8)) == timedelta(0)
    assert business_duration_between(OFFICE, sh(2026, 3, 16), sh(2026, 3, 23)) == 5 * timedelta(
        hours=7, minutes=30
    )


def test_negative_duration_and_empty_calendar_are_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        add(sh(2026, 3, 16, 9), -M)
    never = BusinessCalendar(week=((),) * 7)
    with pytest.raises(ValueError, match="not enough working time"):
        add_business_duration(never, sh(2026, 3, 16, 9), M)
    with pytest.raises(ValueError, match="no working day"):
        compute_deadline(never, sh(2026, 3, 16, 9), DeadlineRule(1, "working_days"))


def test_working_periods_on_a_day() -> None:
    assert working_periods_on(OFFICE, date(2026, 3, 16)) == [
        (sh(2026, 3, 16, 8, 30), sh(2026, 3, 16, 12)),
        (sh(2026, 3, 16, 13, 30), sh(2026, 3, 16, 17, 30)),
    ]
    assert working_periods_on(OFFICE, date(2026, 10, 1)) == []
    assert working_periods_on(CALENDAR_24X7, date(2026, 10, 1)) == [
        (sh(2026, 10, 1), sh(2026, 10, 2))
    ]


# --------------------------------------------------------------------------- periods


def test_period_parsing_and_validation() -> None:
    assert Period.parse("08:30-12:00") == Period(510, 720)
    assert Period.parse(" 8:30 - 24:00 ") == Period(510, 1440)
    assert str(Period(510, 1440)) == "08:30-24:00"
    assert Period(510, 720).duration == timedelta(hours=3, minutes=30)
    for bad in ("08:30", "12:00-08:30", "25:00-26:00", "08:60-09:00", "24:30-24:40", "x-y"):
        with pytest.raises(ValueError):
            Period.parse(bad)
    with pytest.raises(ValueError, match="overlap"):
        BusinessCalendar.weekly("08:30-12:00,11:00-13:00")
    with pytest.raises(ValueError, match="7 entries"):
        BusinessCalendar(week=((),))
    with pytest.raises(ValueError, match=r"0\.\.6"):
        BusinessCalendar.weekly({7: "08:30-12:00"})
    cal = BusinessCalendar.weekly("13:30-17:30 08:30-12:00")  # order does not matter
    assert [str(p) for p in cal.periods_on(date(2026, 3, 16))] == ["08:30-12:00", "13:30-17:30"]


def test_calendars_are_hashable_values() -> None:
    a = BusinessCalendar.weekly("08:30-12:00,13:30-17:30", name="standard office hours")
    assert a == STANDARD_OFFICE and hash(a) == hash(STANDARD_OFFICE)
    assert a != a.with_exceptions(extra_holidays=[date(2026, 3, 16)])


# --------------------------------------------------------------------------- purity


def test_module_imports_without_django_settings() -> None:
    source = Path(bt.__file__).read_text(encoding="utf-8")
    imported = {
        (node.module or "") if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(parse_python(source))
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    assert not any(name.startswith(("django", "postdesk")) for name in imported), imported
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    code = (
        "from datetime import datetime; from postdesk.core import businesstime as b;"
        "print(b.compute_deadline(b.STANDARD_OFFICE, datetime(2026,9,30,16,tzinfo=b.SHANGHAI),"
        "b.DeadlineRule(1,'working_days')).isoformat())"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "2026-10-08T17:30:00+08:00"
