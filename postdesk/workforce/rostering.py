"""Building a roster against the requirement with OR-Tools' CP-SAT solver (pure: no
Django, no database).

Variables: x[a, d, s] = agent a works shift s on day d. Hard rules (each has a name, the
one a 4xx reports when no roster can meet it):

- one shift a day at most;
- ``days_per_week``: each agent works exactly that many days in every full week of the
  horizon (at most that many in a last, partial week) — the agents' contract;
- ``rest``: at least `rest_hours` between the end of one shift and the start of the next
  (the last shift before the horizon counts);
- ``consecutive``: at most `max_consecutive_days` days in a row (the days worked just
  before the horizon count);
- ``days_off``: an agent's requested days off stay free;
- ``skills``: every shift of every day has at least `skill_min[skill]` agents with that
  skill (English, complaints…).

Goal: cover the requirement (staff to schedule per half hour): minimise 100 × the
half-hour agent-slots short of it plus 1 × those beyond it.

A roster is first looked for without the goal (any roster meeting the rules); when the
rules together admit none, the solver is asked again with each relaxable rule dropped in
turn (days off, rest, consecutive, skills); the first whose dropping
makes a roster possible is the rule reported. The contract (`days_per_week`) is never
dropped: it is what the others are measured against.
"""

from __future__ import annotations

import itertools
import time as clock
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from ortools.sat.python import cp_model

RELAXABLE: Final = ("days_off", "rest", "consecutive", "skills")
UNDER_WEIGHT: Final = 100
OVER_WEIGHT: Final = 1
SLOT_MINUTES: Final = 30


@dataclass(frozen=True)
class ShiftSpec:
    code: str
    start_minute: int  # minutes after midnight
    end_minute: int  # may be ≤ start: the shift ends the next day

    @property
    def length(self) -> int:
        end = self.end_minute if self.end_minute > self.start_minute else self.end_minute + 1440
        return end - self.start_minute

    def span(self, day: int) -> tuple[int, int]:
        """[start, end) in minutes from the horizon's first midnight."""
        start = day * 1440 + self.start_minute
        return start, start + self.length


@dataclass(frozen=True)
class AgentSpec:
    id: int
    skills: frozenset[str] = frozenset()
    days_off: frozenset[int] = frozenset()  # day indexes in the horizon
    # the end of the last shift before the horizon, in minutes from its first midnight
    # (negative), and how many days in a row the agent had worked up to then
    last_end_minute: int | None = None
    worked_days_before: int = 0


@dataclass(frozen=True)
class Rules:
    rest_hours: float = 11.0
    max_consecutive_days: int = 6
    days_per_week: int = 5
    skill_min: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Problem:
    days: int
    shifts: Sequence[ShiftSpec]
    agents: Sequence[AgentSpec]
    requirement: Sequence[int]  # staff to schedule per half hour of the horizon
    rules: Rules


@dataclass(frozen=True)
class Solution:
    assignments: dict[tuple[int, int], str]  # (agent id, day) -> shift code
    status: str  # "optimal" | "feasible"
    short_slots: int
    extra_slots: int
    seconds: float
    first_solution_seconds: float | None


class RosterInfeasible(Exception):
    """No roster meets the rules; `rule` names the one that cannot be met (or
    "combination" when no single rule is to blame)."""

    def __init__(self, rule: str) -> None:
        self.rule = rule
        super().__init__(rule)


class _FirstSolution(cp_model.CpSolverSolutionCallback):
    def __init__(self, started: float) -> None:
        super().__init__()
        self.started = started
        self.first: float | None = None

    def on_solution_callback(self) -> None:
        if self.first is None:
            self.first = clock.perf_counter() - self.started


def check_rules(rules: Rules) -> dict[str, str]:
    """Rule values out of range, by field (a code the caller translates)."""
    errors = {}
    if not 0 <= rules.rest_hours <= 24:
        errors["rest_hours"] = "range_0_24"
    if not 1 <= rules.max_consecutive_days <= 14:
        errors["max_consecutive_days"] = "range_1_14"
    if not 0 <= rules.days_per_week <= 7:
        errors["days_per_week"] = "range_0_7"
    for skill, count in rules.skill_min.items():
        if count < 0 or count > 100:
            errors[f"skill_min.{skill}"] = "range_0_100"
    return errors


def _build(problem: Problem, drop: frozenset[str], objective: bool) -> tuple[Any, dict[Any, Any]]:
    model = cp_model.CpModel()
    rules = problem.rules
    days = range(problem.days)
    x: dict[tuple[int, int, int], Any] = {}
    for a in problem.agents:
        for d in days:
            for s, _shift in enumerate(problem.shifts):
                x[a.id, d, s] = model.new_bool_var(f"x{a.id}_{d}_{s}")
    worked: dict[tuple[int, int], Any] = {}
    for a in problem.agents:
        for d in days:
            day_vars = [x[a.id, d, s] for s in range(len(problem.shifts))]
            model.add(sum(day_vars) <= 1)
            worked[a.id, d] = sum(day_vars)
        # the contract: days per full week (at most in a last partial week)
        for week_start in range(0, problem.days, 7):
            week = range(week_start, min(week_start + 7, problem.days))
            total = sum(worked[a.id, d] for d in week)
            if len(week) == 7:
                model.add(total == rules.days_per_week)
            else:
                model.add(total <= rules.days_per_week)
        if "days_off" not in drop:
            for d in a.days_off:
                if 0 <= d < problem.days:
                    model.add(worked[a.id, d] == 0)
        if "rest" not in drop:
            rest = int(rules.rest_hours * 60)
            for d in days:
                for s, first in enumerate(problem.shifts):
                    _start, end = first.span(d)
                    for t, second in enumerate(problem.shifts):
                        if d + 1 < problem.days and second.span(d + 1)[0] - end < rest:
                            model.add(x[a.id, d, s] + x[a.id, d + 1, t] <= 1)
            if a.last_end_minute is not None:
                for t, second in enumerate(problem.shifts):
                    if second.span(0)[0] - a.last_end_minute < rest:
                        model.add(x[a.id, 0, t] == 0)
        if "consecutive" not in drop:
            limit = rules.max_consecutive_days
            # the windows that reach back into the days worked just before the horizon
            for back in range(1, min(a.worked_days_before, limit) + 1):
                window = range(0, min(limit + 1 - back, problem.days))
                if len(window) + back > limit:
                    model.add(sum(worked[a.id, d] for d in window) <= limit - back)
            for start in range(problem.days - limit):
                model.add(sum(worked[a.id, d] for d in range(start, start + limit + 1)) <= limit)
    if "skills" not in drop:
        for skill, minimum in rules.skill_min.items():
            if minimum <= 0:
                continue
            skilled = [a for a in problem.agents if skill in a.skills]
            for d in days:
                for s in range(len(problem.shifts)):
                    model.add(sum(x[a.id, d, s] for a in skilled) >= minimum)
    if objective:
        horizon = problem.days * 1440 // SLOT_MINUTES
        covering: dict[int, list[Any]] = {t: [] for t in range(horizon)}
        for (_agent_id, d, s), var in x.items():
            start, end = problem.shifts[s].span(d)
            for t in range(start // SLOT_MINUTES, min(end // SLOT_MINUTES, horizon)):
                covering[t].append(var)
        short = []
        extra = []
        top = len(problem.agents)
        for t in range(horizon):
            need = int(problem.requirement[t]) if t < len(problem.requirement) else 0
            if need == 0 and not covering[t]:
                continue
            under = model.new_int_var(0, max(need, 0), f"u{t}")
            over = model.new_int_var(0, top, f"o{t}")
            model.add(sum(covering[t]) + under - over == need)
            short.append(under)
            extra.append(over)
        model.minimize(UNDER_WEIGHT * sum(short) + OVER_WEIGHT * sum(extra))
        return model, {"x": x, "short": short, "extra": extra}
    return model, {"x": x}


def _feasible(problem: Problem, drop: frozenset[str], seconds: float) -> bool | None:
    """Whether a roster exists (None: not decided within `seconds`). One worker with the
    full linear relaxation: it proves the counting impossibilities (too few skilled
    agents for the shifts, say) at once, where the default portfolio on two workers
    searched the symmetric assignments until its time ran out."""
    model, _vars = _build(problem, drop, objective=False)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = seconds
    solver.parameters.num_workers = 1
    solver.parameters.linearization_level = 2
    status = solver.solve(model)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return True
    if status == cp_model.INFEASIBLE:
        return False
    return None


def solve(problem: Problem, *, time_limit: float = 10.0, workers: int = 2) -> Solution:
    """The best roster found within `time_limit` seconds (RosterInfeasible when none can
    exist; ValueError for rule values out of range)."""
    errors = check_rules(problem.rules)
    if errors:
        raise ValueError(errors)
    started = clock.perf_counter()
    if _feasible(problem, frozenset(), seconds=max(time_limit / 2, 1.0)) is False:
        for rule in RELAXABLE:
            if _feasible(problem, frozenset({rule}), seconds=max(time_limit / 4, 1.0)):
                raise RosterInfeasible(rule)
        raise RosterInfeasible("combination")
    model, variables = _build(problem, frozenset(), objective=True)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(time_limit - (clock.perf_counter() - started), 1.0)
    solver.parameters.num_workers = workers
    solver.parameters.linearization_level = 2
    callback = _FirstSolution(started)
    status = solver.solve(model, callback)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        raise RosterInfeasible("combination" if status == cp_model.INFEASIBLE else "time")
    assignments = {}
    for (agent_id, d, s), var in variables["x"].items():
        if solver.value(var):
            assignments[agent_id, d] = problem.shifts[s].code
    return Solution(
        assignments=assignments,
        status="optimal" if status == cp_model.OPTIMAL else "feasible",
        short_slots=sum(solver.value(v) for v in variables["short"]),
        extra_slots=sum(solver.value(v) for v in variables["extra"]),
        seconds=clock.perf_counter() - started,
        first_solution_seconds=callback.first,
    )


def violations(problem: Problem, assignments: Mapping[tuple[int, int], str]) -> list[str]:
    """The hard rules a given roster breaks (used to check a hand edit and, in tests, the
    solver's answer): names from the module docstring, each once, in a fixed order."""
    rules = problem.rules
    by_code = {s.code: s for s in problem.shifts}
    broken: set[str] = set()
    for a in problem.agents:
        days = {d: by_code[code] for (aid, d), code in assignments.items() if aid == a.id}
        for d in days:
            if d in a.days_off:
                broken.add("days_off")
        rest = rules.rest_hours * 60
        ends = [(d, shift.span(d)) for d, shift in sorted(days.items())]
        if a.last_end_minute is not None and ends and ends[0][1][0] - a.last_end_minute < rest:
            broken.add("rest")
        for (d1, (_s1, e1)), (d2, (s2, _e2)) in itertools.pairwise(ends):
            if d2 == d1 + 1 and s2 - e1 < rest:
                broken.add("rest")
        run = min(a.worked_days_before, rules.max_consecutive_days + 1)
        for d in range(problem.days):
            run = run + 1 if d in days else 0
            if run > rules.max_consecutive_days:
                broken.add("consecutive")
        for week_start in range(0, problem.days, 7):
            week = range(week_start, min(week_start + 7, problem.days))
            count = sum(1 for d in week if d in days)
            if (len(week) == 7 and count != rules.days_per_week) or count > rules.days_per_week:
                broken.add("days_per_week")
    for skill, minimum in rules.skill_min.items():
        skilled = {a.id for a in problem.agents if skill in a.skills}
        for d in range(problem.days):
            for shift in problem.shifts:
                have = sum(
                    1 for (aid, day), code in assignments.items()
                    if day == d and code == shift.code and aid in skilled
                )  # fmt: skip
                if have < minimum:
                    broken.add("skills")
    order = ("days_per_week", *RELAXABLE)
    return [rule for rule in order if rule in broken]
