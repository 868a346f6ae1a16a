"""Erlang C by the fixed definitions: the published worked example, the edges, and
properties that hold for any traffic."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from postdesk.workforce import erlang
from postdesk.workforce.erlang import ErlangInputError, staffing


def reference_erlang_c(n: int, a: float) -> float:
    """The textbook formula with exact fractions of powers and factorials (small n only)."""
    top = a**n / math.factorial(n) * n / (n - a)
    bottom = sum(a**k / math.factorial(k) for k in range(n)) + top
    return top / bottom


def test_the_published_worked_example():
    # 100 calls in 30 minutes, AHT 180 s, 80% in 20 s, 30% shrinkage -> 14 agents, 20 scheduled
    result = staffing(
        calls=100,
        interval_seconds=1800,
        aht_seconds=180,
        target_sl=0.8,
        target_seconds=20,
        shrinkage=0.3,
    )
    assert result.traffic == pytest.approx(10.0)
    assert result.agents == 14
    assert result.scheduled == 20  # 14 / 0.7 is 20.000000000000004 in binary: still 20
    assert round(result.service_level * 100, 1) == 88.8
    assert result.occupancy == pytest.approx(10 / 14)
    c = erlang.erlang_c(14, 10.0)
    assert result.asa_seconds == pytest.approx(c * 180 / 4)
    # 13 agents fall short of the target: 14 is the least that reaches it
    assert erlang.service_level(13, 10.0, 20, 180) < 0.8


def test_erlang_c_agrees_with_the_factorial_formula_where_that_one_works():
    for n, a in [(11, 10.0), (14, 10.0), (3, 2.5), (30, 25.3), (60, 51.0)]:
        assert erlang.erlang_c(n, a) == pytest.approx(reference_erlang_c(n, a), rel=1e-9)


def test_zero_calls_need_zero_agents():
    result = staffing(
        calls=0, interval_seconds=1800, aht_seconds=180, target_sl=0.8, target_seconds=20
    )
    assert result.as_dict() == {
        "traffic": 0.0,
        "agents": 0,
        "service_level": 1.0,
        "asa_seconds": 0.0,
        "occupancy": 0.0,
        "scheduled": 0,
    }


def test_traffic_above_500_erlangs_is_stable():
    # 6,000 calls in 30 minutes at 180 s: 600 Erlangs (600! overflows a float)
    result = staffing(
        calls=6000, interval_seconds=1800, aht_seconds=180, target_sl=0.8, target_seconds=20
    )
    assert result.traffic == pytest.approx(600.0)
    assert 600 < result.agents < 620
    assert 0.8 <= result.service_level < 1
    assert erlang.service_level(result.agents - 1, 600.0, 20, 180) < 0.8
    assert 0.95 < result.occupancy < 1
    assert math.isfinite(result.asa_seconds) and result.asa_seconds > 0
    # a thousand agents and more
    big = staffing(
        calls=12_000, interval_seconds=1800, aht_seconds=180, target_sl=0.9, target_seconds=10
    )
    assert big.agents > 1200 and math.isfinite(big.service_level)


def test_a_target_met_by_the_first_integer_above_the_traffic():
    # 0.5 Erlang: one agent already answers 80% in 20 s -> N = floor(A) + 1
    result = staffing(
        calls=5, interval_seconds=1800, aht_seconds=180, target_sl=0.5, target_seconds=20
    )
    assert result.traffic == pytest.approx(0.5)
    assert result.agents == 1
    assert result.service_level >= 0.5
    # a whole-number traffic needs strictly more agents than Erlangs
    whole = staffing(
        calls=20, interval_seconds=1800, aht_seconds=180, target_sl=0.01, target_seconds=0
    )
    assert whole.traffic == pytest.approx(2.0)
    assert whole.agents == 3


@pytest.mark.parametrize(
    "field,kwargs",
    [
        ("calls", {"calls": -1}),
        ("calls", {"calls": float("nan")}),
        ("calls", {"calls": float("inf")}),
        ("interval_minutes", {"interval_seconds": 0}),
        ("aht", {"aht_seconds": -5}),
        ("target_sl", {"target_sl": 1.0}),
        ("target_sl", {"target_sl": 0.0}),
        ("target_seconds", {"target_seconds": -1}),
        ("shrinkage", {"shrinkage": 1.0}),
        ("shrinkage", {"shrinkage": -0.1}),
        ("calls", {"calls": 10**9}),
    ],
)
def test_bad_inputs_name_their_field(field, kwargs):
    base = {
        "calls": 100,
        "interval_seconds": 1800,
        "aht_seconds": 180,
        "target_sl": 0.8,
        "target_seconds": 20,
        "shrinkage": 0.3,
    }
    with pytest.raises(ErlangInputError) as caught:
        staffing(**{**base, **kwargs})
    assert caught.value.field == field


@settings(max_examples=200, deadline=None)
@given(
    calls=st.floats(min_value=0.01, max_value=20_000),
    aht=st.floats(min_value=10, max_value=900),
    target=st.floats(min_value=0.05, max_value=0.99),
    seconds=st.floats(min_value=0, max_value=120),
    shrinkage=st.floats(min_value=0, max_value=0.6),
)
def test_the_answer_is_the_least_n_that_reaches_the_target(calls, aht, target, seconds, shrinkage):
    result = staffing(
        calls=calls,
        interval_seconds=1800,
        aht_seconds=aht,
        target_sl=target,
        target_seconds=seconds,
        shrinkage=shrinkage,
    )
    a = result.traffic
    assert result.agents > a
    assert result.service_level >= target
    below = result.agents - 1
    assert below <= a or erlang.service_level(below, a, seconds, aht) < target
    assert 0 < result.occupancy < 1
    assert result.scheduled >= result.agents
    assert result.scheduled == math.ceil(round(result.agents / (1 - shrinkage), 9))


@settings(max_examples=100, deadline=None)
@given(n=st.integers(min_value=1, max_value=3000), a=st.floats(min_value=0.01, max_value=2500))
def test_probabilities_stay_between_0_and_1(n, a):
    b = erlang.erlang_b(n, a)
    assert 0 <= b <= 1
    c = erlang.erlang_c(n, a)
    assert 0 <= c <= 1
    if n > a:
        assert c >= b  # waiting is at least as likely as being blocked
