"""Delivery KPIs (上网率 online rate, 及时率 timely rate): the reference rules.

Pure module, no Django, no database: the oracle that the SQL in ``refresh.py`` (the
precomputed ``Attempt`` rows) and ``selectors.py`` (the month's figures) is tested
against. The definitions are fixed by the issue:

* An *attempt* is each OUT_FOR_DELIVERY event of an item at an office. The first
  result (DELIVERED or DELIVERY_FAILED) of that item at that office after it, and
  before that item's next OUT_FOR_DELIVERY there, closes it. A result that closes no
  attempt is an attempt of its own.
* An attempt belongs to the office and the local date of its OUT_FOR_DELIVERY (of the
  result, for a result-only attempt).
* Online: the closing result's ``recorded_at`` <= the report's as-of time.
* Timely: the closing result's ``recorded_at`` <= its deadline: the cut-off (20:00)
  local time on the date of the result's ``event_time`` or, when the result happened
  after that cut-off, the result's ``event_time`` + grace (2 hours). A result recorded
  after the as-of time is not known to the report, so it is neither online nor timely.

Ordering inside one item at one office: by event time; at the same instant an
OUT_FOR_DELIVERY comes before a result ("after it" includes the same instant), and
DELIVERED before DELIVERY_FAILED.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from postdesk.tracking.codes import DELIVERED, DELIVERY_FAILED, OUT_FOR_DELIVERY, RESULT_CODES

SHANGHAI = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class KpiConfig:
    cutoff: time = time(20, 0)
    grace: timedelta = timedelta(hours=2)
    tz: ZoneInfo = SHANGHAI
    online_target: float = 0.98
    timely_target: float = 0.96


DEFAULT_CONFIG = KpiConfig()


@dataclass(frozen=True)
class Event:
    waybill_no: str
    code: str
    event_time: datetime
    office_code: str
    recorded_at: datetime
    operator: str = ""
    reason: str = ""

    def __post_init__(self) -> None:
        if self.event_time.tzinfo is None or self.recorded_at.tzinfo is None:
            raise ValueError("event times must be timezone-aware")


@dataclass(frozen=True)
class Attempt:
    waybill_no: str
    office_code: str
    day: date
    ofd: Event | None
    result: Event | None
    deadline: datetime | None = field(default=None)

    @property
    def operator(self) -> str:
        """The courier: who took it out for delivery (for a result-only attempt, who
        recorded the result)."""
        if self.ofd is not None:
            return self.ofd.operator
        return self.result.operator if self.result is not None else ""

    def online(self, as_of: datetime) -> bool:
        return self.result is not None and self.result.recorded_at <= as_of

    def timely(self, as_of: datetime) -> bool:
        return (
            self.result is not None
            and self.deadline is not None
            and self.result.recorded_at <= self.deadline
            and self.result.recorded_at <= as_of
        )


def result_deadline(event_time: datetime, config: KpiConfig = DEFAULT_CONFIG) -> datetime:
    """When a result that happened at ``event_time`` must be online to be timely."""
    local = event_time.astimezone(config.tz)
    cutoff = datetime.combine(local.date(), config.cutoff, tzinfo=config.tz)
    if local > cutoff:
        return event_time + config.grace
    return cutoff


def chase_after(ofd_time: datetime, config: KpiConfig = DEFAULT_CONFIG) -> datetime:
    """From when an attempt out for delivery at ``ofd_time`` with no result is chased:
    the same deadline as a result at that instant would have."""
    return result_deadline(ofd_time, config)


def _order_key(e: Event) -> tuple[datetime, int, str]:
    return (e.event_time, 0 if e.code == OUT_FOR_DELIVERY else 1, e.code)


def pair_attempts(events: Iterable[Event], config: KpiConfig = DEFAULT_CONFIG) -> list[Attempt]:
    """All attempts in ``events`` (any mix of items and offices)."""
    groups: dict[tuple[str, str], list[Event]] = defaultdict(list)
    for e in events:
        if e.code == OUT_FOR_DELIVERY or e.code in RESULT_CODES:
            groups[(e.waybill_no, e.office_code)].append(e)
    attempts: list[Attempt] = []
    for (waybill, office), group in groups.items():
        group.sort(key=_order_key)
        open_ofd: Event | None = None
        for e in group:
            if e.code == OUT_FOR_DELIVERY:
                if open_ofd is not None:
                    attempts.append(_attempt(waybill, office, open_ofd, None, config))
                open_ofd = e
            elif open_ofd is not None:
                attempts.append(_attempt(waybill, office, open_ofd, e, config))
                open_ofd = None
            else:
                attempts.append(_attempt(waybill, office, None, e, config))
        if open_ofd is not None:
            attempts.append(_attempt(waybill, office, open_ofd, None, config))
    return attempts


def _attempt(
    waybill: str, office: str, ofd: Event | None, result: Event | None, config: KpiConfig
) -> Attempt:
    anchor = ofd if ofd is not None else result
    assert anchor is not None
    return Attempt(
        waybill_no=waybill,
        office_code=office,
        day=anchor.event_time.astimezone(config.tz).date(),
        ofd=ofd,
        result=result,
        deadline=result_deadline(result.event_time, config) if result is not None else None,
    )


@dataclass
class Tally:
    attempts: int = 0
    online: int = 0
    timely: int = 0

    def add(self, attempt: Attempt, as_of: datetime) -> None:
        self.attempts += 1
        self.online += attempt.online(as_of)
        self.timely += attempt.timely(as_of)

    def as_list(self) -> list[int]:
        return [self.attempts, self.online, self.timely]


def rate(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


def month_report(
    events: Iterable[Event],
    *,
    start: date,
    end: date,
    as_of: datetime,
    config: KpiConfig = DEFAULT_CONFIG,
) -> dict[str, object]:
    """The ``delivery_kpi --json`` document of the local days [start, end) (a month: its
    first day and the next month's), computed the slow and obvious way."""
    centre = Tally()
    offices: dict[str, Tally] = defaultdict(Tally)
    daily: dict[str, Tally] = defaultdict(Tally)
    for a in pair_attempts(events, config):
        if not start <= a.day < end:
            continue
        centre.add(a, as_of)
        offices[a.office_code].add(a, as_of)
        daily[f"{a.office_code}|{a.day.isoformat()}"].add(a, as_of)
    return {
        "centre": {
            "attempts": centre.attempts,
            "online": centre.online,
            "timely": centre.timely,
            "online_rate": rate(centre.online, centre.attempts),
            "timely_rate": rate(centre.timely, centre.attempts),
        },
        "offices": {
            k: {"attempts": t.attempts, "online": t.online, "timely": t.timely}
            for k, t in sorted(offices.items())
        },
        "daily": {k: t.as_list() for k, t in sorted(daily.items())},
    }


__all__ = [
    "DELIVERED",
    "DELIVERY_FAILED",
    "OUT_FOR_DELIVERY",
    "Attempt",
    "Event",
    "KpiConfig",
    "chase_after",
    "month_report",
    "pair_attempts",
    "result_deadline",
]
