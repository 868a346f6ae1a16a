"""The one parser of months, days and instants (`core.periods`)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from postdesk.core.errors import ValidationFailed
from postdesk.core.periods import Month, month_span, parse_day, parse_instant, parse_month


@pytest.mark.parametrize(
    "text",
    [
        "9999-12",
        "0000-01",
        "1899-12",
        "2026-13",
        "2026-00",
        "2026-1",
        "2026/11",
        "abc",
        "2026-11-01",
        " 2026-11x",
    ],
)
def test_bad_months_are_a_400_naming_the_field(text):
    with pytest.raises(ValidationFailed) as caught:
        parse_month(text, field="period")
    assert set(caught.value.fields) == {"period"}


def test_month_bounds_are_local_midnights():
    m = parse_month("2026-12")
    assert (str(m), m.first_day, m.next_first_day, m.last_day) == (
        "2026-12",
        date(2026, 12, 1),
        date(2027, 1, 1),
        date(2026, 12, 31),
    )
    assert m.start.utcoffset() == timedelta(hours=8)
    assert m.start.isoformat() == "2026-12-01T00:00:00+08:00"
    assert m.end - m.start == timedelta(days=31)


def test_edges_of_the_calendar_have_a_month_after():
    assert parse_month("9998-12").end.year == 9999
    assert parse_month("1900-01").start.year == 1900
    with pytest.raises(ValueError):
        Month(9998, 12).shift(1)


def test_empty_month_is_this_month_unless_required():
    assert parse_month("") == Month.of(timezone.localdate())
    with pytest.raises(ValidationFailed):
        parse_month(None, default_current=False)


def test_shift_previous_and_span():
    m = Month(2026, 1)
    assert str(m.previous()) == "2025-12"
    assert str(m.same_month_last_year()) == "2025-01"
    assert str(m.shift(14)) == "2027-03"
    assert [str(x) for x in month_span(Month(2025, 11), Month(2026, 2))] == [
        "2025-11",
        "2025-12",
        "2026-01",
        "2026-02",
    ]
    assert month_span(Month(2026, 2), Month(2026, 1)) == []
    assert month_span(Month(9998, 11), Month(9998, 12)) == [Month(9998, 11), Month(9998, 12)]


def test_month_of_an_instant_is_the_local_month():
    # 2026-11-30 17:00 UTC is 2026-12-01 01:00 in Shanghai
    instant = datetime(2026, 11, 30, 17, 0, tzinfo=timezone.get_fixed_timezone(0))
    assert str(Month.of(instant)) == "2026-12"


@pytest.mark.parametrize("text", ["", "2026-02-30", "2026-2-3", "0001-01-01", "9999-12-31", "x"])
def test_bad_days(text):
    with pytest.raises(ValidationFailed) as caught:
        parse_day(text, field="from")
    assert set(caught.value.fields) == {"from"}


def test_days_and_instants():
    assert parse_day("2026-02-28") == date(2026, 2, 28)
    aware = parse_instant("2026-11-30T18:00:00Z")
    assert aware.utcoffset() == timedelta(0)
    local = parse_instant("2026-11-30T18:00:00")
    assert local.utcoffset() == timedelta(hours=8)
    assert abs((parse_instant("") - timezone.now()).total_seconds()) < 5


@pytest.mark.parametrize(
    "text", ["0001-01-01T00:00:00", "9999-12-31T23:59:59", "yesterday", "2026-11-31T00:00:00"]
)
def test_bad_instants(text):
    with pytest.raises(ValidationFailed) as caught:
        parse_instant(text)
    assert set(caught.value.fields) == {"as_of"}
