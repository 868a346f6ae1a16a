"""Adherence of a team's day from the database: the roster's shifts against the agent
states the CTI recorded (closed periods and the current state), the half hours against
the requirement (an override makes one under-staffed), the page and who may read it."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from postdesk.calls.models import AgentStatePeriod
from postdesk.core.errors import PermissionDenied
from postdesk.workforce.models import ForecastOverride, Roster, RosterEntry, Shift
from postdesk.workforce.selectors import team_adherence
from postdesk.workforce.selectors.staffing import LOCAL_TZ

pytestmark = pytest.mark.django_db


def at(day, hh: int, mm: int = 0) -> datetime:
    return datetime.combine(day, time(hh, mm), tzinfo=LOCAL_TZ)


def period(user, start, end, state):
    AgentStatePeriod.objects.create(user=user, state=state, started_at=start, ended_at=end,
                                    seconds=(end - start).total_seconds())  # fmt: skip


@pytest.fixture
def yesterday(floor, org, staff):
    day = timezone.localdate() - timedelta(days=1)
    team = org["WZ-11185-HW"]
    roster = Roster.objects.create(team=team, week_start=day - timedelta(days=day.weekday()))
    early = Shift.objects.get(code="early")
    late = Shift.objects.get(code="late")
    RosterEntry.objects.create(roster=roster, user=staff["agent1"], day=day, shift=early)
    RosterEntry.objects.create(roster=roster, user=staff["agent2"], day=day, shift=late)
    a1, a2 = staff["agent1"], staff["agent2"]
    period(a1, at(day, 7, 50), at(day, 10), "ready")  # 10 min before the shift
    period(a1, at(day, 10), at(day, 12), "on_call")
    period(a1, at(day, 12), at(day, 13), "not_ready")  # a break
    period(a1, at(day, 13), at(day, 15, 30), "after_call")
    # agent2's late shift (16:00–24:00): in from 17:00 until past midnight
    period(a2, at(day, 17), at(day, 23, 30), "ready")
    period(a2, at(day, 23, 30), at(day, 0, 30) + timedelta(days=1), "on_call")
    ForecastOverride.objects.create(unit=staff["lead1"].unit, start=at(day, 10), calls=100)
    return day, team


def test_each_agent_in_minutes_and_percent(yesterday, staff):
    day, team = yesterday
    result = team_adherence(user=staff["lead1"], team=team, day=day)
    rows = {r.agent.username: r.result for r in result.agents}
    one = rows["agent1"]
    assert one.scheduled_minutes == 480
    assert one.scheduled_by_state == {
        "ready": 120, "on_call": 120, "after_call": 150, "break": 60, "logged_out": 30,
    }  # fmt: skip
    assert (one.in_adherence_minutes, one.out_of_adherence_minutes) == (390, 90)
    assert one.outside_schedule_minutes == 10
    assert one.percent == pytest.approx(81.25)
    two = rows["agent2"]
    assert two.scheduled_minutes == 480
    # 17:00–24:00 worked; the half hour past midnight belongs to the next day's window
    assert (two.in_adherence_minutes, two.outside_schedule_minutes) == (420, 0)
    assert rows["agent3"].scheduled_minutes == 0 and rows["agent3"].percent is None
    assert result.percent == pytest.approx(100 * 810 / 960)


def test_half_hours_against_the_requirement(yesterday, staff):
    day, team = yesterday
    result = team_adherence(user=staff["lead1"], team=team, day=day)
    slots = {s.start.astimezone(LOCAL_TZ).strftime("%H:%M"): s for s in result.slots}
    ten = slots["10:00"]
    assert ten.required == 14  # 100 calls, the default AHT 180 s, 80/20: Erlang C
    assert (ten.rostered, ten.on_floor, ten.state) == (1, 1.0, "under")
    assert (slots["15:30"].rostered, slots["16:30"].rostered, slots["16:30"].on_floor) == (
        1,
        1,
        0.0,
    )
    assert slots["07:30"].on_floor == pytest.approx(1 / 3, abs=0.01)
    assert slots["07:30"].state == "ok"  # nothing required, a third of an agent
    assert (slots["18:00"].on_floor, slots["18:00"].state) == (1.0, "ok")  # 0 + 1 allowed


def test_the_current_state_counts_up_to_now(floor, org, staff):
    from postdesk.calls.services import agent_state_set

    today = timezone.localdate()
    agent_state_set(user=staff["agent1"], state="ready")
    result = team_adherence(user=staff["lead1"], team=org["WZ-11185-HW"], day=today)
    row = next(r for r in result.agents if r.agent.username == "agent1")
    assert row.result.scheduled_minutes == 0
    assert 0 <= row.result.outside_schedule_minutes < 1  # ready since a moment ago


def test_only_the_roster_readers(yesterday, staff, org):
    day, team = yesterday
    for name in ("agent1", "branch1"):
        with pytest.raises(PermissionDenied):
            team_adherence(user=staff[name], team=team, day=day)
    assert team_adherence(user=staff["director1"], team=team, day=day).agents


def test_the_page(yesterday, client_for, staff):
    day, team = yesterday
    lead = client_for("lead1")
    page = lead.get(f"/workforce/adherence/?team={team.pk}&day={day.isoformat()}")
    assert page.status_code == 200
    text = page.content.decode()
    assert 'data-testid="adherence"' in text and "81.3%" in text
    assert 'data-slot="10:00" data-state="under"' in text
    assert "遵从度" in text and "人手不足" in text
    assert lead.get(f"/workforce/adherence/?team={team.pk}&day=2026-13-40").status_code == 400
    assert client_for("agent1").get("/workforce/adherence/").status_code == 403
    roster = lead.get(f"/workforce/rosters/?team={team.pk}").content.decode()
    assert 'data-testid="adherence-link"' in roster
