"""Rosters in the database: a team's week built against the requirement, an impossible
rule named with nothing written, hand edits checked against the agents' rules, requested
days off kept, swaps the lead approves, the agents' own schedule, the week before
counted."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from postdesk.core.errors import Conflict, PermissionDenied, ValidationFailed
from postdesk.workforce import rostering
from postdesk.workforce.models import AgentSkill, Roster, RosterEntry, SwapRequest
from postdesk.workforce.selectors import roster_view, schedule_for, week_start_of
from postdesk.workforce.selectors.rosters import assignments_of, roster_context, rules_from
from postdesk.workforce.services import (
    EntryChange,
    RulesInput,
    day_off_request,
    roster_build,
    roster_entries_set,
    swap_request_create,
    swap_request_decide,
)

pytestmark = pytest.mark.django_db
AGENTS = [f"agent{i}" for i in range(1, 9)]


def need(busy: int = 3) -> list[int]:
    """Staff to schedule per half hour of a week: 08:00–24:00 busy, the night empty."""
    day = [0] * 16 + [busy] * 16 + [busy - 1] * 16
    return day * 7


@pytest.fixture
def week():
    return week_start_of(timezone.localdate()) + timedelta(days=7)


@pytest.fixture
def team(org):
    return org["WZ-11185-HW"]


def build(lead, team, week, **rules):
    return roster_build(
        actor=lead, team=team, week_start=week, rules=RulesInput(**rules), requirement=need()
    )


def test_a_week_is_built_against_the_requirement_within_the_rules(floor, staff, team, week):
    roster = build(staff["lead1"], team, week)
    entries = list(roster.entries.select_related("user", "shift"))
    worked = {}
    for entry in entries:
        worked[entry.user.username] = worked.get(entry.user.username, 0) + 1
    assert set(worked) == set(AGENTS) and set(worked.values()) == {5}
    assert all(week <= e.day < week + timedelta(days=7) for e in entries)
    context = roster_context(
        user=staff["lead1"], team=team, week_start=week, rules=rules_from(roster.rules),
        requirement=need(),
    )  # fmt: skip
    assert rostering.violations(context.problem, assignments_of(roster)) == []
    assert roster.solver["status"] in {"optimal", "feasible"}
    assert roster.rules["rest_hours"] == 11.0
    # 8 agents × 5 days × 16 half hours = 640 agent-half-hours for a need of 40 × 7 = 280
    assert roster.solver["short_slots"] == 0
    # a rebuild replaces the week (one roster, the same number of entries)
    again = build(staff["lead1"], team, week)
    assert again.pk == roster.pk and again.entries.count() == 40
    assert Roster.objects.count() == 1


@pytest.mark.parametrize(
    ("rules", "field"),
    [
        ({"skill_min": {"english": 1}}, "skill_min"),  # nobody in the team speaks English
        ({"days_per_week": 7}, "max_consecutive_days"),
        ({"rest_hours": 24, "days_per_week": 6}, "rest_hours"),  # a late shift, then a day off
    ],
)
def test_a_rule_no_roster_can_meet_is_named_and_nothing_is_written(
    floor, staff, team, week, rules, field
):
    with pytest.raises(ValidationFailed) as caught:
        build(staff["lead1"], team, week, **rules)
    assert caught.value.code == "roster_infeasible"
    assert list(caught.value.fields) == [field]
    assert not Roster.objects.exists() and not RosterEntry.objects.exists()


def test_requested_days_off_are_kept_and_impossible_ones_named(floor, staff, team, week):
    agent = staff["agent3"]
    day_off_request(actor=agent, day=week + timedelta(days=2), reason="体检")
    roster = build(staff["lead1"], team, week)
    assert not roster.entries.filter(user=agent, day=week + timedelta(days=2)).exists()
    # three days off in a week of 5 working days: no roster keeps all
    for offset in (0, 1, 3):
        day_off_request(actor=agent, day=week + timedelta(days=offset))
    with pytest.raises(ValidationFailed) as caught:
        build(staff["lead1"], team, week)
    assert list(caught.value.fields) == ["days_off"]
    assert roster.entries.count() == 40  # the earlier roster is untouched


def test_the_skill_minimum_is_met(floor, staff, team, week):
    for name in ("agent1", "agent2", "agent3", "agent4", "agent5"):
        AgentSkill.objects.create(user=staff[name], skill="english")
    roster = build(staff["lead1"], team, week, skill_min={"english": 1})
    english = {staff[n].pk for n in ("agent1", "agent2", "agent3", "agent4", "agent5")}
    for offset in range(7):
        day = week + timedelta(days=offset)
        for code in ("early", "middle", "late"):
            assert roster.entries.filter(day=day, shift__code=code, user__in=english).exists()


def test_rule_values_out_of_range_are_400s(floor, staff, team, week):
    for rules, field in (
        ({"rest_hours": -1}, "rest_hours"),
        ({"max_consecutive_days": 0}, "max_consecutive_days"),
        ({"days_per_week": 8}, "days_per_week"),
        ({"skill_min": {"klingon": 1}}, "skill_min.klingon"),
        ({"skill_min": {"english": -1}}, "skill_min.english"),
    ):
        with pytest.raises(ValidationFailed) as caught:
            build(staff["lead1"], team, week, **rules)
        assert field in caught.value.fields
    with pytest.raises(ValidationFailed) as caught:
        build(staff["lead1"], team, week + timedelta(days=1))
    assert "week" in caught.value.fields
    with pytest.raises(PermissionDenied):
        build(staff["agent1"], team, week)
    assert not Roster.objects.exists()


def test_a_hand_edit_is_checked_against_the_agents_rules(floor, staff, team, week):
    lead = staff["lead1"]
    roster = build(lead, team, week)
    agent = staff["agent1"]
    days = {e.day: e.shift.code for e in roster.entries.filter(user=agent)}
    # give the agent a late shift before a worked day and an early one after it
    worked = sorted(days)
    first = next(d for d in worked if d + timedelta(days=1) in days)
    before = dict(days)
    with pytest.raises(ValidationFailed) as caught:
        roster_entries_set(
            actor=lead,
            roster=roster,
            changes=[
                EntryChange(agent.pk, first, "late"),
                EntryChange(agent.pk, first + timedelta(days=1), "early"),
            ],
        )
    assert caught.value.code == "roster_rule"
    assert "11" in str(caught.value.message)
    assert {e.day: e.shift.code for e in roster.entries.filter(user=agent)} == before
    # an edit within the rules is written, marked as a hand edit
    free = next(d for d in (week + timedelta(days=i) for i in range(7)) if d not in days)
    applied = roster_entries_set(
        actor=lead,
        roster=roster,
        changes=[EntryChange(agent.pk, worked[-1], None), EntryChange(agent.pk, free, "middle")],
    )
    edited = roster.entries.get(user=agent, day=free)
    assert edited.source == "manual" and edited.shift.code == "middle"
    assert len(applied) == 2
    # bending the team's rules is allowed and shown: the week still has 5 days each
    view = roster_view(user=lead, team=team, week_start=week)
    assert view.broken == []
    roster_entries_set(actor=lead, roster=roster, changes=[EntryChange(agent.pk, free, None)])
    assert roster_view(user=lead, team=team, week_start=week).broken == ["days_per_week"]
    with pytest.raises(ValidationFailed) as caught:
        roster_entries_set(
            actor=lead, roster=roster, changes=[EntryChange(staff["branch1"].pk, free, "early")]
        )
    assert list(caught.value.fields) == [f"cell.{staff['branch1'].pk}.{free.isoformat()}"]


def test_swaps_are_approved_by_the_lead(floor, staff, team, week):
    from postdesk.workforce.models import Shift

    Shift.objects.exclude(code="early").update(is_active=False)  # no rest to worry about
    lead = staff["lead1"]
    roster = build(lead, team, week)
    a, b = staff["agent1"], staff["agent2"]
    d1, d2 = week + timedelta(days=1), week + timedelta(days=4)
    roster_entries_set(
        actor=lead,
        roster=roster,
        changes=[
            EntryChange(a.pk, d1, "early"),
            EntryChange(a.pk, d2, None),
            EntryChange(b.pk, d1, None),
            EntryChange(b.pk, d2, "early"),
        ],
    )
    mine = roster.entries.get(user=a, day=d1)
    theirs = roster.entries.get(user=b, day=d2)
    swap = swap_request_create(
        actor=a, entry=mine, colleague=b, colleague_entry=theirs, reason="家中有事"
    )
    with pytest.raises(Conflict):
        swap_request_create(actor=a, entry=mine, colleague=b, colleague_entry=theirs)
    with pytest.raises(PermissionDenied):
        swap_request_decide(actor=a, swap=swap, approve=True)
    decided = swap_request_decide(actor=lead, swap=swap, approve=True)
    assert decided.status == "approved" and decided.decided_by == lead
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert (mine.user_id, mine.day) == (b.pk, d1) and (theirs.user_id, theirs.day) == (a.pk, d2)
    assert mine.source == theirs.source == "swap"
    with pytest.raises(Conflict):
        swap_request_decide(actor=lead, swap=swap, approve=False)
    # a colleague who already works the day cannot take the shift over
    busy = roster.entries.filter(user=a).exclude(day=d2).first()
    assert busy is not None
    other = roster.entries.filter(day=busy.day).exclude(user=a).first()
    with pytest.raises(ValidationFailed) as caught:
        swap_request_create(actor=a, entry=busy, colleague=other.user)
    assert list(caught.value.fields) == ["colleague"]


def test_a_swap_that_breaks_the_rest_rule_is_refused_and_changes_nothing(floor, staff, team, week):
    lead = staff["lead1"]
    roster = build(lead, team, week)
    a, b = staff["agent1"], staff["agent2"]
    day = week + timedelta(days=2)
    # b works the late shift the day before a's early one; a is free that evening
    roster_entries_set(
        actor=lead,
        roster=roster,
        changes=[
            EntryChange(a.pk, day - timedelta(days=1), None),
            EntryChange(a.pk, day, "early"),
            EntryChange(b.pk, day - timedelta(days=1), "late"),
            EntryChange(b.pk, day, None),
        ],
    )
    late = roster.entries.get(user=b, day=day - timedelta(days=1))
    early = roster.entries.get(user=a, day=day)
    swap = swap_request_create(actor=b, entry=late, colleague=a)  # a would take it
    with pytest.raises(ValidationFailed) as caught:
        swap_request_decide(actor=lead, swap=swap, approve=True)
    assert list(caught.value.fields) == ["rest_hours"]
    late.refresh_from_db()
    early.refresh_from_db()
    assert late.user_id == b.pk and early.user_id == a.pk
    assert SwapRequest.objects.get(pk=swap.pk).status == "pending"
    assert swap_request_decide(actor=lead, swap=swap, approve=False).status == "rejected"


def test_agents_see_their_own_schedule(floor, staff, team, week):
    roster = build(staff["lead1"], team, week)
    agent = staff["agent4"]
    days = schedule_for(user=agent, first=week, days=7)
    assert [d.day for d in days] == [week + timedelta(days=i) for i in range(7)]
    assert {d.day for d in days if d.entry} == set(
        roster.entries.filter(user=agent).values_list("day", flat=True)
    )
    assert all(d.entry.user_id == agent.pk for d in days if d.entry)


def test_the_week_before_counts_for_rest_and_days_in_a_row(floor, staff, team, week):
    lead = staff["lead1"]
    first = build(lead, team, week)
    second = build(lead, team, week + timedelta(days=7))
    assert first.pk != second.pk
    by_code = {"early": (8, 16), "middle": (12, 20), "late": (16, 24)}
    for name in AGENTS:
        entries = {
            e.day: e.shift.code
            for e in RosterEntry.objects.filter(user=staff[name]).select_related("shift")
        }
        run = 0
        for offset in range(14):
            day = week + timedelta(days=offset)
            run = run + 1 if day in entries else 0
            assert run <= 6
            nxt = day + timedelta(days=1)
            if day in entries and nxt in entries:
                rest = 24 + by_code[entries[nxt]][0] - by_code[entries[day]][1]
                assert rest >= 11, (name, day)


def test_day_off_requests_are_checked(floor, staff):
    agent = staff["agent1"]
    today = timezone.localdate()
    with pytest.raises(ValidationFailed):
        day_off_request(actor=agent, day=today - timedelta(days=1))
    with pytest.raises(ValidationFailed):
        day_off_request(actor=agent, day=today + timedelta(days=91))
    with pytest.raises(PermissionDenied):
        day_off_request(actor=staff["lead1"], day=today)
    first = day_off_request(actor=agent, day=today + timedelta(days=3))
    assert day_off_request(actor=agent, day=today + timedelta(days=3)).pk == first.pk
