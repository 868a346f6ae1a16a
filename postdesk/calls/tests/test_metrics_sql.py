"""The SQL aggregate of the call metrics (`calls.metrics_sql`) answers what the Python
path (`metrics.compute_metrics`) answers, on random calls and on the edge cases; the
same file runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from postdesk.calls.metrics import compute_metrics
from postdesk.calls.metrics_sql import metrics_aggregate
from postdesk.calls.models import Call
from postdesk.calls.selectors import _metric_calls, call_metrics

pytestmark = [pytest.mark.prepared, pytest.mark.django_db]

SH = ZoneInfo("Asia/Shanghai")
T0 = datetime(2025, 3, 4, 9, 0, 0, tzinfo=SH)
START, END = T0 - timedelta(hours=9), T0 + timedelta(hours=15)
FIGURES = (
    "offered",
    "answered",
    "abandoned",
    "short_abandoned",
    "answered_within_threshold",
    "service_level",
    "abandonment_rate",
    "asa_seconds",
    "aht_seconds",
)


def s(seconds: float) -> timedelta:
    return timedelta(seconds=seconds)


def make(call_id: str, start: float, answer=None, end=None, wrapup=None, **extra) -> Call:
    """A call `start` seconds after T0; answer / end / wrapup: seconds after its start."""
    began = T0 + s(start)
    return Call(
        call_id=call_id,
        direction=extra.pop("direction", Call.Direction.IN),
        started_at=began,
        answered_at=None if answer is None else began + s(answer),
        ended_at=None if end is None else began + s(end),
        wrapup_at=None if wrapup is None else began + s(wrapup),
        **extra,
    )


def random_calls(seed: int, n: int, agents: list) -> list[Call]:
    rng = random.Random(seed)
    calls = []
    for i in range(n):
        start = rng.uniform(-9 * 3600, 16 * 3600)  # some before / after the period
        start = round(start, rng.choice([0, 3, 6]))
        kind = rng.random()
        wait = rng.choice([20, 20.000001, 19.999999, 5, round(rng.uniform(0, 90), 6)])
        extension, agent = rng.choice([("8001", 0), ("8002", 1), ("", None), ("unknown", 2)])
        common = {
            "queue": rng.choice(["11185", "vip", ""]),
            "direction": Call.Direction.OUT if rng.random() < 0.05 else Call.Direction.IN,
        }
        if kind < 0.45:  # answered and ended, with or without a wrapup
            talk = round(rng.uniform(1, 600), rng.choice([0, 6]))
            wrapup = None if rng.random() < 0.4 else wait + talk + round(rng.uniform(0, 60), 3)
            ended = wait + talk
            call = make(f"r{i}", start, wait, ended, wrapup, agent_extension=extension, **common)
            call.agent_id = None if agent is None else agents[agent].pk
        elif kind < 0.55:  # answered, still talking (a wrapup without hangup: never counted)
            wrapup = wait + 30 if rng.random() < 0.2 else None
            call = make(f"r{i}", start, wait, None, wrapup, agent_extension=extension, **common)
        elif kind < 0.85:  # abandoned, at / around the short-abandon threshold
            ring = rng.choice([5, 5.000001, 4.999999, 0, round(rng.uniform(0, 120), 6)])
            call = make(f"r{i}", start, None, ring, **common)
        else:  # ringing
            call = make(f"r{i}", start, **common)
        calls.append(call)
    return calls


def python_path(sl: float = 20.0, short: float = 5.0) -> dict:
    inbound = Call.objects.filter(
        direction=Call.Direction.IN, started_at__gte=START, started_at__lt=END
    )
    return compute_metrics(
        _metric_calls(inbound),
        tz=SH,
        service_level_seconds=sl,
        short_abandon_seconds=short,
        breakdowns=False,
    )


def sql_path(sl: float = 20.0, short: float = 5.0) -> dict:
    inbound = Call.objects.filter(
        direction=Call.Direction.IN, started_at__gte=START, started_at__lt=END
    )
    return metrics_aggregate(inbound, service_level_seconds=sl, short_abandon_seconds=short)


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_random_calls_sql_equals_python(staff, seed):
    agents = [staff["agent1"], staff["agent2"], staff["ra_agent1"]]
    Call.objects.bulk_create(random_calls(seed, 400, agents))
    for sl, short in ((20.0, 5.0), (12.5, 0.0), (0.0, 30.0)):
        expected = python_path(sl, short)
        assert expected["offered"] > 0
        assert sql_path(sl, short) == expected


def test_no_calls():
    answer = sql_path()
    assert answer == python_path()
    assert answer["offered"] == 0
    assert answer["service_level"] is None
    assert answer["asa_seconds"] is None and answer["aht_seconds"] is None
    assert answer["answered_per_agent"] == {}


def test_edge_cases_by_hand():
    Call.objects.bulk_create(
        [
            make("ring", 0),  # ringing: offered only
            make("short5", 10, None, 5),  # abandoned at exactly 5 s: short
            make("short5u", 20, None, 5.000001),  # a microsecond later: not short
            make("sl20", 30, 20, 80, agent_extension="8001"),  # answered at exactly 20 s
            make("sl20u", 40, 20.000001, 80, 100, agent_extension="8001"),  # just late
            make("talking", 50, 3, None, agent_extension="8002"),  # in progress: no AHT
            make("wrapped", 60, 4, 64, 94, agent_extension=""),  # handle 60 + 30
            make("out", 70, 1, 10, direction=Call.Direction.OUT),  # not offered
        ]
    )
    answer = sql_path()
    assert answer == python_path()
    assert {k: answer[k] for k in FIGURES} == {
        "offered": 7,
        "answered": 4,
        "abandoned": 2,
        "short_abandoned": 1,
        "answered_within_threshold": 3,
        "service_level": round(3 / 6, 6),
        "abandonment_rate": round(1 / 6, 6),
        "asa_seconds": round((20 + 20.000001 + 3 + 4) / 4, 3),
        "aht_seconds": round((60 + 79.999999 + 90) / 3, 3),
    }
    assert answer["answered_per_agent"] == {"8001": 2, "8002": 1, "unknown": 1}


def test_the_selector_takes_the_sql_path_without_breakdowns(staff):
    """`call_metrics(breakdowns=False)` is one aggregate query (no row per call read);
    with breakdowns the calls are read and counted in Python; both agree on the figures,
    in a scope that is the whole centre and in one that is not."""
    agents = [staff["agent1"], staff["agent2"], staff["ra_agent1"]]
    Call.objects.bulk_create(random_calls(7, 300, agents))
    for reader in ("director1", "ra_lead1"):
        user = staff[reader]
        with CaptureQueriesContext(connection) as fast:
            summary = call_metrics(user=user, start=START, end=END, breakdowns=False)
        with CaptureQueriesContext(connection) as full:
            detailed = call_metrics(user=user, start=START, end=END, breakdowns=True)
        aggregate = [q["sql"] for q in fast.captured_queries if "calls_call" in q["sql"]]
        assert len(aggregate) == 1 and "COUNT(" in aggregate[0] and "GROUP BY" in aggregate[0]
        rows = [q["sql"] for q in full.captured_queries if "calls_call" in q["sql"]]
        assert rows and not any("COUNT(" in sql for sql in rows)
        assert "by_day" in detailed and "by_day" not in summary
        for key in (*FIGURES, "answered_per_agent", "thresholds", "from", "to"):
            assert summary[key] == detailed[key], (reader, key)
    assert (
        call_metrics(user=staff["ra_lead1"], start=START, end=END, breakdowns=False)["offered"]
        < call_metrics(user=staff["director1"], start=START, end=END, breakdowns=False)["offered"]
    )
