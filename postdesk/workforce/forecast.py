"""The call forecast (pure: no Django, no database).

Offered calls per half hour for the coming days, from the history of past days:

- Each day has a *kind*: its weekday (0 = Monday … 6 = Sunday), ``"holiday"`` for an
  official public holiday, or ``"workday"`` for a weekend day that is an official working
  day (调休) — it is forecast like the average weekday, Monday to Friday.
- **Level**: the mean daily total of each weekday over the ordinary (non-holiday,
  non-调休) days of the history.
- **Trend**: each ordinary day's total divided by its weekday's level gives a ratio; a
  least-squares line through the ratios by date (the trend) scales every forecast day
  (never below 0). With fewer than 14 ordinary days there is no trend (factor 1).
- **Holidays**: a holiday's total is its weekday's level × the trend × the mean ratio of
  the history's holidays (0.5 when the history has none).
- **Intraday pattern**: the share of each half hour in the day's total, per kind, from
  the history's days of that kind (a kind the history lacks borrows: ``"workday"`` the
  Monday–Friday mix, ``"holiday"`` Sunday's).
- forecast(day, slot) = total(day) × share(kind(day), slot); a manual override replaces
  one interval's figure.
- **AHT** per half hour: handle seconds ÷ handled calls of that half hour over the whole
  history; a half hour without handled calls takes the history's overall AHT.
- **Error (MAPE)**: the same method fitted on the history before the last 28 days and
  compared with those 28 days: the mean of |forecast − actual| ÷ actual over the half
  hours (and, separately, the days) whose actual is at least one call.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Final

from postdesk.core.businesstime import official_day_status

SLOTS: Final = 48
DEFAULT_AHT: Final = 180.0
DEFAULT_HOLIDAY_RATIO: Final = 0.5
MIN_TREND_DAYS: Final = 14
BACKTEST_DAYS: Final = 28

DayKind = int | str
KindOf = Callable[[date], DayKind]


@dataclass
class SlotStats:
    """One half hour of history: calls offered, calls handled and their handle seconds."""

    offered: int = 0
    handled: int = 0
    handle_seconds: float = 0.0


@dataclass(frozen=True)
class History:
    """Past days, each with its 48 half hours (a day with no calls is all zeros: it
    still counts, unlike a day outside the range)."""

    first: date
    last: date
    slots: Mapping[tuple[date, int], SlotStats] = field(default_factory=dict)

    def days(self) -> list[date]:
        if self.last < self.first:
            return []
        return [self.first + timedelta(days=i) for i in range((self.last - self.first).days + 1)]

    def offered(self, day: date, slot: int) -> int:
        stats = self.slots.get((day, slot))
        return stats.offered if stats is not None else 0

    def total(self, day: date) -> int:
        return sum(self.offered(day, slot) for slot in range(SLOTS))

    def before(self, day: date) -> History:
        return History(self.first, min(self.last, day - timedelta(days=1)), self.slots)


@dataclass(frozen=True)
class Model:
    level: dict[int, float]
    share: dict[DayKind, list[float]]
    trend_a: float
    trend_b: float
    origin: date
    holiday_ratio: float
    aht: list[float]

    def trend(self, day: date) -> float:
        return max(self.trend_a + self.trend_b * (day - self.origin).days, 0.0)

    def total(self, day: date, kind: DayKind) -> float:
        if kind == "workday":
            base = sum(self.level.get(w, 0.0) for w in range(5)) / 5
        else:
            base = self.level.get(day.weekday(), 0.0)
        if kind == "holiday":
            base *= self.holiday_ratio
        return base * self.trend(day)

    def day(self, day: date, kind: DayKind) -> list[float]:
        total = self.total(day, kind)
        return [total * share for share in self._share(kind)]

    def _share(self, kind: DayKind) -> list[float]:
        if kind in self.share:
            return self.share[kind]
        if kind == "workday":
            return _mix([self.share[w] for w in range(5) if w in self.share])
        if kind == "holiday" and 6 in self.share:
            return self.share[6]
        return _mix(list(self.share.values()))


def day_kind(day: date) -> DayKind:
    """The kind of a day by the official calendar `core.businesstime` uses for SLAs."""
    status = official_day_status(day)
    if status == "holiday":
        return "holiday"
    if status == "workday" and day.weekday() >= 5:
        return "workday"
    return day.weekday()


def _mix(shares: list[list[float]]) -> list[float]:
    if not shares:
        return [1.0 / SLOTS] * SLOTS
    return [sum(s[i] for s in shares) / len(shares) for i in range(SLOTS)]


def _least_squares(points: list[tuple[float, float]]) -> tuple[float, float]:
    n = len(points)
    mean_x = sum(x for x, _ in points) / n
    mean_y = sum(y for _, y in points) / n
    sxx = sum((x - mean_x) ** 2 for x, _ in points)
    if sxx == 0:
        return mean_y, 0.0
    b = sum((x - mean_x) * (y - mean_y) for x, y in points) / sxx
    return mean_y - b * mean_x, b


def fit(history: History, kind_of: KindOf) -> Model:
    """Fit the method above to a history."""
    days = history.days()
    kinds = {d: kind_of(d) for d in days}
    totals = {d: history.total(d) for d in days}
    by_weekday: dict[int, list[int]] = defaultdict(list)
    for d in days:
        if isinstance(kinds[d], int):
            by_weekday[d.weekday()].append(totals[d])
    level = {w: sum(v) / len(v) for w, v in by_weekday.items() if v}

    slot_sums: dict[DayKind, list[float]] = defaultdict(lambda: [0.0] * SLOTS)
    for d in days:
        row = slot_sums[kinds[d]]
        for slot in range(SLOTS):
            row[slot] += history.offered(d, slot)
    share: dict[DayKind, list[float]] = {}
    for kind, row in slot_sums.items():
        whole = sum(row)
        if whole > 0:
            share[kind] = [v / whole for v in row]

    origin = days[0] if days else history.first
    ratios = [
        ((d - origin).days, totals[d] / level[d.weekday()])
        for d in days
        if isinstance(kinds[d], int) and level.get(d.weekday(), 0) > 0
    ]
    trend_a, trend_b = (1.0, 0.0)
    if len(ratios) >= MIN_TREND_DAYS:
        trend_a, trend_b = _least_squares([(float(x), y) for x, y in ratios])
    holiday_ratios = [
        totals[d] / level[d.weekday()]
        for d in days
        if kinds[d] == "holiday" and level.get(d.weekday(), 0) > 0
    ]
    holiday_ratio = (
        sum(holiday_ratios) / len(holiday_ratios) if holiday_ratios else DEFAULT_HOLIDAY_RATIO
    )
    return Model(
        level=level,
        share=share,
        trend_a=trend_a,
        trend_b=trend_b,
        origin=origin,
        holiday_ratio=holiday_ratio,
        aht=aht_per_slot(history),
    )


def aht_per_slot(history: History) -> list[float]:
    handled = [0] * SLOTS
    seconds = [0.0] * SLOTS
    for (day, slot), stats in history.slots.items():
        if history.first <= day <= history.last and 0 <= slot < SLOTS:
            handled[slot] += stats.handled
            seconds[slot] += stats.handle_seconds
    overall = sum(seconds) / sum(handled) if sum(handled) else DEFAULT_AHT
    return [seconds[i] / handled[i] if handled[i] else overall for i in range(SLOTS)]


@dataclass(frozen=True)
class Interval:
    day: date
    slot: int
    calls: float
    aht: float
    overridden: bool


@dataclass(frozen=True)
class Accuracy:
    """MAPE of the backtest on the last 28 days (None: no interval to compare)."""

    interval_mape: float | None
    daily_mape: float | None
    days: int


@dataclass(frozen=True)
class Forecast:
    intervals: list[Interval]
    accuracy: Accuracy


def forecast_days(
    model: Model,
    days: Iterable[date],
    kind_of: KindOf,
    overrides: Mapping[tuple[date, int], float] | None = None,
) -> list[Interval]:
    overrides = overrides or {}
    result = []
    for day in days:
        values = model.day(day, kind_of(day))
        for slot in range(SLOTS):
            key = (day, slot)
            if key in overrides:
                result.append(Interval(day, slot, overrides[key], model.aht[slot], True))
            else:
                result.append(Interval(day, slot, values[slot], model.aht[slot], False))
    return result


def _mape(pairs: list[tuple[float, float]]) -> float | None:
    kept = [(f, a) for f, a in pairs if a >= 1]
    if not kept:
        return None
    return sum(abs(f - a) / a for f, a in kept) / len(kept)


def backtest(history: History, kind_of: KindOf, days: int = BACKTEST_DAYS) -> Accuracy:
    """Fit on the history before its last `days` days and compare with those days."""
    all_days = history.days()
    if len(all_days) <= days:
        return Accuracy(None, None, 0)
    tested = all_days[-days:]
    model = fit(history.before(tested[0]), kind_of)
    interval_pairs: list[tuple[float, float]] = []
    daily_pairs: list[tuple[float, float]] = []
    for day in tested:
        values = model.day(day, kind_of(day))
        for slot in range(SLOTS):
            interval_pairs.append((values[slot], float(history.offered(day, slot))))
        daily_pairs.append((sum(values), float(history.total(day))))
    return Accuracy(_mape(interval_pairs), _mape(daily_pairs), len(tested))


def forecast(
    history: History,
    days: Iterable[date],
    kind_of: KindOf,
    overrides: Mapping[tuple[date, int], float] | None = None,
) -> Forecast:
    """The forecast of `days` with its backtest error beside it."""
    model = fit(history, kind_of)
    return Forecast(forecast_days(model, days, kind_of, overrides), backtest(history, kind_of))
