"""The forecast on a synthetic history with a known weekly pattern, a trend and public
holidays (the official calendar of 2026: 端午 19–21 June, 中秋 25–27 September, the 调休
working Sunday 20 September)."""

from __future__ import annotations

import math
from datetime import date, timedelta

import pytest

from postdesk.workforce import forecast as fc

WEEKDAY_TOTALS = [1000, 880, 900, 860, 960, 420, 380]
HOLIDAY_RATIO = 0.3


def weekday_shape() -> list[float]:
    """Calls from 08:00 to 21:00, peaks at 10:00 and 15:00."""
    raw = [0.0] * 48
    for slot in range(16, 42):
        hour = slot / 2
        raw[slot] = math.exp(-((hour - 10) ** 2) / 3) + 0.8 * math.exp(-((hour - 15) ** 2) / 4)
    whole = sum(raw)
    return [v / whole for v in raw]


def weekend_shape() -> list[float]:
    raw = [0.0] * 48
    for slot in range(18, 40):
        raw[slot] = math.exp(-((slot / 2 - 13) ** 2) / 6)
    whole = sum(raw)
    return [v / whole for v in raw]


def synthetic(first: date, last: date, growth_per_week: float = 0.0) -> fc.History:
    slots = {}
    day = first
    while day <= last:
        kind = fc.day_kind(day)
        weeks = (day - first).days / 7
        total = WEEKDAY_TOTALS[day.weekday()] * (1 + growth_per_week * weeks)
        if kind == "holiday":
            total *= HOLIDAY_RATIO
        shape = weekday_shape() if day.weekday() < 5 and kind != "holiday" else weekend_shape()
        for slot, share in enumerate(shape):
            calls = round(total * share)
            if calls:
                aht = 150.0 if slot < 26 else 210.0
                slots[(day, slot)] = fc.SlotStats(calls, calls, calls * aht)
        day += timedelta(days=1)
    return fc.History(first=first, last=last, slots=slots)


FIRST, LAST = date(2026, 6, 1), date(2026, 8, 23)  # 12 weeks, 端午 inside


def by_day(intervals):
    days = {}
    for i in intervals:
        days.setdefault(i.day, []).append(i)
    return days


def test_the_calendar_kinds_used():
    assert fc.day_kind(date(2026, 6, 19)) == "holiday"  # 端午, a Friday
    assert fc.day_kind(date(2026, 9, 20)) == "workday"  # a Sunday worked (调休)
    assert fc.day_kind(date(2026, 9, 14)) == 0
    assert fc.day_kind(date(2026, 9, 19)) == 5


def test_the_weekly_pattern_holidays_and_the_swapped_working_day():
    history = synthetic(FIRST, LAST)
    days = [date(2026, 9, 14) + timedelta(days=i) for i in range(14)]
    result = fc.forecast(history, days, fc.day_kind)
    assert len(result.intervals) == 14 * 48
    daily = {d: sum(i.calls for i in rows) for d, rows in by_day(result.intervals).items()}
    # ordinary days: the weekday's level, shaped like the weekday
    assert daily[date(2026, 9, 14)] == pytest.approx(1000, rel=0.02)  # Monday
    assert daily[date(2026, 9, 15)] == pytest.approx(880, rel=0.02)
    assert daily[date(2026, 9, 19)] == pytest.approx(420, rel=0.02)  # Saturday
    monday = by_day(result.intervals)[date(2026, 9, 14)]
    for interval, share in zip(monday, weekday_shape(), strict=True):
        assert interval.calls == pytest.approx(1000 * share, abs=1.5)
    assert monday[4].calls == pytest.approx(0, abs=1e-9)  # 02:00: nobody calls
    # the 调休 Sunday is forecast as an average weekday, not as a Sunday
    assert daily[date(2026, 9, 20)] == pytest.approx(sum(WEEKDAY_TOTALS[:5]) / 5, rel=0.02)
    sunday = by_day(result.intervals)[date(2026, 9, 20)]
    assert sunday[20].calls > 1.5 * weekend_shape()[20] * 380  # 10:00 like a weekday
    # 中秋: the holiday ratio learned from 端午 (30% of the weekday's level)
    assert daily[date(2026, 9, 25)] == pytest.approx(HOLIDAY_RATIO * 960, rel=0.05)
    assert daily[date(2026, 9, 26)] == pytest.approx(HOLIDAY_RATIO * 420, rel=0.05)
    # the backtest on the history's last four weeks: a known pattern is forecast closely
    assert result.accuracy.days == 28
    assert result.accuracy.daily_mape < 0.02
    assert result.accuracy.interval_mape < 0.10


def test_aht_per_half_hour_from_history():
    model = fc.fit(synthetic(FIRST, LAST), fc.day_kind)
    assert model.aht[20] == pytest.approx(150.0)
    assert model.aht[30] == pytest.approx(210.0)
    # a half hour without handled calls takes the overall AHT
    assert 150 < model.aht[2] < 210


def test_a_trend_is_followed():
    history = synthetic(FIRST, LAST, growth_per_week=0.02)
    monday = date(2026, 9, 14)
    result = fc.forecast(history, [monday], fc.day_kind)
    total = sum(i.calls for i in result.intervals)
    weeks = (monday - FIRST).days / 7
    assert total == pytest.approx(1000 * (1 + 0.02 * weeks), rel=0.03)
    assert total > 1000 * (1 + 0.02 * 11)  # above the last Monday of the history


def test_a_manual_override_replaces_one_interval():
    history = synthetic(FIRST, LAST)
    day = date(2026, 9, 14)
    result = fc.forecast(history, [day], fc.day_kind, overrides={(day, 20): 123.0})
    interval = result.intervals[20]
    assert interval.calls == 123.0 and interval.overridden
    assert not result.intervals[21].overridden


def test_no_history_forecasts_nothing_and_has_no_error_figure():
    empty = fc.History(first=FIRST, last=LAST, slots={})
    result = fc.forecast(empty, [date(2026, 9, 14)], fc.day_kind)
    assert all(i.calls == 0 for i in result.intervals)
    assert all(i.aht == fc.DEFAULT_AHT for i in result.intervals)
    assert result.accuracy.interval_mape is None
