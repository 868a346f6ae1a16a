"""Call metrics with their fixed definitions (pure: no Django).

Over the inbound calls of a period:
- offered = inbound calls; answered = those with an answer; abandoned = hung up without
  an answer; short abandoned = abandoned within `short_abandon_seconds` of newCall;
- service level = answered within `service_level_seconds` of newCall
  ÷ (offered − short abandoned);
- abandonment rate = (abandoned − short abandoned) ÷ (offered − short abandoned);
- ASA = mean(answer − newCall) over answered;
- AHT = mean((hangup − answer) + (wrapup − hangup, when a wrapup came)) over answered
  calls that have hung up (a call still in progress has no handle time yet).
A fraction whose denominator is zero is None (no calls: no service level).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any


@dataclass(frozen=True, slots=True)
class MetricCall:
    started_at: datetime
    answered_at: datetime | None
    ended_at: datetime | None
    wrapup_at: datetime | None
    agent_extension: str = ""
    agent_username: str = ""
    queue: str = ""


@dataclass(slots=True)
class _Acc:
    offered: int = 0
    answered: int = 0
    abandoned: int = 0
    short_abandoned: int = 0
    answered_in_sl: int = 0
    wait_total: float = 0.0
    handle_total: float = 0.0
    handled: int = 0

    def add(self, call: MetricCall, *, sl: float, short: float) -> None:
        self.offered += 1
        if call.answered_at is not None:
            self.answered += 1
            wait = (call.answered_at - call.started_at).total_seconds()
            self.wait_total += wait
            if wait <= sl:
                self.answered_in_sl += 1
            if call.ended_at is not None:
                handle = (call.ended_at - call.answered_at).total_seconds()
                if call.wrapup_at is not None:
                    handle += (call.wrapup_at - call.ended_at).total_seconds()
                self.handle_total += handle
                self.handled += 1
        elif call.ended_at is not None:
            self.abandoned += 1
            if (call.ended_at - call.started_at).total_seconds() <= short:
                self.short_abandoned += 1

    def result(self) -> dict[str, Any]:
        base = self.offered - self.short_abandoned
        return {
            "offered": self.offered,
            "answered": self.answered,
            "abandoned": self.abandoned,
            "short_abandoned": self.short_abandoned,
            "answered_within_threshold": self.answered_in_sl,
            "service_level": round(self.answered_in_sl / base, 6) if base else None,
            "abandonment_rate": (
                round((self.abandoned - self.short_abandoned) / base, 6) if base else None
            ),
            "asa_seconds": round(self.wait_total / self.answered, 3) if self.answered else None,
            "aht_seconds": round(self.handle_total / self.handled, 3) if self.handled else None,
        }


def totals_result(
    *,
    offered: int,
    answered: int,
    abandoned: int,
    short_abandoned: int,
    answered_within_threshold: int,
    wait_seconds: float,
    handle_seconds: float,
    handled: int,
    answered_per_agent: dict[str, int],
    service_level_seconds: float,
    short_abandon_seconds: float,
) -> dict[str, Any]:
    """What `compute_metrics(..., breakdowns=False)` answers, from totals counted
    elsewhere (the SQL aggregate, `calls.metrics_sql`): the same formulas (`_Acc.result`)."""
    total = _Acc(
        offered=offered,
        answered=answered,
        abandoned=abandoned,
        short_abandoned=short_abandoned,
        answered_in_sl=answered_within_threshold,
        wait_total=wait_seconds,
        handle_total=handle_seconds,
        handled=handled,
    )
    result = total.result()
    result["answered_per_agent"] = dict(sorted(answered_per_agent.items()))
    result["thresholds"] = {
        "service_level_seconds": service_level_seconds,
        "short_abandon_seconds": short_abandon_seconds,
    }
    return result


def _grouped(
    calls: Iterable[MetricCall], key: Callable[[MetricCall], str], *, sl: float, short: float
) -> dict[str, dict[str, Any]]:
    groups: dict[str, _Acc] = defaultdict(_Acc)
    for call in calls:
        groups[key(call)].add(call, sl=sl, short=short)
    return {name: groups[name].result() for name in sorted(groups)}


def _half_hour(local: datetime) -> str:
    return f"{local:%Y-%m-%dT%H}:{'30' if local.minute >= 30 else '00'}"


def compute_metrics(
    calls: Iterable[MetricCall],
    *,
    tz: tzinfo,
    service_level_seconds: float = 20.0,
    short_abandon_seconds: float = 5.0,
    breakdowns: bool = True,
) -> dict[str, Any]:
    """The metrics of these (inbound) calls, with breakdowns by day, half hour, agent
    (extension and user) and queue; days and half hours are local to `tz`."""
    rows = list(calls)
    sl, short = service_level_seconds, short_abandon_seconds
    total = _Acc()
    per_agent: dict[str, int] = defaultdict(int)
    for call in rows:
        total.add(call, sl=sl, short=short)
        if call.answered_at is not None:
            per_agent[call.agent_extension or "unknown"] += 1
    result = total.result()
    result["answered_per_agent"] = dict(sorted(per_agent.items()))
    result["thresholds"] = {"service_level_seconds": sl, "short_abandon_seconds": short}
    if breakdowns:
        answered = [c for c in rows if c.answered_at is not None]
        result["by_day"] = _grouped(
            rows, lambda c: c.started_at.astimezone(tz).date().isoformat(), sl=sl, short=short
        )
        result["by_half_hour"] = _grouped(
            rows, lambda c: _half_hour(c.started_at.astimezone(tz)), sl=sl, short=short
        )
        result["by_queue"] = _grouped(rows, lambda c: c.queue or "", sl=sl, short=short)
        # Per agent: only calls an agent answered belong to that agent.
        result["by_extension"] = _grouped(
            answered, lambda c: c.agent_extension or "unknown", sl=sl, short=short
        )
        result["by_user"] = _grouped(
            answered, lambda c: c.agent_username or "unknown", sl=sl, short=short
        )
    return result
