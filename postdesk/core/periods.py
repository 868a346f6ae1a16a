"""Months, days and instants as users and clients give them: the one parser.

Every view, API operation, selector and command that takes a month (`YYYY-MM`), a day
(`YYYY-MM-DD`) or an instant (ISO 8601) parses it here, so a bad value is the same
clear 400 naming its field everywhere, never a 500. Periods are local days and months
(`Asia/Shanghai`, the project's time zone) as aware datetimes.

The calendar accepted is 1900-01 … 9998-12: every month in it has a following month,
and its local midnights convert to UTC without overflow.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from postdesk.core.errors import ValidationFailed

FIRST_YEAR = 1900
LAST_YEAR = 9998

_MONTH = re.compile(r"(\d{4})-(\d{2})")


def local_midnight(day: date) -> datetime:
    """The aware instant a local day begins."""
    return timezone.make_aware(datetime.combine(day, time.min))


@dataclass(frozen=True, order=True)
class Month:
    year: int
    month: int

    def __post_init__(self) -> None:
        if not (FIRST_YEAR <= self.year <= LAST_YEAR and 1 <= self.month <= 12):
            raise ValueError(f"month out of range: {self.year}-{self.month}")

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @classmethod
    def of(cls, moment: date | datetime) -> Month:
        """The local month of a day or an aware instant."""
        if isinstance(moment, datetime):
            moment = timezone.localtime(moment).date()
        return cls(moment.year, moment.month)

    @classmethod
    def current(cls) -> Month:
        return cls.of(timezone.localdate())

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def next_first_day(self) -> date:
        return date(self.year + (self.month == 12), self.month % 12 + 1, 1)

    @property
    def last_day(self) -> date:
        return self.next_first_day - timedelta(days=1)

    @property
    def start(self) -> datetime:
        """The aware instant the month begins (local midnight of its first day)."""
        return local_midnight(self.first_day)

    @property
    def end(self) -> datetime:
        """The aware instant the next month begins: the month is [start, end)."""
        return local_midnight(self.next_first_day)

    def shift(self, months: int) -> Month:
        """This month moved by `months` (negative: back); ValueError off the calendar."""
        index = self.year * 12 + self.month - 1 + months
        return Month(index // 12, index % 12 + 1)

    def previous(self) -> Month:
        return self.shift(-1)

    def same_month_last_year(self) -> Month:
        return self.shift(-12)


def _invalid(field: str, message: object) -> ValidationFailed:
    return ValidationFailed(fields={field: message})  # type: ignore[dict-item]


def parse_month(value: str | None, *, field: str = "month", default_current: bool = True) -> Month:
    """`"2026-11"` -> Month(2026, 11). Empty -> this month (or a 400 when a month is
    required). Anything else, or a month off the calendar -> 400 naming `field`."""
    text = (value or "").strip()
    if not text:
        if default_current:
            return Month.current()
        raise _invalid(field, _("Give the month as YYYY-MM."))
    match = _MONTH.fullmatch(text)
    if not match:
        raise _invalid(field, _("Give the month as YYYY-MM."))
    try:
        return Month(int(match[1]), int(match[2]))
    except ValueError:
        raise _invalid(field, _("Give a month between 1900-01 and 9998-12.")) from None


def parse_day(value: str | None, *, field: str = "date") -> date:
    """`"2026-11-30"` -> a date on the accepted calendar; else 400 naming `field`."""
    text = (value or "").strip()
    try:
        day = date.fromisoformat(text) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text) else None
    except ValueError:
        day = None
    if day is None:
        raise _invalid(field, _("Enter a date as YYYY-MM-DD."))
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise _invalid(field, _("Give a date between 1900-01-01 and 9998-12-31."))
    return day


def parse_instant(value: str | None, *, field: str = "as_of", default_now: bool = True) -> datetime:
    """An ISO 8601 instant (`2026-11-30T18:00:00+08:00`, `…Z`; without an offset it is
    local time) -> an aware datetime. Empty -> now (or 400 when required)."""
    text = (value or "").strip()
    if not text:
        if default_now:
            return timezone.now()
        raise _invalid(field, _("Enter a valid date and time."))
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
        if timezone.is_naive(parsed):
            parsed = timezone.make_aware(parsed)
        if not FIRST_YEAR <= parsed.year <= LAST_YEAR:
            raise ValueError(parsed.year)
        parsed.astimezone(UTC)  # overflows near the calendar's ends
    except (ValueError, OverflowError):
        raise _invalid(field, _("Enter a valid date and time.")) from None
    return parsed


def month_span(first: Month, last: Month) -> list[Month]:
    """Every month from `first` to `last`, both included (empty when last < first)."""
    months: list[Month] = []
    current = first
    while current <= last:
        months.append(current)
        if current == last:  # (the calendar's last month has no following one)
            break
        current = current.shift(1)
    return months
