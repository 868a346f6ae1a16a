"""The CTI event API: idempotency, out-of-order delivery, errors, agent states."""

from __future__ import annotations

import json
import random
from datetime import datetime

import pytest

from postdesk.calls.models import AgentState, AgentStatePeriod, Call, CallEvent
from postdesk.calls.tests.helpers import post_event, ts

# prepared: the CTI event API: `core.rows` statements and the agent states
pytestmark = [pytest.mark.prepared, pytest.mark.django_db]


def _events(call_id="c-1", agent="8001"):
    return [
        dict(
            event="newCall",
            call_id=call_id,
            timestamp=ts(0),
            direction="in",
            from_="13812345678",
            to="11185",
            queue="11185",
        ),
        dict(event="answer", call_id=call_id, timestamp=ts(12), agent=agent),
        dict(event="hold", call_id=call_id, timestamp=ts(40), agent=agent),
        dict(event="unhold", call_id=call_id, timestamp=ts(55), agent=agent),
        dict(
            event="hangup",
            call_id=call_id,
            timestamp=ts(132),
            cause="normalClearing",
            recording_url="https://pbx.example/rec/c-1.wav",
        ),
        dict(event="wrapup", call_id=call_id, timestamp=ts(162), agent=agent),
    ]


def test_a_call_is_built_from_its_events(cti, cti_token, staff):
    for body in _events():
        assert post_event(cti, cti_token, **body).status_code == 200
    call = Call.objects.get(call_id="c-1")
    assert call.direction == "in"
    assert call.caller_number == "+8613812345678"
    assert call.agent == staff["agent1"]
    assert call.outcome == "answered"
    assert (call.wait_seconds, call.talk_seconds, call.hold_seconds, call.acw_seconds) == (
        12,
        120,
        15,
        30,
    )
    assert call.recording_url == "https://pbx.example/rec/c-1.wav"
    assert call.cause == "normalClearing"
    state = AgentState.objects.get(user=staff["agent1"])
    assert state.state == "ready"


def test_the_same_event_twice_is_stored_once_and_answered_200_both_times(cti, cti_token, org):
    body = _events()[0]
    first = post_event(cti, cti_token, **body)
    second = post_event(cti, cti_token, **dict(body))
    assert first.status_code == second.status_code == 200
    assert first.json()["status"] == "stored"
    assert second.json()["status"] == "duplicate"
    assert CallEvent.objects.count() == 1
    assert Call.objects.count() == 1


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_any_arrival_order_gives_the_same_call(cti, cti_token, staff, seed):
    events = _events(call_id=f"o-{seed}")
    random.Random(seed).shuffle(events)
    # and some duplicates on top
    events += events[:2]
    for body in events:
        assert post_event(cti, cti_token, **dict(body)).status_code == 200
    call = Call.objects.get(call_id=f"o-{seed}")
    assert call.started_at == datetime.fromisoformat(ts(0))
    assert call.outcome == "answered"
    assert (call.wait_seconds, call.talk_seconds, call.hold_seconds, call.acw_seconds) == (
        12,
        120,
        15,
        30,
    )
    assert call.events_count == 6
    assert call.from_number == "13812345678"


def test_hangup_before_answer_in_arrival(cti, cti_token, staff):
    post_event(
        cti, cti_token, event="hangup", call_id="x", timestamp=ts(60), cause="normalClearing"
    )
    call = Call.objects.get(call_id="x")  # an unknown call id starts the call
    # all that is known so far: a call that ended as soon as it began
    assert call.outcome == "short_abandoned"
    post_event(cti, cti_token, event="answer", call_id="x", timestamp=ts(10), agent="8001")
    post_event(
        cti,
        cti_token,
        event="newCall",
        call_id="x",
        timestamp=ts(0),
        direction="in",
        from_="0577-88123456",
        to="11185",
    )
    call.refresh_from_db()
    assert call.outcome == "answered"
    assert call.wait_seconds == 10 and call.talk_seconds == 50
    assert call.caller_number == "+8657788123456"
    # the late answer did not put the agent on a call that had ended: wrapping it up
    assert AgentState.objects.get(user=staff["agent1"]).state == "after_call"


def test_abandoned_and_short_abandoned(cti, cti_token, org):
    post_event(
        cti,
        cti_token,
        event="newCall",
        call_id="a1",
        timestamp=ts(0),
        direction="in",
        from_="13800000001",
        to="11185",
    )
    post_event(cti, cti_token, event="hangup", call_id="a1", timestamp=ts(4), cause="cancel")
    post_event(
        cti,
        cti_token,
        event="newCall",
        call_id="a2",
        timestamp=ts(0),
        direction="in",
        from_="13800000002",
        to="11185",
    )
    post_event(cti, cti_token, event="hangup", call_id="a2", timestamp=ts(45), cause="cancel")
    post_event(
        cti,
        cti_token,
        event="newCall",
        call_id="o1",
        timestamp=ts(0),
        direction="out",
        from_="8001",
        to="13800000003",
        agent="8001",
    )
    post_event(cti, cti_token, event="hangup", call_id="o1", timestamp=ts(30), cause="noAnswer")
    outcomes = dict(Call.objects.values_list("call_id", "outcome"))
    assert outcomes == {"a1": "short_abandoned", "a2": "abandoned", "o1": "missed"}


def test_an_unknown_extension_is_kept_and_the_call_counts(cti, cti_token, org):
    post_event(
        cti,
        cti_token,
        event="newCall",
        call_id="u",
        timestamp=ts(0),
        direction="in",
        from_="13800000001",
        to="11185",
    )
    post_event(cti, cti_token, event="answer", call_id="u", timestamp=ts(3), agent="9999")
    call = Call.objects.get(call_id="u")
    assert call.agent_extension == "9999" and call.agent is None
    assert call.outcome == "answered"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"call_id": "m", "timestamp": ts(0)}, "event"),
        ({"event": "ring", "call_id": "m", "timestamp": ts(0)}, "event"),
        ({"event": "answer", "timestamp": ts(0), "agent": "8001"}, "call_id"),
        ({"event": "answer", "call_id": "m", "agent": "8001"}, "timestamp"),
        (
            {
                "event": "answer",
                "call_id": "m",
                "timestamp": "2025-03-04T09:00:00",
                "agent": "8001",
            },
            "timestamp",
        ),
        (
            {"event": "answer", "call_id": "m", "timestamp": "yesterday", "agent": "8001"},
            "timestamp",
        ),
        (
            {"event": "newCall", "call_id": "m", "timestamp": ts(0), "from": "1", "to": "2"},
            "direction",
        ),
        (
            {
                "event": "newCall",
                "call_id": "m",
                "timestamp": ts(0),
                "direction": "sideways",
                "from": "1",
                "to": "2",
            },
            "direction",
        ),
        (
            {"event": "newCall", "call_id": "m", "timestamp": ts(0), "direction": "in", "to": "2"},
            "from",
        ),
        ({"event": "answer", "call_id": "m", "timestamp": ts(0)}, "agent"),
        ({"event": "hangup", "call_id": ["m"], "timestamp": ts(0)}, "call_id"),
        ({"event": "hangup", "call_id": "m" * 101, "timestamp": ts(0)}, "call_id"),
        # off the calendar: an OverflowError (500) and a poisoned batch before (issue 11)
        (
            {"event": "hangup", "call_id": "m", "timestamp": "0001-01-01T00:00:00+08:00"},
            "timestamp",
        ),
        (
            {"event": "hangup", "call_id": "m", "timestamp": "9999-12-31T23:00:00-08:00"},
            "timestamp",
        ),
        (
            {"event": "hangup", "call_id": "m", "timestamp": "9999-06-01T00:00:00+00:00"},
            "timestamp",
        ),
        (
            {"event": "hangup", "call_id": "m", "timestamp": "1899-12-31T23:00:00+00:00"},
            "timestamp",
        ),
        (
            {
                "event": "newCall",
                "call_id": "m",
                "timestamp": ts(0),
                "direction": "in",
                "from": "abc",
                "to": "11185",
            },
            "from",
        ),
        (
            {
                "event": "newCall",
                "call_id": "m",
                "timestamp": ts(0),
                "direction": "in",
                "from": "13812345678",
                "to": "11185; drop",
            },
            "to",
        ),
        ({"event": "hangup", "call_id": "m\x00n", "timestamp": ts(0)}, "call_id"),
        ({"event": "hangup", "call_id": "m", "timestamp": ts(0), "cause": "bu\r\nsy"}, "cause"),
        ({"event": "hangup", "call_id": "m", "timestamp": ts(0), "queue": "q\x1b[31m"}, "queue"),
        ({"event": "answer", "call_id": "m", "timestamp": ts(0), "agent": "80\x0001"}, "agent"),
    ],
)
def test_a_malformed_body_gets_400_naming_the_field(cti, cti_token, org, body, field):
    response = post_event(cti, cti_token, **body)
    assert response.status_code == 400
    assert field in response.json()["fields"]
    assert not Call.objects.exists() and not CallEvent.objects.exists()


def test_not_json_and_not_an_object(cti, cti_token, org):
    for raw in (b"{nope", b"[1, 2]"):
        response = cti.post(
            "/api/v1/cti/events",
            data=raw,
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Token {cti_token}",
        )
        assert response.status_code == 400
        assert "body" in response.json()["fields"]


def test_a_wrong_token_gets_401_and_stores_nothing(cti, cti_token, org, api_for):
    body = _events()[0]
    assert post_event(cti, "cti_forged", **dict(body)).status_code == 401
    response = cti.post(
        "/api/v1/cti/events", data=json.dumps({"event": "x"}), content_type="application/json"
    )
    assert response.status_code == 401
    # a staff user's API token is not an integration token
    staff_client = api_for("admin")
    response = staff_client.post(
        "/api/v1/cti/events", data=json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 401
    assert not Call.objects.exists()


def test_a_revoked_token_stops_working(cti, org):
    from postdesk.calls.services import cti_token_create, cti_token_revoke

    token, raw = cti_token_create(name="old pbx")
    body = _events()[0]
    assert post_event(cti, raw, **dict(body)).status_code == 200
    cti_token_revoke(token_id=token.pk)
    assert post_event(cti, raw, **dict(_events("c-2")[0])).status_code == 401


def test_answer_hangup_wrapup_move_the_state(cti, cti_token, staff):
    from datetime import timedelta

    from django.utils import timezone

    agent = staff["agent2"]
    now = timezone.now()
    t = lambda s: (now + timedelta(seconds=s)).isoformat()  # noqa: E731
    post_event(
        cti,
        cti_token,
        event="newCall",
        call_id="m1",
        timestamp=t(0),
        direction="in",
        from_="13800000001",
        to="11185",
    )
    post_event(cti, cti_token, event="answer", call_id="m1", timestamp=t(2), agent="8002")
    assert AgentState.objects.get(user=agent).state == "on_call"
    post_event(cti, cti_token, event="hangup", call_id="m1", timestamp=t(60), agent="8002")
    assert AgentState.objects.get(user=agent).state == "after_call"
    post_event(cti, cti_token, event="wrapup", call_id="m1", timestamp=t(80), agent="8002")
    assert AgentState.objects.get(user=agent).state == "ready"
    periods = list(
        AgentStatePeriod.objects.filter(user=agent)
        .order_by("started_at")
        .values_list("state", "seconds")
    )
    assert ("on_call", 58.0) in periods and ("after_call", 20.0) in periods


def test_cti_token_command(capsys, db):
    from django.core.management import call_command

    call_command("cti_token", "--create", "asterisk-1")
    raw = capsys.readouterr().out
    assert raw.count("\n") == 1 and raw.strip().startswith("cti_")
    from postdesk.calls.services import cti_token_authenticate

    assert cti_token_authenticate(raw=raw.strip()) is not None
    call_command("cti_token", "--list")
    assert "asterisk-1" in capsys.readouterr().out


def test_a_withheld_number_and_a_number_with_hyphens_are_numbers(cti, cti_token, org):
    for call_id, caller in (("w-1", "anonymous"), ("w-2", "0577-88123456"), ("w-3", "+86 577")):
        response = post_event(
            cti,
            cti_token,
            event="newCall",
            call_id=call_id,
            timestamp=ts(0),
            direction="in",
            from_=caller,
            to="11185",
        )
        assert response.status_code == 200, response.content
    assert Call.objects.get(call_id="w-1").from_number == "anonymous"


def test_the_middleware_answers_what_the_api_view_answers(cti_token, org, settings):
    """`CtiEventsMiddleware` and the API view (the middleware taken out) give the same
    statuses and bodies; which one answered shows in the headers only the rest of the
    middleware adds (X-Frame-Options)."""
    from django.test import Client

    good = dict(
        event="newCall",
        call_id="mw-1",
        timestamp=ts(0),
        direction="in",
        from_="13812345678",
        to="11185",
    )
    cases = [
        ({}, good),
        ({}, good),  # the duplicate
        ({}, {**good, "direction": "up"}),
        ({}, {**good, "timestamp": "0001-01-01T00:00:00+08:00"}),
        ({"HTTP_ACCEPT_LANGUAGE": "en"}, {**good, "from_": "abc"}),
    ]

    def answers(client):
        out = []
        for headers, body in cases:
            body = {("from" if k == "from_" else k): v for k, v in body.items()}
            response = client.post(
                "/api/v1/cti/events",
                data=json.dumps(body),
                content_type="application/json",
                HTTP_AUTHORIZATION=f"Token {cti_token}",
                **headers,
            )
            out.append((response.status_code, response.json(), "X-Frame-Options" in response))
        forged = Client().post("/api/v1/cti/events", data="{}", content_type="application/json",
                               HTTP_AUTHORIZATION="Token forged")  # fmt: skip
        out.append((forged.status_code, forged.json()["code"], "X-Frame-Options" in forged))
        return out

    fast = answers(Client())
    CallEvent.objects.all().delete()
    Call.objects.all().delete()
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if "CtiEventsMiddleware" not in m]
    plain = answers(Client())
    assert [a[:2] for a in fast] == [a[:2] for a in plain]
    assert [a[1] for a in fast][:2] == [
        {"status": "stored", "call_id": "mw-1"},
        {"status": "duplicate", "call_id": "mw-1"},
    ]
    assert not any(a[2] for a in fast) and all(a[2] for a in plain)


def test_wrong_cti_tokens_are_throttled_per_address(cti, cti_token, org, settings):
    """Issue 11: after the limit of wrong tokens from one address, 429 with Retry-After
    (JSON endpoint and Zammad's path alike), and no token from there is looked up until
    the window ends; a token this process knows already is not slowed down."""
    settings.POSTDESK_CTI_TOKEN_FAIL_LIMIT = 3
    settings.POSTDESK_CTI_TOKEN_FAIL_WINDOW = 600
    body = dict(event="hangup", call_id="rl-1", timestamp=ts(0))
    assert post_event(cti, cti_token, **body).status_code == 200  # known to this process now
    for _ in range(2):
        assert post_event(cti, "wrong", **body).status_code == 401
    zammad = {"event": "hangup", "callId": "rl-1", "direction": "in"}
    assert cti.post("/api/v1/cti/also-wrong", data=zammad).status_code == 401
    refused = post_event(cti, "wrong", **body)
    assert refused.status_code == 429 and refused.json()["code"] == "rate_limited"
    assert 0 < int(refused["Retry-After"]) <= 600
    refused = cti.post("/api/v1/cti/zammad/wrong", data=zammad)
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    # a real token this process has not seen yet is not even looked up meanwhile
    from postdesk.calls.services import cti_token_create

    fresh = cti_token_create(name="other pbx")[1]
    assert post_event(cti, fresh, **body).status_code == 429
    assert post_event(cti, cti_token, **body).status_code == 200
    # another address is not concerned
    other = post_event(cti, fresh, meta={"REMOTE_ADDR": "10.1.2.3"}, **body)
    assert other.status_code == 200, other.content


def test_the_events_endpoint_keeps_the_host_check(cti, cti_token, org):
    """The short way through the middleware still checks the Host (the fast path of
    `postdesk serve` skipped it)."""
    body = dict(event="hangup", call_id="host-1", timestamp=ts(0))
    response = post_event(cti, cti_token, meta={"HTTP_HOST": "evil.example"}, **body)
    assert response.status_code == 400
    assert not CallEvent.objects.filter(call_key="host-1").exists()
    assert post_event(cti, cti_token, **body).status_code == 200
