"""Erlang C staffing (pure: no Django, no database). The fixed definitions of issue 18:

- traffic A = calls ÷ interval seconds × AHT (Erlangs);
- agents needed N = the least integer N > A whose service level
  SL(N) = 1 − C(N, A) · e^(−(N − A) · T / AHT) reaches the target
  (C = the Erlang C probability that a call waits; T = the answer-time target, e.g. 20 s);
- ASA = C(N, A) · AHT ÷ (N − A);
- occupancy = A ÷ N;
- staff to schedule = ⌈N ÷ (1 − shrinkage)⌉.
Zero calls need zero agents (SL 1, ASA 0, occupancy 0).

C is computed from the Erlang B recursion B(0) = 1, B(n) = A·B(n−1) ÷ (n + A·B(n−1)),
and C = N·B ÷ (N − A·(1 − B)): every step stays in [0, 1], so there is no factorial or
power to overflow, and hundreds or thousands of agents cost one loop of N steps. The
search for N continues the same recursion upwards from ⌊A⌋ + 1, so one interval costs
O(N) arithmetic in all.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

#: The largest traffic accepted (Erlangs): beyond it the loop would run for ever in
#: practice; a centre 100 times the biggest real one still fits.
MAX_TRAFFIC: Final = 100_000.0


@dataclass(frozen=True, slots=True)
class Staffing:
    """The answer for one interval, in the fixed API's names."""

    traffic: float
    agents: int
    service_level: float
    asa_seconds: float
    occupancy: float
    scheduled: int

    def as_dict(self) -> dict[str, float | int]:
        return {
            "traffic": self.traffic,
            "agents": self.agents,
            "service_level": self.service_level,
            "asa_seconds": self.asa_seconds,
            "occupancy": self.occupancy,
            "scheduled": self.scheduled,
        }


class ErlangInputError(ValueError):
    """A bad input: `field` names it, `reason` says why (a code the caller translates)."""

    def __init__(self, field: str, reason: str) -> None:
        self.field = field
        self.reason = reason
        super().__init__(f"{field}: {reason}")


def traffic_of(calls: float, interval_seconds: float, aht_seconds: float) -> float:
    """A = calls ÷ interval seconds × AHT."""
    return calls / interval_seconds * aht_seconds


def erlang_b(agents: int, traffic: float) -> float:
    """The Erlang B blocking probability, by the stable recursion."""
    if agents < 0:
        raise ValueError("agents must be >= 0")
    b = 1.0
    for n in range(1, agents + 1):
        b = traffic * b / (n + traffic * b)
    return b


def _c_from_b(agents: int, traffic: float, b: float) -> float:
    return agents * b / (agents - traffic * (1.0 - b))


def erlang_c(agents: int, traffic: float) -> float:
    """The probability that a call waits (Erlang C); 1 when agents ≤ traffic."""
    if traffic <= 0:
        return 0.0
    if agents <= traffic:
        return 1.0
    return _c_from_b(agents, traffic, erlang_b(agents, traffic))


def service_level(agents: int, traffic: float, target_seconds: float, aht_seconds: float) -> float:
    """SL(N) = 1 − C(N, A) · e^(−(N − A) · T / AHT); 0 when N ≤ A (the queue grows)."""
    if traffic <= 0:
        return 1.0
    if agents <= traffic:
        return 0.0
    c = erlang_c(agents, traffic)
    return _sl(c, agents, traffic, target_seconds, aht_seconds)


def _sl(c: float, agents: int, traffic: float, target_seconds: float, aht: float) -> float:
    return 1.0 - c * math.exp(-(agents - traffic) * target_seconds / aht)


def scheduled_staff(agents: int, shrinkage: float) -> int:
    """⌈N ÷ (1 − shrinkage)⌉, robust to binary fractions (14 ÷ 0.7 is 20, not 21)."""
    if agents == 0:
        return 0
    return math.ceil(round(agents / (1.0 - shrinkage), 9))


def check_inputs(
    *,
    calls: float,
    interval_seconds: float,
    aht_seconds: float,
    target_sl: float,
    target_seconds: float,
    shrinkage: float,
) -> None:
    """Raise ErlangInputError for the first bad input (by the API's field names)."""
    values = {
        "calls": calls,
        "interval_minutes": interval_seconds,
        "aht": aht_seconds,
        "target_sl": target_sl,
        "target_seconds": target_seconds,
        "shrinkage": shrinkage,
    }
    for name, value in values.items():
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            raise ErlangInputError(name, "not_a_number")
    if calls < 0:
        raise ErlangInputError("calls", "negative")
    if interval_seconds <= 0:
        raise ErlangInputError("interval_minutes", "not_positive")
    if aht_seconds <= 0:
        raise ErlangInputError("aht", "not_positive")
    if not 0 < target_sl < 1:
        raise ErlangInputError("target_sl", "outside_open_unit")
    if target_seconds < 0:
        raise ErlangInputError("target_seconds", "negative")
    if not 0 <= shrinkage < 1:
        raise ErlangInputError("shrinkage", "outside_half_open_unit")
    if traffic_of(calls, interval_seconds, aht_seconds) > MAX_TRAFFIC:
        raise ErlangInputError("calls", "too_much_traffic")


def staffing(
    *,
    calls: float,
    interval_seconds: float,
    aht_seconds: float,
    target_sl: float,
    target_seconds: float,
    shrinkage: float = 0.0,
) -> Staffing:
    """The agents one interval needs by the fixed definitions (inputs checked first)."""
    check_inputs(
        calls=calls,
        interval_seconds=interval_seconds,
        aht_seconds=aht_seconds,
        target_sl=target_sl,
        target_seconds=target_seconds,
        shrinkage=shrinkage,
    )
    traffic = traffic_of(calls, interval_seconds, aht_seconds)
    if traffic == 0:
        return Staffing(0.0, 0, 1.0, 0.0, 0.0, 0)
    n = math.floor(traffic)
    b = erlang_b(n, traffic)
    while True:
        n += 1
        b = traffic * b / (n + traffic * b)
        c = _c_from_b(n, traffic, b)
        sl = _sl(c, n, traffic, target_seconds, aht_seconds)
        if sl >= target_sl:
            return Staffing(
                traffic=traffic,
                agents=n,
                service_level=sl,
                asa_seconds=c * aht_seconds / (n - traffic),
                occupancy=traffic / n,
                scheduled=scheduled_staff(n, shrinkage),
            )
