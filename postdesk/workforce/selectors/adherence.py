"""Schedule adherence of a team's day (definitions in `workforce.adherence`): each
agent's rostered shifts against the agent states the CTI recorded (`calls`), and each
half hour's agents on the floor and rostered against the requirement."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from postdesk.calls.models import AgentState, AgentStatePeriod
from postdesk.core.errors import PermissionDenied
from postdesk.org.models import Unit, User
from postdesk.workforce import adherence as ad
from postdesk.workforce.models import RosterEntry
from postdesk.workforce.selectors.rosters import can_roster, shift_spec, team_agents
from postdesk.workforce.selectors.staffing import LOCAL_TZ, staffing_requirement

SLOTS = 48


@dataclass(frozen=True)
class AgentDay:
    agent: User
    shifts: list[RosterEntry]
    result: ad.DayAdherence


@dataclass(frozen=True)
class SlotCover:
    start: datetime
    required: int  # agents on the floor the requirement asks for (Erlang C's N)
    rostered: int
    on_floor: float

    @property
    def state(self) -> str:
        return ad.staffing_state(self.on_floor, self.required)


@dataclass(frozen=True)
class TeamDay:
    team: Unit
    day: date
    agents: list[AgentDay]
    slots: list[SlotCover]

    @property
    def percent(self) -> float | None:
        scheduled = sum(a.result.scheduled_minutes for a in self.agents)
        if scheduled <= 0:
            return None
        return 100.0 * sum(a.result.in_adherence_minutes for a in self.agents) / scheduled


def _span(entry: RosterEntry, midnight: datetime) -> ad.Span:
    start, end = shift_spec(entry.shift).span(0)
    return midnight + timedelta(minutes=start), midnight + timedelta(minutes=end)


def _periods(agents: list[User], window: ad.Span) -> dict[int, list[ad.Period]]:
    """The CTI's state periods overlapping the window, the current state up to now."""
    result: dict[int, list[ad.Period]] = {a.pk: [] for a in agents}
    rows = AgentStatePeriod.objects.filter(
        user__in=agents, ended_at__gt=window[0], started_at__lt=window[1]
    ).values_list("user_id", "started_at", "ended_at", "state")
    for user_id, start, end, state in rows:
        result[user_id].append(ad.Period(start, end, state))
    now = timezone.now()
    current = AgentState.objects.filter(user__in=agents, since__lt=min(now, window[1]))
    for user_id, since, state in current.values_list("user_id", "since", "state"):
        result[user_id].append(ad.Period(since, min(now, window[1]), state))
    return result


def team_adherence(*, user: User, team: Unit, day: date) -> TeamDay:
    """A team's adherence on one local day: the team's leads, its centre's directors and
    administrators (the roster's readers) only."""
    if not can_roster(user=user, team=team):
        raise PermissionDenied()
    agents = list(team_agents(team=team))
    midnight = datetime.combine(day, time.min, tzinfo=LOCAL_TZ)
    entries: dict[int, list[RosterEntry]] = {a.pk: [] for a in agents}
    for entry in RosterEntry.objects.filter(user__in=agents, day=day).select_related("shift"):
        entries[entry.user_id].append(entry)
    spans = {pk: [_span(e, midnight) for e in rows] for pk, rows in entries.items()}
    end = max([midnight + timedelta(days=1)] + [e for s in spans.values() for _b, e in s])
    window = (midnight, end)
    periods = _periods(agents, window)
    rows = [
        AgentDay(a, entries[a.pk], ad.day_adherence(spans[a.pk], periods[a.pk], window))
        for a in agents
    ]
    rostered = [0] * SLOTS
    for agent_spans in spans.values():
        for begin, finish in agent_spans:
            for t in range(SLOTS):
                slot = midnight + ad.SLOT * t
                if begin < slot + ad.SLOT and finish > slot:
                    rostered[t] += 1
    requirement = staffing_requirement(user=user, first=day, days=1)
    required = [0] * SLOTS
    for row in requirement.rows:
        required[row.slot] = row.staffing.agents
    floor = ad.on_floor_per_slot(periods.values(), midnight, SLOTS)
    slots = [
        SlotCover(midnight + ad.SLOT * t, required[t], rostered[t], floor[t]) for t in range(SLOTS)
    ]
    return TeamDay(team=team, day=day, agents=rows, slots=slots)
