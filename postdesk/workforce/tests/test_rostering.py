"""The roster solver (CP-SAT): a feasible roster meets every rule and follows the
requirement; each rule that no roster can meet is named."""

from __future__ import annotations

import pytest

from postdesk.workforce.rostering import (
    AgentSpec,
    Problem,
    RosterInfeasible,
    Rules,
    ShiftSpec,
    solve,
    violations,
)

EARLY = ShiftSpec("early", 8 * 60, 16 * 60)
MIDDLE = ShiftSpec("middle", 12 * 60, 20 * 60)
LATE = ShiftSpec("late", 16 * 60, 0)  # ends at midnight
SHIFTS = [EARLY, MIDDLE, LATE]


def requirement(days: int, busy: int = 3, quiet: int = 1) -> list[int]:
    day = [0] * 16 + [busy] * 8 + [busy + 1] * 8 + [quiet] * 16
    return day * days


def agents(n: int, **kwargs) -> list[AgentSpec]:
    return [AgentSpec(id=i + 1, **kwargs) for i in range(n)]


def test_a_week_meets_every_rule_and_follows_the_requirement():
    # five agents for complaints: 25 days for the 21 shifts of the week
    team = agents(8, skills=frozenset({"english"}))[:2] + [
        AgentSpec(id=i, skills=frozenset({"complaints"}) if i % 2 or i == 10 else frozenset())
        for i in range(3, 11)
    ]
    team[3] = AgentSpec(id=team[3].id, skills=team[3].skills, days_off=frozenset({2, 3}))
    rules = Rules(skill_min={"english": 0, "complaints": 1})
    problem = Problem(7, SHIFTS, team, requirement(7), rules)
    solution = solve(problem, time_limit=10)
    assert violations(problem, solution.assignments) == []
    assert solution.first_solution_seconds is not None
    worked = {a.id: sum(1 for (aid, _d) in solution.assignments if aid == a.id) for a in team}
    assert set(worked.values()) == {5}
    assert (team[3].id, 2) not in solution.assignments
    # 10 agents × 5 days × 16 half hours cover the 7 days' need of (3·8 + 4·8 + 16) a day
    assert solution.short_slots == 0
    # late shifts are followed by no early shift (8 h rest)
    for (aid, d), code in solution.assignments.items():
        if code == "late":
            assert solution.assignments.get((aid, d + 1)) != "early"


def test_the_rest_rule_no_roster_can_meet():
    long_day = ShiftSpec("long", 6 * 60, 22 * 60)  # 16 h: 8 h to the next morning
    problem = Problem(7, [long_day], agents(3), requirement(7), Rules())
    with pytest.raises(RosterInfeasible) as caught:
        solve(problem, time_limit=5)
    assert caught.value.rule == "rest"


def test_the_consecutive_days_rule_no_roster_can_meet():
    problem = Problem(7, SHIFTS, agents(3), requirement(7), Rules(days_per_week=7))
    with pytest.raises(RosterInfeasible) as caught:
        solve(problem, time_limit=5)
    assert caught.value.rule == "consecutive"


def test_the_consecutive_days_before_the_week_count():
    tired = AgentSpec(id=1, worked_days_before=4)
    problem = Problem(7, [EARLY], [tired], requirement(7), Rules(days_per_week=5))
    solution = solve(problem, time_limit=5)
    assert violations(problem, solution.assignments) == []
    first_days = [d for d in range(3) if (1, d) in solution.assignments]
    assert len(first_days) <= 2  # 4 before + at most 2 more in a row
    with pytest.raises(RosterInfeasible) as caught:
        solve(Problem(7, [EARLY], [AgentSpec(id=1, worked_days_before=6)], requirement(7),
                      Rules(days_per_week=7, max_consecutive_days=7)), time_limit=5)  # fmt: skip
    assert caught.value.rule == "consecutive"


def test_the_days_off_no_roster_can_meet():
    asked = AgentSpec(id=1, days_off=frozenset({0, 1, 2}))
    problem = Problem(7, SHIFTS, [asked, *agents(2)[1:]], requirement(7), Rules())
    with pytest.raises(RosterInfeasible) as caught:
        solve(problem, time_limit=5)
    assert caught.value.rule == "days_off"


def test_the_skills_no_roster_can_meet():
    team = [AgentSpec(id=1, skills=frozenset({"english"})), *agents(5)[1:]]
    problem = Problem(7, SHIFTS, team, requirement(7), Rules(skill_min={"english": 1}))
    with pytest.raises(RosterInfeasible) as caught:
        solve(problem, time_limit=5)
    assert caught.value.rule == "skills"


def test_too_few_skilled_days_for_the_shifts_is_the_skills_rule():
    # four agents for complaints work 20 days; the week has 21 shifts needing one each
    team = [
        AgentSpec(id=i, skills=frozenset({"complaints"}) if i in (1, 3, 5, 7) else frozenset())
        for i in range(1, 11)
    ]
    rules = Rules(skill_min={"complaints": 1})
    with pytest.raises(RosterInfeasible) as caught:
        solve(Problem(7, SHIFTS, team, requirement(7), rules), time_limit=5)
    assert caught.value.rule == "skills"


def test_the_rest_after_the_last_shift_before_the_week():
    # ended at 23:00 the night before: an 08:00 start leaves 9 h, a 12:00 start 13 h
    agent = AgentSpec(id=1, last_end_minute=-60)
    problem = Problem(7, [EARLY, MIDDLE], [agent], requirement(7), Rules(days_per_week=5))
    solution = solve(problem, time_limit=5)
    assert solution.assignments.get((1, 0)) != "early"
    assert violations(problem, {(1, 0): "early"}) == ["days_per_week", "rest"]


def test_rule_values_out_of_range_are_refused():
    with pytest.raises(ValueError):
        solve(Problem(7, SHIFTS, agents(2), requirement(7), Rules(rest_hours=-1)))
    with pytest.raises(ValueError):
        solve(Problem(7, SHIFTS, agents(2), requirement(7), Rules(max_consecutive_days=0)))
