"""Rosters read from the database: the teams a reader may roster, the solver's problem
for one team and week (agents, skills, requested days off, the days worked just before,
the requirement), a week's roster with its coverage of the requirement, an agent's own
schedule and the swap requests waiting for a lead."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from postdesk.calls.selectors import is_supervisor
from postdesk.core.errors import NotFound, PermissionDenied, ValidationFailed
from postdesk.org.models import Role, Unit, UnitType, User
from postdesk.org.selectors import scope_for
from postdesk.workforce import rostering
from postdesk.workforce.models import (
    AgentSkill,
    DayOffRequest,
    Roster,
    RosterEntry,
    Shift,
    SwapRequest,
)
from postdesk.workforce.selectors.staffing import LOCAL_TZ, staffing_requirement

WEEK = 7
SLOTS_PER_DAY = 48
LOOK_BACK_DAYS = 14  # how far before the week the days worked in a row are counted


def week_start_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def parse_week(day: date, *, field: str = "week") -> date:
    """A roster's week begins on a Monday; any other day is a 400 naming `field`."""
    if day.weekday() != 0:
        raise ValidationFailed(fields={field: _("A roster's week begins on a Monday.")})
    return day


def can_roster(*, user: User, team: Unit) -> bool:
    """Team leads, directors and administrators whose scope holds the team."""
    if not user.is_active or not (is_supervisor(user=user) or user.role == Role.ADMIN):
        return False
    return scope_for(user=user).allows_unit(team.pk)


def roster_teams(*, user: User) -> list[Unit]:
    """The teams (话务班) the reader may roster: a lead's own team first."""
    if not (is_supervisor(user=user) or user.role == Role.ADMIN):
        return []
    scope = scope_for(user=user)
    teams = Unit.objects.filter(type=UnitType.TEAM, is_active=True).order_by("path")
    visible = [t for t in teams if scope.allows_unit(t.pk)]
    own = [t for t in visible if t.pk == user.unit_id]
    return own + [t for t in visible if t.pk != user.unit_id]


def roster_team_get(*, user: User, team_id: int | None) -> Unit:
    teams = roster_teams(user=user)
    if not teams:
        raise PermissionDenied()
    for team in teams:
        if team_id is None or team.pk == team_id:
            return team
    raise NotFound()


def team_agents(*, team: Unit) -> QuerySet[User]:
    """The agents a team's roster places: active agents of the team and the units below."""
    return User.objects.filter(
        is_active=True, role=Role.AGENT, unit__path__startswith=team.path
    ).order_by("agent_no", "username")


def active_shifts() -> list[Shift]:
    return list(Shift.objects.filter(is_active=True))


def _minute(value: time) -> int:
    return value.hour * 60 + value.minute


def shift_spec(shift: Shift) -> rostering.ShiftSpec:
    return rostering.ShiftSpec(shift.code, _minute(shift.start), _minute(shift.end))


def rules_from(data: dict[str, object]) -> rostering.Rules:
    """The rules stored on a roster (its `rules` JSON) as the solver's value."""
    defaults = rostering.Rules()

    def number(name: str, default: float) -> float:
        value = data.get(name, default)
        return float(value) if isinstance(value, int | float) else default

    raw = data.get("skill_min")
    skills = (
        {str(k): v for k, v in raw.items() if isinstance(v, int)} if isinstance(raw, dict) else {}
    )
    return rostering.Rules(
        rest_hours=number("rest_hours", defaults.rest_hours),
        max_consecutive_days=int(number("max_consecutive_days", defaults.max_consecutive_days)),
        days_per_week=int(number("days_per_week", defaults.days_per_week)),
        skill_min=skills,
    )


def rules_as_dict(rules: rostering.Rules) -> dict[str, object]:
    return {
        "rest_hours": rules.rest_hours,
        "max_consecutive_days": rules.max_consecutive_days,
        "days_per_week": rules.days_per_week,
        "skill_min": dict(rules.skill_min),
    }


@dataclass(frozen=True)
class RosterContext:
    """Everything the solver needs for one team and week, read once."""

    team: Unit
    week_start: date
    agents: list[User]
    shifts: list[Shift]
    problem: rostering.Problem
    requirement: list[int]  # staff to schedule per half hour of the week


def _before(
    agents: list[User], week_start: date, shifts: dict[int, Shift]
) -> dict[int, tuple[int | None, int]]:
    """Per agent: (end of the last shift before the week in minutes from its first
    midnight, the days worked in a row up to the day before it)."""
    first = week_start - timedelta(days=LOOK_BACK_DAYS)
    entries = RosterEntry.objects.filter(
        user__in=agents, day__gte=first, day__lt=week_start
    ).values_list("user_id", "day", "shift_id")
    days: dict[int, dict[date, Shift]] = {}
    for user_id, day, shift_id in entries:
        if shift_id in shifts:
            days.setdefault(user_id, {})[day] = shifts[shift_id]
    result: dict[int, tuple[int | None, int]] = {}
    for agent in agents:
        worked = days.get(agent.pk, {})
        last_end = None
        if worked:
            day = max(worked)
            spec = shift_spec(worked[day])
            offset = (day - week_start).days
            last_end = spec.span(offset)[1]
        run = 0
        day = week_start - timedelta(days=1)
        while day in worked:
            run += 1
            day -= timedelta(days=1)
        result[agent.pk] = (last_end, run)
    return result


def week_requirement(*, user: User, week_start: date) -> list[int]:
    """Staff to schedule per half hour of the week (the forecast and Erlang C with the
    requirement page's defaults)."""
    requirement = staffing_requirement(user=user, first=week_start, days=WEEK)
    slots = [0] * (WEEK * SLOTS_PER_DAY)
    for row in requirement.rows:
        index = (row.day - week_start).days * SLOTS_PER_DAY + row.slot
        if 0 <= index < len(slots):
            slots[index] = row.staffing.scheduled
    return slots


def roster_context(
    *,
    user: User,
    team: Unit,
    week_start: date,
    rules: rostering.Rules,
    requirement: list[int] | None = None,
) -> RosterContext:
    """The solver's problem for a team's week; the requirement is the reader's forecast
    unless given."""
    if not can_roster(user=user, team=team):
        raise PermissionDenied()
    agents = list(team_agents(team=team))
    shifts = active_shifts()
    by_id = {s.pk: s for s in Shift.objects.all()}
    skills: dict[int, set[str]] = {}
    for user_id, skill in AgentSkill.objects.filter(user__in=agents).values_list(
        "user_id", "skill"
    ):
        skills.setdefault(user_id, set()).add(skill)
    days_off: dict[int, set[int]] = {}
    last = week_start + timedelta(days=WEEK - 1)
    for user_id, day in DayOffRequest.objects.filter(
        user__in=agents, day__gte=week_start, day__lte=last
    ).values_list("user_id", "day"):
        days_off.setdefault(user_id, set()).add((day - week_start).days)
    before = _before(agents, week_start, by_id)
    if requirement is None:
        requirement = week_requirement(user=user, week_start=week_start)
    specs = [
        rostering.AgentSpec(
            id=a.pk,
            skills=frozenset(skills.get(a.pk, set())),
            days_off=frozenset(days_off.get(a.pk, set())),
            last_end_minute=before[a.pk][0],
            worked_days_before=before[a.pk][1],
        )
        for a in agents
    ]
    problem = rostering.Problem(
        days=WEEK,
        shifts=[shift_spec(s) for s in shifts],
        agents=specs,
        requirement=requirement,
        rules=rules,
    )
    return RosterContext(team, week_start, agents, shifts, problem, requirement)


def roster_get(*, user: User, team: Unit, week_start: date) -> Roster | None:
    if not can_roster(user=user, team=team):
        raise PermissionDenied()
    return Roster.objects.filter(team=team, week_start=week_start).first()


def assignments_of(roster: Roster) -> dict[tuple[int, int], str]:
    return {
        (user_id, (day - roster.week_start).days): code
        for user_id, day, code in roster.entries.values_list("user_id", "day", "shift__code")
    }


@dataclass(frozen=True)
class Coverage:
    """One half hour: the staff it requires, those rostered, and the difference."""

    start: datetime
    required: int
    rostered: int

    @property
    def state(self) -> str:
        if self.rostered < self.required:
            return "under"
        if self.rostered > self.required + max(1, self.required // 5):
            return "over"
        return "ok"


def coverage_of(
    problem: rostering.Problem, assignments: dict[tuple[int, int], str], week_start: date
) -> list[list[Coverage]]:
    """Per day, per half hour: required vs rostered (a shift past midnight covers the
    next morning's half hours)."""
    counts = [0] * (problem.days * SLOTS_PER_DAY)
    by_code = {s.code: s for s in problem.shifts}
    for (_agent, day), code in assignments.items():
        spec = by_code.get(code)
        if spec is None:
            continue
        start, end = spec.span(day)
        for t in range(start // 30, min(end // 30, len(counts))):
            counts[t] += 1
    midnight = datetime.combine(week_start, time.min, tzinfo=LOCAL_TZ)
    days = []
    for d in range(problem.days):
        row = []
        for s in range(SLOTS_PER_DAY):
            t = d * SLOTS_PER_DAY + s
            need = problem.requirement[t] if t < len(problem.requirement) else 0
            row.append(Coverage(midnight + timedelta(minutes=30 * t), need, counts[t]))
        days.append(row)
    return days


@dataclass(frozen=True)
class RosterCell:
    day: date
    entry: RosterEntry | None


@dataclass(frozen=True)
class RosterView:
    context: RosterContext
    roster: Roster | None
    days: list[date]
    grid: list[tuple[User, list[RosterCell]]]
    coverage: list[list[Coverage]]
    broken: list[str]  # rules the week as it stands breaks (after hand edits)
    swaps: list[SwapRequest]
    days_off: list[DayOffRequest]


def roster_view(*, user: User, team: Unit, week_start: date) -> RosterView:
    roster = roster_get(user=user, team=team, week_start=week_start)
    rules = rules_from(roster.rules) if roster else rostering.Rules()
    context = roster_context(user=user, team=team, week_start=week_start, rules=rules)
    days = [week_start + timedelta(days=i) for i in range(WEEK)]
    entries: dict[tuple[int, date], RosterEntry] = {}
    assignments: dict[tuple[int, int], str] = {}
    if roster is not None:
        for entry in roster.entries.select_related("shift"):
            entries[entry.user_id, entry.day] = entry
            assignments[entry.user_id, (entry.day - week_start).days] = entry.shift.code
    grid = [(a, [RosterCell(d, entries.get((a.pk, d))) for d in days]) for a in context.agents]
    swaps = list(
        SwapRequest.objects.filter(
            entry__roster=roster, status=SwapRequest.Status.PENDING
        ).select_related("requester", "colleague", "entry__shift", "colleague_entry__shift")
        if roster
        else []
    )
    return RosterView(
        context=context,
        roster=roster,
        days=days,
        grid=grid,
        coverage=coverage_of(context.problem, assignments, week_start),
        broken=rostering.violations(context.problem, assignments) if roster else [],
        swaps=swaps,
        days_off=list(
            DayOffRequest.objects.filter(
                user__in=context.agents, day__gte=days[0], day__lte=days[-1]
            ).select_related("user")
        ),
    )


@dataclass(frozen=True)
class ScheduleDay:
    day: date
    entry: RosterEntry | None
    day_off: DayOffRequest | None


def schedule_for(*, user: User, first: date, days: int = 14) -> list[ScheduleDay]:
    """The reader's own shifts from `first` (agents see their schedule)."""
    last = first + timedelta(days=days - 1)
    entries = {
        e.day: e
        for e in RosterEntry.objects.filter(user=user, day__gte=first, day__lte=last)
        .select_related("shift", "roster")
    }  # fmt: skip
    asked = {
        r.day: r for r in DayOffRequest.objects.filter(user=user, day__gte=first, day__lte=last)
    }
    return [
        ScheduleDay(day, entries.get(day), asked.get(day))
        for day in (first + timedelta(days=i) for i in range(days))
    ]


def swap_candidates(*, user: User, entry: RosterEntry) -> list[RosterEntry]:
    """Colleagues' entries in the same roster week the reader may ask to swap with."""
    if entry.user_id != user.pk:
        return []
    return list(
        RosterEntry.objects.filter(roster=entry.roster)
        .exclude(user=user)
        .select_related("user", "shift")
        .order_by("day", "shift__start", "user__agent_no")
    )


def swaps_of(*, user: User) -> list[SwapRequest]:
    """The swap requests the reader made or is named in, newest first."""
    return list(
        (SwapRequest.objects.filter(requester=user) | SwapRequest.objects.filter(colleague=user))
        .select_related("requester", "colleague", "entry__shift", "colleague_entry__shift")
        .order_by("-created_at")[:50]
    )


def colleagues_of(*, user: User) -> list[User]:
    """Agents of the reader's team (the people a swap may name)."""
    if user.unit is None:
        return []
    return list(team_agents(team=user.unit).exclude(pk=user.pk))
