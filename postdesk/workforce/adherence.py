"""Schedule adherence (pure: no Django, no database). Fixed definitions:

- An agent's **scheduled time** on a day is the union of the spans of the shifts rostered
  on that day (a shift past midnight counts whole for the day it starts).
- The CTI's agent states are periods [start, end) of one state each: ready, on a call,
  after-call work (wrap-up), not ready (a break, a meal, training… — shown as *break*),
  logged out. Time the CTI has no period for counts as logged out.
- **Working** states are ready, on a call and after-call work.
- **In adherence** = scheduled minutes spent working; **out of adherence** = scheduled
  minutes not working (break or logged out); **outside the schedule** = minutes working
  outside the scheduled time (within the day's window).
- **Adherence %** = in adherence ÷ scheduled × 100 (none when nothing is scheduled).
- Per half hour: **on the floor** = the mean number of agents working in it (working
  seconds ÷ 1,800); compared with the agents the requirement asks for (Erlang C's N) it
  is **under** when below, **over** when above N + max(1, N ÷ 5), else ok (the roster's
  coverage rule).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Final

WORKING: Final = frozenset({"ready", "on_call", "after_call"})
#: the columns shown, in order: the CTI states, not ready shown as "break"
COLUMNS: Final = ("ready", "on_call", "after_call", "break", "logged_out")
SLOT: Final = timedelta(minutes=30)

Span = tuple[datetime, datetime]


@dataclass(frozen=True, slots=True)
class Period:
    start: datetime
    end: datetime
    state: str  # AgentState.State values


@dataclass(frozen=True)
class DayAdherence:
    scheduled_minutes: float
    in_adherence_minutes: float
    out_of_adherence_minutes: float
    outside_schedule_minutes: float
    #: minutes of the scheduled time in each of COLUMNS
    scheduled_by_state: dict[str, float] = field(default_factory=dict)

    @property
    def percent(self) -> float | None:
        if self.scheduled_minutes <= 0:
            return None
        return 100.0 * self.in_adherence_minutes / self.scheduled_minutes


def merge(spans: Iterable[Span]) -> list[Span]:
    """The union of spans as sorted, disjoint spans (empty ones dropped)."""
    result: list[Span] = []
    for start, end in sorted(s for s in spans if s[1] > s[0]):
        if result and start <= result[-1][1]:
            result[-1] = (result[-1][0], max(result[-1][1], end))
        else:
            result.append((start, end))
    return result


def _overlap(a: Span, b: Span) -> float:
    """Seconds two spans share."""
    return max((min(a[1], b[1]) - max(a[0], b[0])).total_seconds(), 0.0)


def _column(state: str) -> str:
    return "break" if state == "not_ready" else state if state in COLUMNS else "logged_out"


def day_adherence(
    scheduled: Sequence[Span], periods: Sequence[Period], window: Span
) -> DayAdherence:
    """One agent's day: `scheduled` the shifts' spans, `periods` the CTI states (they may
    overlap the window's edges: only the part inside counts), `window` the day (widened by
    the caller to hold a shift that runs past midnight)."""
    shifts = merge((max(s, window[0]), min(e, window[1])) for s, e in scheduled)
    by_state = {c: 0.0 for c in COLUMNS}
    outside = 0.0
    recorded = 0.0
    for p in periods:
        span = (max(p.start, window[0]), min(p.end, window[1]))
        if span[1] <= span[0]:
            continue
        inside = sum(_overlap(span, s) for s in shifts)
        by_state[_column(p.state)] += inside
        recorded += inside
        if p.state in WORKING:
            outside += (span[1] - span[0]).total_seconds() - inside
    scheduled_seconds = sum((e - s).total_seconds() for s, e in shifts)
    by_state["logged_out"] += max(scheduled_seconds - recorded, 0.0)
    working = sum(by_state[s] for s in WORKING)
    minutes = {k: round(v / 60, 1) for k, v in by_state.items()}
    return DayAdherence(
        scheduled_minutes=round(scheduled_seconds / 60, 1),
        in_adherence_minutes=round(working / 60, 1),
        out_of_adherence_minutes=round((scheduled_seconds - working) / 60, 1),
        outside_schedule_minutes=round(outside / 60, 1),
        scheduled_by_state=minutes,
    )


def on_floor_per_slot(
    agents_periods: Iterable[Sequence[Period]], first: datetime, slots: int
) -> list[float]:
    """The mean number of agents working in each half hour from `first`."""
    seconds = [0.0] * slots
    last = first + SLOT * slots
    for periods in agents_periods:
        for p in periods:
            if p.state not in WORKING or p.end <= first or p.start >= last:
                continue
            index = max(int((p.start - first) / SLOT), 0)
            while index < slots:
                begin = first + SLOT * index
                if begin >= p.end:
                    break
                seconds[index] += _overlap((p.start, p.end), (begin, begin + SLOT))
                index += 1
    return [round(s / SLOT.total_seconds(), 2) for s in seconds]


def staffing_state(on_floor: float, required: int) -> str:
    """under / over / ok against the agents required (the roster's coverage rule)."""
    if on_floor < required:
        return "under"
    if on_floor > required + max(1, required // 5):
        return "over"
    return "ok"
