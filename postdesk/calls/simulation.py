"""A realistic day of calls as CTI events (pure: no Django), for `simulate_calls`, the
tests and the benchmarks.

Callers arrive at random (a Poisson process at `calls_per_hour`) and queue for the
first free agent; a caller whose patience (exponential, mean `patience`) runs out first
hangs up; an agent talks (exponential, mean `aht` − `wrapup`), sometimes puts the caller
on hold, hangs up, and spends `wrapup` seconds (on average) on after-call work before
taking the next call. Every event carries the simulated time at which it happened.
"""

from __future__ import annotations

import heapq
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

FAKE_PREFIXES = ("138", "139", "135", "136", "137", "150", "151", "152", "158", "159", "188")


@dataclass(frozen=True)
class SimulationConfig:
    start: datetime
    duration_seconds: float = 3600.0
    calls_per_hour: float = 120.0
    agents: int = 8
    aht: float = 180.0
    patience: float = 60.0
    wrapup: float = 20.0
    hold_share: float = 0.15
    seed: int = 1
    queue: str = "11185"
    first_extension: int = 8001
    repeat_callers: float = 0.3  # share of calls from numbers that called before


def _number(rng: random.Random, known: list[str], repeat: float) -> str:
    if known and rng.random() < repeat:
        return rng.choice(known)
    number = rng.choice(FAKE_PREFIXES) + f"{rng.randrange(10**8):08d}"
    known.append(number)
    return number


def simulate(config: SimulationConfig) -> list[dict[str, Any]]:
    """The events of the simulated period as CTI JSON bodies, in time order."""
    rng = random.Random(config.seed)
    extensions = [str(config.first_extension + i) for i in range(config.agents)]
    free_at = [(0.0, i) for i in range(config.agents)]  # (time the agent is free, index)
    heapq.heapify(free_at)
    talk_mean = max(config.aht - config.wrapup, 5.0)
    events: list[tuple[float, int, dict[str, Any]]] = []
    order = 0
    known: list[str] = []
    t = 0.0
    n = 0
    rate = config.calls_per_hour / 3600.0
    date_tag = config.start.strftime("%Y%m%d%H%M%S")

    def add(at: float, body: dict[str, Any]) -> None:
        nonlocal order
        order += 1
        body["timestamp"] = (config.start + timedelta(seconds=round(at, 3))).isoformat()
        events.append((at, order, body))

    while rate > 0:
        t += rng.expovariate(rate)
        if t >= config.duration_seconds:
            break
        n += 1
        call_id = f"sim-{config.seed}-{date_tag}-{n:06d}"
        caller = _number(rng, known, config.repeat_callers)
        add(
            t,
            {
                "event": "newCall",
                "call_id": call_id,
                "direction": "in",
                "from": caller,
                "to": "11185",
                "queue": config.queue,
            },
        )
        patience = rng.expovariate(1.0 / config.patience) if config.patience > 0 else 1e9
        free, index = heapq.heappop(free_at)
        ring = rng.uniform(2.0, 6.0)
        answer_at = max(free, t) + ring
        if answer_at - t > patience:
            heapq.heappush(free_at, (free, index))  # the agent did not get this one
            add(t + patience, {"event": "hangup", "call_id": call_id, "cause": "cancel"})
            continue
        extension = extensions[index]
        add(answer_at, {"event": "answer", "call_id": call_id, "agent": extension})
        talk = max(rng.expovariate(1.0 / talk_mean), 15.0)
        if rng.random() < config.hold_share:
            hold_start = answer_at + talk * rng.uniform(0.2, 0.6)
            hold_len = rng.uniform(10.0, 60.0)
            add(hold_start, {"event": "hold", "call_id": call_id, "agent": extension})
            add(hold_start + hold_len, {"event": "unhold", "call_id": call_id, "agent": extension})
            talk += hold_len
        hangup_at = answer_at + talk
        add(
            hangup_at,
            {"event": "hangup", "call_id": call_id, "agent": extension, "cause": "normalClearing"},
        )
        acw = max(rng.expovariate(1.0 / config.wrapup), 3.0) if config.wrapup > 0 else 0.0
        add(hangup_at + acw, {"event": "wrapup", "call_id": call_id, "agent": extension})
        heapq.heappush(free_at, (hangup_at + acw, index))
    events.sort(key=lambda e: (e[0], e[1]))
    return [body for _at, _order, body in events]
