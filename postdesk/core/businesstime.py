"""Business calendars and SLA arithmetic (pure: no Django, no database).

Everything here works on *aware* datetimes only; a naive datetime raises ``ValueError``.
Results are returned in the calendar's time zone (``Asia/Shanghai`` by default).
Internally all arithmetic is done in UTC, so the code is also correct in zones with
daylight-saving time (China has had none since 1991, but a calendar may name any zone).

A :class:`BusinessCalendar` says, for every date, which half-open periods
``[start, end)`` of that day are working time. A day is decided in this order:

1. an administrator's *extra holiday* is closed;
2. an administrator's *extra working day* is open;
3. if ``official_calendar`` is on and the ``chinesecalendar`` package covers the year,
   the official calendar decides: a statutory working day (including a weekend day
   swapped to a working day, 调休) is open; a public holiday is closed; an ordinary
   weekend day is open only if ``weekends_count``;
4. otherwise (official calendar off, or a year the package does not cover yet — it raises
   ``NotImplementedError`` for those) the plain week decides: Monday–Friday are open,
   Saturday and Sunday only if ``weekends_count``. Public holidays of an uncovered year are
   therefore *not* known: upgrade ``chinesecalendar`` each year when the State Council
   publishes the next year's holidays (usually in November), or add the days as extra
   holidays. :func:`official_calendar_covers` tells whether a date is covered.

An open day uses the periods declared for its weekday; if that weekday has none (a
swapped-working Saturday of a Monday–Friday calendar declared with empty weekends), the
periods of ``makeup_weekday`` (Monday by default) are used.

Deadline rules (:class:`DeadlineRule`, :func:`compute_deadline`):

* ``calendar_days``: the same wall-clock time N days later in the calendar's zone
  ("reply within 7 calendar days"); holidays are not skipped.
* ``calendar_hours``: N elapsed hours.
* ``working_minutes`` / ``working_hours``: N minutes/hours of working time, counted from
  the start, or from the next working period if the start is outside working time. A
  deadline that exactly fills a period ends at that period's end (12:00, not 13:30).
* ``working_days``: the end of business (the end of the last working period) of the Nth
  working day *after* the day of the start. The start's own day is never counted, even if
  the order arrives at 08:00 on a working day; this follows the Civil Code of the PRC,
  art. 201 (a period counted in days starts on the next day) and art. 203 (a period ends
  when business stops on its last day), which is how "N个工作日内办结" is read in Chinese
  public services. So an order taken on Friday 2026-09-25 (Mid-Autumn holiday) or Monday
  2026-09-28 with a 1-working-day rule is due at 17:30 on 2026-09-28 or 2026-09-29.
  ``working_days`` with amount 0 means the end of the working day on which work could
  first start (the day of :func:`next_working_moment`).

Periods are at minute resolution (``"08:30-12:00"``; ``"24:00"`` is allowed as an end).
A period cannot run across midnight: a night shift is two periods on two days; periods
that end at 24:00 and start at 00:00 join without a gap.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import lru_cache
from typing import Final, Literal, get_args
from zoneinfo import ZoneInfo

import chinese_calendar

__all__ = [
    "CALENDAR_24X7",
    "SHANGHAI",
    "STANDARD_OFFICE",
    "BusinessCalendar",
    "DeadlineRule",
    "DeadlineUnit",
    "Period",
    "add_business_duration",
    "add_calendar_duration",
    "business_duration_between",
    "compute_deadline",
    "ensure_aware",
    "is_working_day",
    "is_working_time",
    "next_working_moment",
    "official_calendar_covers",
    "official_day_status",
    "working_periods_on",
]

SHANGHAI: Final = ZoneInfo("Asia/Shanghai")

#: How far the arithmetic searches for working time before giving up (a calendar with no
#: working period at all would otherwise loop for ever).
MAX_SEARCH_DAYS: Final = 3 * 366

_MINUTES_PER_DAY: Final = 24 * 60
_ONE_DAY: Final = timedelta(days=1)
_ZERO: Final = timedelta(0)
_PERIOD_RE: Final = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


def ensure_aware(value: datetime, name: str = "datetime") -> datetime:
    """Return ``value`` unchanged if it is timezone-aware, else raise ``ValueError``."""
    if not isinstance(value, datetime):
        raise TypeError(f"{name} must be a datetime, not {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(
            f"{name} must be timezone-aware (got naive {value.isoformat()}); "
            "attach a zone such as Asia/Shanghai first"
        )
    return value


# --------------------------------------------------------------------------- periods


@dataclass(frozen=True, order=True, slots=True)
class Period:
    """A working period of one day, as minutes since midnight, half-open ``[start, end)``."""

    start_minute: int
    end_minute: int

    def __post_init__(self) -> None:
        if not (0 <= self.start_minute < self.end_minute <= _MINUTES_PER_DAY):
            raise ValueError(
                f"invalid working period {self.start_minute}-{self.end_minute}: need "
                "0 <= start < end <= 1440 minutes (a period cannot cross midnight)"
            )

    @classmethod
    def parse(cls, text: str) -> Period:
        """Parse ``"08:30-12:00"`` (``"24:00"`` allowed as the end)."""
        match = _PERIOD_RE.match(text)
        if match is None:
            raise ValueError(f"invalid working period {text!r}: expected 'HH:MM-HH:MM'")
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        if m1 >= 60 or m2 >= 60 or h1 > 23 or h2 > 24 or (h2 == 24 and m2 != 0):
            raise ValueError(f"invalid working period {text!r}: not a time of day")
        return cls(h1 * 60 + m1, h2 * 60 + m2)

    @property
    def start(self) -> time:
        return time(self.start_minute // 60, self.start_minute % 60)

    @property
    def duration(self) -> timedelta:
        return timedelta(minutes=self.end_minute - self.start_minute)

    def __str__(self) -> str:
        return (
            f"{self.start_minute // 60:02d}:{self.start_minute % 60:02d}-"
            f"{self.end_minute // 60:02d}:{self.end_minute % 60:02d}"
        )


DayPeriods = tuple[Period, ...]
_Bounds = tuple[tuple[datetime, datetime], ...]  # UTC instants, one pair per period


def _parse_day(spec: str | Iterable[Period | str]) -> DayPeriods:
    """``"08:30-12:00, 13:30-17:30"`` (or an iterable of periods/strings) → sorted periods."""
    items: list[Period] = []
    parts: Iterable[Period | str] = (
        [p for p in re.split(r"[,;\s]+(?=\d)", spec) if p.strip()]
        if isinstance(spec, str)
        else spec
    )
    for part in parts:
        items.append(part if isinstance(part, Period) else Period.parse(part))
    return _validated_day(tuple(items))


def _validated_day(periods: tuple[Period, ...]) -> DayPeriods:
    ordered = tuple(sorted(periods))
    for before, after in itertools.pairwise(ordered):
        if after.start_minute < before.end_minute:
            raise ValueError(f"working periods {before} and {after} overlap")
    return ordered


# --------------------------------------------------------------------------- official data


@lru_cache(maxsize=8192)
def _official_status(day: date) -> Literal["workday", "holiday", "weekend", "unknown"]:
    """What the official Chinese calendar says about ``day`` (cached)."""
    try:
        if chinese_calendar.is_workday(day):
            return "workday"
        on_holiday, holiday_name = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:
        return "unknown"
    if on_holiday and holiday_name is not None:
        return "holiday"
    return "weekend"


def official_day_status(day: date) -> Literal["workday", "holiday", "weekend", "unknown"]:
    """What the official calendar says of ``day``: a working day (a 调休 weekend day
    included), a public holiday, an ordinary weekend day, or unknown (an uncovered year)."""
    return _official_status(day)


def official_calendar_covers(day: date) -> bool:
    """True if the installed ``chinesecalendar`` knows the holidays of ``day``'s year."""
    return _official_status(day) != "unknown"


# --------------------------------------------------------------------------- the calendar


def _frozen_dates(values: Iterable[date]) -> frozenset[date]:
    result = frozenset(values)
    for value in result:
        if isinstance(value, datetime) or not isinstance(value, date):
            raise TypeError(f"calendar exceptions must be dates, got {value!r}")
    return result


@dataclass(frozen=True)
class BusinessCalendar:
    """Working hours per weekday, weekend rule, official Chinese calendar and exceptions.

    Build one with :meth:`weekly` (the usual way) or give ``week`` directly: seven tuples of
    :class:`Period`, Monday first. Instances are immutable and hashable; each keeps a small
    private cache of the days it has resolved, so reuse one instance per unit.
    """

    week: tuple[DayPeriods, ...]
    weekends_count: bool = False
    official_calendar: bool = True
    extra_holidays: frozenset[date] = frozenset()
    extra_workdays: frozenset[date] = frozenset()
    tz: tzinfo = SHANGHAI
    makeup_weekday: int = 0
    name: str = ""
    _cache: dict[date, _Bounds] = field(
        default_factory=dict, init=False, repr=False, compare=False, hash=False
    )

    def __post_init__(self) -> None:
        if len(self.week) != 7:
            raise ValueError("week must have 7 entries, Monday first")
        object.__setattr__(self, "week", tuple(_validated_day(tuple(d)) for d in self.week))
        object.__setattr__(self, "extra_holidays", _frozen_dates(self.extra_holidays))
        object.__setattr__(self, "extra_workdays", _frozen_dates(self.extra_workdays))
        both = self.extra_holidays & self.extra_workdays
        if both:
            days = ", ".join(sorted(d.isoformat() for d in both))
            raise ValueError(f"dates both extra holiday and extra working day: {days}")
        if not 0 <= self.makeup_weekday <= 6:
            raise ValueError("makeup_weekday must be 0 (Monday) .. 6 (Sunday)")
        if not isinstance(self.tz, tzinfo):
            raise TypeError("tz must be a tzinfo such as ZoneInfo('Asia/Shanghai')")

    @classmethod
    def weekly(
        cls,
        hours: str | Mapping[int, str],
        *,
        weekends_count: bool = False,
        official_calendar: bool = True,
        extra_holidays: Iterable[date] = (),
        extra_workdays: Iterable[date] = (),
        tz: tzinfo | str = SHANGHAI,
        makeup_weekday: int = 0,
        name: str = "",
    ) -> BusinessCalendar:
        """Build a calendar from text.

        ``hours`` is either one spec for every day (``"08:30-12:00,13:30-17:30"``) or a
        mapping weekday (0 = Monday) → spec; weekdays missing from the mapping have no
        periods. Periods declared for Saturday/Sunday apply only when the day is open
        (``weekends_count``, an official 调休 working day, or an extra working day).
        """
        if isinstance(hours, str):
            week = tuple(_parse_day(hours) for _ in range(7))
        else:
            unknown = set(hours) - set(range(7))
            if unknown:
                raise ValueError(f"weekday keys must be 0..6, got {sorted(unknown)}")
            week = tuple(_parse_day(hours.get(wd, "")) for wd in range(7))
        return cls(
            week=week,
            weekends_count=weekends_count,
            official_calendar=official_calendar,
            extra_holidays=frozenset(extra_holidays),
            extra_workdays=frozenset(extra_workdays),
            tz=ZoneInfo(tz) if isinstance(tz, str) else tz,
            makeup_weekday=makeup_weekday,
            name=name,
        )

    @classmethod
    def always_open(cls, tz: tzinfo | str = SHANGHAI, name: str = "24x7") -> BusinessCalendar:
        """Every minute of every day, holidays included (the hotline itself)."""
        return cls.weekly(
            "00:00-24:00", weekends_count=True, official_calendar=False, tz=tz, name=name
        )

    def with_exceptions(
        self, *, extra_holidays: Iterable[date] = (), extra_workdays: Iterable[date] = ()
    ) -> BusinessCalendar:
        """A copy with more administrator exceptions (a newer one wins over an older one)."""
        new_holidays = frozenset(extra_holidays)
        new_workdays = frozenset(extra_workdays)
        return BusinessCalendar(
            week=self.week,
            weekends_count=self.weekends_count,
            official_calendar=self.official_calendar,
            extra_holidays=(self.extra_holidays - new_workdays) | new_holidays,
            extra_workdays=(self.extra_workdays - new_holidays) | new_workdays,
            tz=self.tz,
            makeup_weekday=self.makeup_weekday,
            name=self.name,
        )

    # ----------------------------------------------------------------- day resolution

    def is_open_day(self, day: date) -> bool:
        """Whether ``day`` is a working day at all (see the module docstring for the order)."""
        if day in self.extra_holidays:
            return False
        if day in self.extra_workdays:
            return True
        weekend = day.weekday() >= 5
        if self.official_calendar:
            status = _official_status(day)
            if status == "workday":
                return True
            if status == "holiday":
                return False
            if status == "weekend":
                return self.weekends_count
        return self.weekends_count or not weekend

    def periods_on(self, day: date) -> DayPeriods:
        """The working periods of ``day`` (empty on a closed day)."""
        if not self.is_open_day(day):
            return ()
        return self.week[day.weekday()] or self.week[self.makeup_weekday]

    def _bounds(self, day: date) -> _Bounds:
        cached = self._cache.get(day)
        if cached is not None:
            return cached
        result: list[tuple[datetime, datetime]] = []
        midnight = datetime(day.year, day.month, day.day, tzinfo=self.tz)
        for period in self.periods_on(day):
            result.append(
                (
                    _local_minute(midnight, period.start_minute, self.tz),
                    _local_minute(midnight, period.end_minute, self.tz),
                )
            )
        bounds = tuple(result)
        if len(self._cache) > 4096:
            self._cache.clear()
        self._cache[day] = bounds
        return bounds

    def local(self, moment: datetime) -> datetime:
        """``moment`` (aware) expressed in this calendar's zone."""
        return ensure_aware(moment).astimezone(self.tz)


def _local_minute(midnight: datetime, minute: int, tz: tzinfo) -> datetime:
    """Wall-clock ``minute`` of the day of ``midnight`` in ``tz``, as a UTC instant."""
    if minute == _MINUTES_PER_DAY:
        nxt = (midnight.replace(tzinfo=None) + _ONE_DAY).replace(tzinfo=tz)
        return nxt.astimezone(UTC)
    wall = midnight.replace(hour=minute // 60, minute=minute % 60)
    return wall.astimezone(UTC)


#: Monday–Friday 08:30–12:00 and 13:30–17:30, official Chinese calendar, Asia/Shanghai.
STANDARD_OFFICE: Final = BusinessCalendar.weekly(
    "08:30-12:00,13:30-17:30", name="standard office hours"
)
#: Every minute of every day (the hotline floor).
CALENDAR_24X7: Final = BusinessCalendar.always_open()


# --------------------------------------------------------------------------- queries


def _utc(moment: datetime, name: str = "datetime") -> datetime:
    return ensure_aware(moment, name).astimezone(UTC)


def _local_day(calendar: BusinessCalendar, utc_moment: datetime) -> date:
    return utc_moment.astimezone(calendar.tz).date()


def working_periods_on(calendar: BusinessCalendar, day: date) -> list[tuple[datetime, datetime]]:
    """The working periods of ``day`` as aware ``(start, end)`` pairs in the calendar's zone."""
    return [
        (s.astimezone(calendar.tz), e.astimezone(calendar.tz)) for s, e in calendar._bounds(day)
    ]


def is_working_day(calendar: BusinessCalendar, day: date) -> bool:
    """Whether ``day`` has any working period."""
    return bool(calendar.periods_on(day))


def is_working_time(calendar: BusinessCalendar, moment: datetime) -> bool:
    """Whether ``moment`` lies inside a working period (``start <= moment < end``)."""
    t = _utc(moment, "moment")
    return any(s <= t < e for s, e in calendar._bounds(_local_day(calendar, t)))


def next_working_moment(calendar: BusinessCalendar, moment: datetime) -> datetime:
    """``moment`` itself if it is working time, else the start of the next working period."""
    return add_business_duration(calendar, moment, _ZERO)


def add_business_duration(
    calendar: BusinessCalendar, start: datetime, duration: timedelta
) -> datetime:
    """The moment at which ``duration`` of working time after ``start`` has been used up.

    A start outside working time counts from the next working period. A zero duration gives
    :func:`next_working_moment`. Raises ``ValueError`` for a negative duration or if no
    working time is found within ``MAX_SEARCH_DAYS`` days.
    """
    if duration < _ZERO:
        raise ValueError("duration must not be negative")
    t = _utc(start, "start")
    remaining = duration
    day = _local_day(calendar, t)
    for _ in range(MAX_SEARCH_DAYS):
        for period_start, period_end in calendar._bounds(day):
            if period_end <= t:
                continue
            begin = max(t, period_start)
            available = period_end - begin
            if remaining <= available:
                return (begin + remaining).astimezone(calendar.tz)
            remaining -= available
        day += _ONE_DAY
    raise ValueError(
        f"calendar {calendar.name or '(unnamed)'} has not enough working time in the "
        f"{MAX_SEARCH_DAYS} days after {start.isoformat()}"
    )


def business_duration_between(calendar: BusinessCalendar, a: datetime, b: datetime) -> timedelta:
    """Working time between ``a`` and ``b``; negative if ``b`` is before ``a``.

    Useful for "overdue by N working minutes" and for KPI figures measured in working time.
    """
    ua, ub = _utc(a, "a"), _utc(b, "b")
    if ub < ua:
        return -business_duration_between(calendar, b, a)
    total = _ZERO
    day = _local_day(calendar, ua)
    last = _local_day(calendar, ub)
    while day <= last:
        for period_start, period_end in calendar._bounds(day):
            lo = max(ua, period_start)
            hi = min(ub, period_end)
            if hi > lo:
                total += hi - lo
        day += _ONE_DAY
    return total


def add_calendar_duration(
    start: datetime, duration: timedelta, *, tz: tzinfo = SHANGHAI
) -> datetime:
    """``start`` plus ``duration`` of elapsed (calendar) time, expressed in ``tz``."""
    return (_utc(start, "start") + duration).astimezone(tz)


def _end_of_working_day(calendar: BusinessCalendar, day: date) -> datetime:
    bounds = calendar._bounds(day)
    return bounds[-1][1].astimezone(calendar.tz)


def _nth_working_day_after(calendar: BusinessCalendar, day: date, n: int) -> date:
    found = 0
    idle = 0
    while idle < MAX_SEARCH_DAYS:
        day += _ONE_DAY
        if calendar._bounds(day):
            found += 1
            idle = 0
            if found == n:
                return day
        else:
            idle += 1
    raise ValueError(
        f"calendar {calendar.name or '(unnamed)'} has no working day in {MAX_SEARCH_DAYS} days"
    )


# --------------------------------------------------------------------------- deadline rules

DeadlineUnit = Literal[
    "calendar_days", "calendar_hours", "working_days", "working_hours", "working_minutes"
]
DEADLINE_UNITS: Final[tuple[str, ...]] = get_args(DeadlineUnit)
WORKING_UNITS: Final = frozenset({"working_days", "working_hours", "working_minutes"})


@dataclass(frozen=True, slots=True)
class DeadlineRule:
    """One time limit of an SLA policy, e.g. ``DeadlineRule(7, "calendar_days")``."""

    amount: int
    unit: DeadlineUnit

    def __post_init__(self) -> None:
        if isinstance(self.amount, bool) or not isinstance(self.amount, int):
            raise TypeError("amount must be an int")
        if self.amount < 0:
            raise ValueError("amount must not be negative")
        if self.unit not in DEADLINE_UNITS:
            raise ValueError(f"unknown deadline unit {self.unit!r}; use one of {DEADLINE_UNITS}")

    @property
    def uses_working_time(self) -> bool:
        return self.unit in WORKING_UNITS

    def __str__(self) -> str:
        return f"{self.amount} {self.unit.replace('_', ' ')}"


def compute_deadline(calendar: BusinessCalendar, start: datetime, rule: DeadlineRule) -> datetime:
    """The due moment for ``rule`` counted from ``start``, in the calendar's zone.

    See the module docstring for the exact meaning of each unit.
    """
    local = calendar.local(start)
    n = rule.amount
    unit = rule.unit
    if unit == "calendar_days":
        wall = local.replace(tzinfo=None) + timedelta(days=n)
        return wall.replace(tzinfo=calendar.tz).astimezone(UTC).astimezone(calendar.tz)
    if unit == "calendar_hours":
        return add_calendar_duration(local, timedelta(hours=n), tz=calendar.tz)
    if unit == "working_minutes":
        return add_business_duration(calendar, local, timedelta(minutes=n))
    if unit == "working_hours":
        return add_business_duration(calendar, local, timedelta(hours=n))
    # working_days
    if n == 0:
        first = next_working_moment(calendar, local)
        return _end_of_working_day(calendar, first.date())
    return _end_of_working_day(calendar, _nth_working_day_after(calendar, local.date(), n))
