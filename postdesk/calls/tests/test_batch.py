"""Batched ingestion (`cti_events_ingest`) and the group-commit writer of `postdesk serve`.

Run outside a test transaction (transaction=True), so that on PostgreSQL the batch opens
and commits its own transaction exactly as in production.
"""

from __future__ import annotations

import random
import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from postdesk.calls.events import CtiEvent, parse_cti_json
from postdesk.calls.models import AgentState, AgentStatePeriod, Call, CallEvent
from postdesk.calls.services import cti_event_ingest, cti_events_ingest
from postdesk.calls.simulation import SimulationConfig, simulate
from postdesk.calls.writer import IngestWriter

# prepared: group commit: one batch's statements (pipeline) in its own transaction
pytestmark = [pytest.mark.prepared, pytest.mark.django_db(transaction=True)]

SH = ZoneInfo("Asia/Shanghai")
T0 = datetime(2025, 3, 4, 9, 0, tzinfo=SH)

CALL_COLUMNS = (
    "call_id",
    "direction",
    "from_number",
    "to_number",
    "caller_number",
    "queue",
    "agent_extension",
    "agent_id",
    "ringing_extension",
    "started_at",
    "answered_at",
    "ended_at",
    "wrapup_at",
    "wait_seconds",
    "talk_seconds",
    "hold_seconds",
    "acw_seconds",
    "outcome",
    "cause",
    "recording_url",
    "events_count",
)


def _day(seed: int = 5, minutes: int = 40) -> list[CtiEvent]:
    bodies = simulate(
        SimulationConfig(
            start=T0,
            duration_seconds=minutes * 60,
            calls_per_hour=90,
            agents=2,  # extensions 8001 and 8002: agent1 and agent2 of the demo
            aht=120,
            patience=40,
            seed=seed,
        )
    )
    return [parse_cti_json(body) for body in bodies]


def _snapshot() -> tuple[list[tuple], list[tuple], list[tuple], int]:
    calls = sorted(Call.objects.values_list(*CALL_COLUMNS))
    states = sorted(AgentState.objects.values_list("user_id", "state", "reason", "since"))
    periods = sorted(
        AgentStatePeriod.objects.values_list("user_id", "state", "started_at", "ended_at")
    )
    return calls, states, periods, CallEvent.objects.count()


def _reset() -> None:
    CallEvent.objects.all().delete()
    AgentStatePeriod.objects.all().delete()
    AgentState.objects.all().delete()
    Call.objects.all().delete()


def test_a_batch_answers_each_event_and_stores_duplicates_once(staff):
    newcall = CtiEvent(
        event="newCall",
        call_id="b1",
        timestamp=T0,
        direction="in",
        from_number="13812345678",
        to_number="11185",
        queue="11185",
    )
    answer = CtiEvent(
        event="answer", call_id="b1", timestamp=T0 + timedelta(seconds=8), agent="8001"
    )
    assert cti_event_ingest(event=newcall).created
    other = CtiEvent(
        event="newCall",
        call_id="b2",
        timestamp=T0,
        direction="in",
        from_number="13900000000",
        to_number="11185",
    )
    results = cti_events_ingest(events=[answer, newcall, other, answer])
    assert [r.created for r in results] == [True, False, True, False]
    assert results[0].call_pk == results[1].call_pk != results[2].call_pk
    assert CallEvent.objects.count() == 3
    call = Call.objects.get(call_id="b1")
    assert call.outcome == "answered" and call.wait_seconds == 8
    assert call.agent == staff["agent1"] and call.events_count == 2
    assert AgentState.objects.get(user=staff["agent1"]).state == "on_call"


@pytest.mark.parametrize("seed", [3, 4])
def test_batches_of_any_size_and_order_give_what_one_by_one_gives(staff, seed):
    """The calls, the agent states and their periods are the same whether the events
    come one at a time in time order or shuffled in batches (with repeats)."""
    events = _day(seed)
    assert len(events) > 100
    for event in events:
        cti_event_ingest(event=event)
    expected = _snapshot()
    assert expected[3] == len(events)

    _reset()
    rng = random.Random(seed)
    # late delivery within a few events, and repeats, as a PBX may do
    shuffled = list(events)
    for i in range(len(shuffled) - 1):
        if rng.random() < 0.2:
            shuffled[i], shuffled[i + 1] = shuffled[i + 1], shuffled[i]
    shuffled += rng.sample(events, 20)
    position = 0
    while position < len(shuffled):
        size = rng.choice([1, 2, 5, 16, 40])
        cti_events_ingest(events=shuffled[position : position + size])
        position += size
    calls, _states, _periods, count = _snapshot()
    assert count == len(events)
    assert calls == expected[0]


def test_agent_states_follow_within_one_batch(staff):
    """answer, hangup and wrapup of one call in one batch move the agent as three
    requests would: on a call, after-call work, ready, with both periods kept."""
    agent = staff["agent2"]
    batch = [
        CtiEvent(
            event="newCall",
            call_id="f1",
            timestamp=T0,
            direction="in",
            from_number="13800000001",
            to_number="11185",
        ),
        CtiEvent(event="answer", call_id="f1", timestamp=T0 + timedelta(seconds=2), agent="8002"),
        CtiEvent(event="hangup", call_id="f1", timestamp=T0 + timedelta(seconds=62)),
        CtiEvent(event="wrapup", call_id="f1", timestamp=T0 + timedelta(seconds=82), agent="8002"),
    ]
    cti_events_ingest(events=batch)
    state = AgentState.objects.get(user=agent)
    assert state.state == "ready" and state.call_id is None
    periods = list(
        AgentStatePeriod.objects.filter(user=agent)
        .order_by("started_at")
        .values_list("state", "seconds")
    )
    assert periods == [("on_call", 60.0), ("after_call", 20.0)]


def _newcall(call_id: str, at: datetime = T0) -> CtiEvent:
    return CtiEvent(
        event="newCall",
        call_id=call_id,
        timestamp=at,
        direction="in",
        from_number="13800000001",
        to_number="11185",
    )


# No parser lets this through (it is refused with 400 before it reaches a batch); made
# by hand, it fails inside the batch on both databases (year 0 in UTC).
POISON = _newcall("g-bad", at=datetime(1, 1, 1, tzinfo=SH))


def test_a_failed_batch_stores_nothing(org):
    with pytest.raises(Exception):
        cti_events_ingest(events=[_newcall("g0"), _newcall("g1"), POISON])
    assert not Call.objects.exists() and not CallEvent.objects.exists()


def test_a_poisoned_batch_fails_only_the_bad_event(org):
    """The good events that shared a batch with a bad one are stored and answered; only
    the bad event's own request gets the error. The batch is made for certain: the
    writer's first batch waits on a lock the test holds while the rest queue up."""
    cti_event_ingest(event=_newcall("g-first"))
    locked, release = threading.Event(), threading.Event()

    def hold_the_lock() -> None:
        from django.db import transaction

        with transaction.atomic():  # SQLite: the writers' lock; PostgreSQL: the row
            Call.objects.select_for_update().filter(call_id="g-first").update(queue="held")
            locked.set()
            release.wait(30)
        connection.close()

    holder = threading.Thread(target=hold_the_lock)
    holder.start()
    assert locked.wait(30)
    writer = IngestWriter(threads=1)
    outcomes: dict[str, object] = {}

    def post(event: CtiEvent) -> None:
        try:
            outcomes[event.call_id] = writer.submit(event, timeout=60).created
        except Exception as exc:
            outcomes[event.call_id] = exc

    first = threading.Thread(
        target=post, args=(CtiEvent(event="hangup", call_id="g-first", timestamp=T0),)
    )
    first.start()
    while writer.waiting() or not writer.threads_started():
        threading.Event().wait(0.01)  # the writer took the first event and is blocked
    batch = [_newcall("g0"), _newcall("g1"), POISON, _newcall("g2")]
    threads = [threading.Thread(target=post, args=(event,)) for event in batch]
    for thread in threads:
        thread.start()
    while writer.waiting() < len(batch):
        threading.Event().wait(0.01)
    release.set()
    for thread in [first, *threads]:
        thread.join(60)
    holder.join(30)
    writer.stop()
    assert writer.retried_batches == 1  # the four went in one batch, which failed
    assert {k: v for k, v in outcomes.items() if k != "g-bad"} == {
        "g-first": True,
        "g0": True,
        "g1": True,
        "g2": True,
    }
    assert isinstance(outcomes["g-bad"], Exception)
    assert sorted(Call.objects.values_list("call_id", flat=True)) == ["g-first", "g0", "g1", "g2"]
    assert CallEvent.objects.count() == 5


def test_the_writer_stores_every_event_from_many_threads_once(staff):
    events = _day(seed=9, minutes=20)
    writer = IngestWriter(threads=2)
    lanes = 8
    failures: list[BaseException] = []
    created: list[bool] = []

    def lane(i: int) -> None:
        for event in events[i::lanes]:
            try:
                created.append(writer.submit(event, timeout=60).created)
            except BaseException as exc:  # pragma: no cover - reported below
                failures.append(exc)

    threads = [threading.Thread(target=lane, args=(i,)) for i in range(lanes)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    writer.stop()
    assert not failures
    assert len(created) == len(events) and all(created)
    assert writer.events == len(events)
    assert CallEvent.objects.count() == len(events)
    # the calls are those the events describe, whatever the batches were
    stored = _snapshot()[0]
    _reset()
    for event in events:
        cti_event_ingest(event=event)
    assert stored == _snapshot()[0]
