"""The periodic jobs: calls whose hangup never came, agents stuck on a call, retention."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from postdesk.calls.models import AgentState, AgentStatePeriod, Call, CallEvent
from postdesk.calls.services import calls_purge_old, calls_sweep_stale
from postdesk.calls.tests.helpers import T0, post_event, ts

pytestmark = pytest.mark.django_db

LATER = T0 + timedelta(hours=5)


def _new_call(cti, token, call_id, at=0.0, caller="13812345678"):
    response = post_event(
        cti,
        token,
        event="newCall",
        call_id=call_id,
        timestamp=ts(at),
        direction="in",
        from_=caller,
        to="11185",
        queue="11185",
    )
    assert response.status_code == 200


def test_an_answered_call_without_hangup_is_closed_and_its_agent_logged_out(cti, cti_token, staff):
    _new_call(cti, cti_token, "s1")
    post_event(cti, cti_token, event="answer", call_id="s1", timestamp=ts(10), agent="8001")
    post_event(cti, cti_token, event="hold", call_id="s1", timestamp=ts(40), agent="8001")
    assert AgentState.objects.get(user=staff["agent1"]).state == "on_call"

    result = calls_sweep_stale(now=LATER, hours=4)

    assert (result.calls_closed, result.agents_released) == (1, 1)
    call = Call.objects.get(call_id="s1")
    # closed at its last known moment: the time after it is unknown, not talk time
    assert call.ended_at == datetime.fromisoformat(ts(40))
    assert call.outcome == "answered" and call.talk_seconds == 30
    assert call.cause == "no_hangup"
    assert CallEvent.objects.filter(call_key="s1", event="hangup", source="sweep").count() == 1
    state = AgentState.objects.get(user=staff["agent1"])
    assert state.state == "logged_out" and state.call_id is None
    assert state.since == datetime.fromisoformat(ts(40))
    periods = list(
        AgentStatePeriod.objects.filter(user=staff["agent1"])
        .order_by("started_at")
        .values_list("state", "seconds")
    )
    assert periods[-1] == ("on_call", 30.0)
    assert not AgentStatePeriod.objects.filter(user=staff["agent1"], seconds=0).exists()
    # idempotent: a second run finds nothing more to do
    again = calls_sweep_stale(now=LATER + timedelta(minutes=5), hours=4)
    assert (again.calls_closed, again.agents_released) == (0, 0)
    assert Call.objects.get(call_id="s1").events_count == 4


def test_a_real_hangup_arriving_after_the_sweep_wins(cti, cti_token, staff):
    _new_call(cti, cti_token, "s2")
    post_event(cti, cti_token, event="answer", call_id="s2", timestamp=ts(10), agent="8001")
    calls_sweep_stale(now=LATER, hours=4)
    response = post_event(
        cti, cti_token, event="hangup", call_id="s2", timestamp=ts(130), cause="normalClearing"
    )
    assert response.status_code == 200
    call = Call.objects.get(call_id="s2")
    assert call.ended_at == datetime.fromisoformat(ts(130))
    assert call.talk_seconds == 120 and call.cause == "normalClearing"
    # the agent, released by the sweep, is not put back into after-call work
    assert AgentState.objects.get(user=staff["agent1"]).state == "logged_out"


def test_an_unanswered_open_call_closes_as_a_short_abandon(cti, cti_token, org):
    """Its end is unknown: counted neither as answered nor against the service level."""
    _new_call(cti, cti_token, "s3")
    calls_sweep_stale(now=LATER, hours=4)
    call = Call.objects.get(call_id="s3")
    assert call.ended_at == call.started_at
    assert call.outcome == "short_abandoned"


def test_recent_calls_and_agents_are_left_alone(cti, cti_token, staff):
    _new_call(cti, cti_token, "s4", at=3 * 3600)
    post_event(
        cti, cti_token, event="answer", call_id="s4", timestamp=ts(3 * 3600 + 5), agent="8002"
    )
    result = calls_sweep_stale(now=LATER, hours=4)
    assert (result.calls_closed, result.agents_released) == (0, 0)
    assert Call.objects.get(call_id="s4").ended_at is None
    assert AgentState.objects.get(user=staff["agent2"]).state == "on_call"


def test_an_agent_stuck_in_after_call_work_is_logged_out_as_of_the_hangup(cti, cti_token, staff):
    _new_call(cti, cti_token, "s5")
    post_event(cti, cti_token, event="answer", call_id="s5", timestamp=ts(10), agent="8002")
    post_event(cti, cti_token, event="hangup", call_id="s5", timestamp=ts(70), agent="8002")
    assert AgentState.objects.get(user=staff["agent2"]).state == "after_call"
    result = calls_sweep_stale(now=LATER, hours=4)
    assert (result.calls_closed, result.agents_released) == (0, 1)
    state = AgentState.objects.get(user=staff["agent2"])
    assert state.state == "logged_out"
    assert state.since == datetime.fromisoformat(ts(70))
    assert Call.objects.get(call_id="s5").cause == ""  # the call itself was complete


def test_an_agent_on_a_call_still_open_waits_for_the_call_sweep(cti, cti_token, staff):
    _new_call(cti, cti_token, "s6")
    post_event(cti, cti_token, event="answer", call_id="s6", timestamp=ts(10), agent="8001")
    # a run that may close no call at all (limit 0) must not release the agent
    result = calls_sweep_stale(now=LATER, hours=4, limit=0)
    assert (result.calls_closed, result.agents_released) == (0, 0)
    assert AgentState.objects.get(user=staff["agent1"]).state == "on_call"


def _age(model, field, pks, when):
    model.objects.filter(pk__in=pks).update(**{field: when})


def test_retention_purges_old_events_and_periods_only(cti, cti_token, staff):
    from django.utils import timezone

    now = timezone.now()
    for i in range(6):
        _new_call(cti, cti_token, f"r{i}", at=i)
        post_event(
            cti, cti_token, event="answer", call_id=f"r{i}", timestamp=ts(i + 5), agent="8001"
        )
    events = list(CallEvent.objects.order_by("pk").values_list("pk", flat=True))
    assert len(events) == 12
    # the first eight were received 200 days ago, in order; a gap in the ids too
    for n, pk in enumerate(events[:8]):
        _age(CallEvent, "received_at", [pk], now - timedelta(days=200, minutes=-n))
    CallEvent.objects.filter(pk=events[3]).delete()
    periods = [
        AgentStatePeriod.objects.create(
            user=staff["agent1"],
            state="ready",
            started_at=now - timedelta(days=d, seconds=60),
            ended_at=now - timedelta(days=d),
            seconds=60,
        ).pk
        for d in (500, 300, 1)
    ]
    _age(AgentStatePeriod, "ended_at", periods[:1], now - timedelta(days=500))

    result = calls_purge_old(now=now, event_days=180, period_days=400, chunk=3)

    assert result.events == 7 and result.periods == 1
    assert sorted(CallEvent.objects.values_list("pk", flat=True)) == events[8:]
    assert not AgentStatePeriod.objects.filter(pk=periods[0]).exists()
    assert AgentStatePeriod.objects.count() == len(periods) - 1
    assert Call.objects.count() == 6
    # the calls still rebuild from their own copy of their events
    post_event(cti, cti_token, event="hangup", call_id="r0", timestamp=ts(65))
    call = Call.objects.get(call_id="r0")
    assert call.outcome == "answered" and call.talk_seconds == 60 and call.events_count == 3
    # nothing more to purge; 0 days keeps everything
    assert calls_purge_old(now=now, event_days=180, period_days=400) == result.__class__(0, 0)
    assert calls_purge_old(now=now + timedelta(days=999), event_days=0, period_days=0) == (
        result.__class__(0, 0)
    )


def test_the_periodic_jobs_are_in_the_beat_table_and_run(cti, cti_token, staff):
    from postdesk.core.embedded import _load_task
    from postdesk.schedule import BEAT_SCHEDULE

    names = {entry["task"] for entry in BEAT_SCHEDULE.values()}
    assert {
        "postdesk.calls.tasks.calls_sweep_stale",
        "postdesk.calls.tasks.calls_purge_old",
    } <= names
    _new_call(cti, cti_token, "t1")  # T0 is long past: stale by the default limit
    sweep = _load_task("postdesk.calls.tasks.calls_sweep_stale")
    purge = _load_task("postdesk.calls.tasks.calls_purge_old")
    assert sweep.run() == {"calls_closed": 1, "agents_released": 0}
    assert Call.objects.get(call_id="t1").ended_at is not None
    assert purge.run() == {"events": 0, "periods": 0}
