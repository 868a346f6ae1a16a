"""Zammad's generic CTI push format at /api/v1/cti/zammad/<token>."""

from __future__ import annotations

import pytest

from postdesk.calls.models import AgentState, Call, CallEvent

# prepared: the second CTI dialect into the same ingestion statements
pytestmark = [pytest.mark.prepared, pytest.mark.django_db]


def _post(client, token, **form):
    return client.post(f"/api/v1/cti/zammad/{token}", data=form)


def test_a_zammad_call(cti, cti_token, staff):
    r = _post(
        cti,
        cti_token,
        event="newCall",
        **{"from": "13912345678"},
        to="11185",
        direction="in",
        callId="z-1",
        **{"user[]": ["agent1"]},
    )
    assert r.status_code == 200 and r.json() == {}
    call = Call.objects.get(call_id="z-1")
    assert call.ringing_extension == "8001" and call.outcome == ""
    assert (
        _post(
            cti,
            cti_token,
            event="answer",
            callId="z-1",
            direction="in",
            **{"from": "13912345678"},
            to="11185",
            answeringNumber="8001",
            **{"user[]": "王晓燕"},
        ).status_code
        == 200
    )
    assert (
        _post(
            cti,
            cti_token,
            event="hangup",
            callId="z-1",
            direction="in",
            cause="normalClearing",
            **{"from": "13912345678"},
            to="11185",
            answeringNumber="8001",
        ).status_code
        == 200
    )
    call.refresh_from_db()
    assert call.outcome == "answered" and call.agent == staff["agent1"]
    assert call.cause == "normalClearing"
    assert AgentState.objects.get(user=staff["agent1"]).state == "after_call"


def test_zammad_resend_is_stored_once(cti, cti_token, org):
    form = {
        "event": "newCall",
        "from": "13912345678",
        "to": "11185",
        "direction": "in",
        "callId": "z-2",
    }
    assert _post(cti, cti_token, **form).status_code == 200
    assert _post(cti, cti_token, **form).status_code == 200
    assert CallEvent.objects.filter(call_key="z-2").count() == 1


def test_zammad_bad_token_and_bad_form(cti, cti_token, org):
    form = {"event": "newCall", "from": "1", "to": "2", "direction": "in", "callId": "z-3"}
    assert _post(cti, "nope", **form).status_code == 401
    response = _post(cti, cti_token, **{**form, "callId": ""})
    assert response.status_code == 400 and "callId" in response.json()["fields"]
    response = _post(cti, cti_token, **{**form, "event": "ringing"})
    assert response.status_code == 400 and "event" in response.json()["fields"]
    assert not Call.objects.exists()


def test_a_pbx_needs_no_csrf_token(cti_token, org):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    form = {
        "event": "newCall",
        "from": "13912345678",
        "to": "11185",
        "direction": "in",
        "callId": "z-4",
    }
    assert strict.post(f"/api/v1/cti/zammad/{cti_token}", data=form).status_code == 200
    body = {"event": "hangup", "call_id": "z-4", "timestamp": "2025-03-04T09:00:00+08:00"}
    import json

    response = strict.post(
        "/api/v1/cti/events",
        data=json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {cti_token}",
    )
    assert response.status_code == 200


def test_zammad_user_values_are_bounded(cti, cti_token, org):
    form = {"event": "newCall", "from": "13912345678", "direction": "in", "callId": "z-5"}
    response = _post(cti, cti_token, **form, **{"user[]": [f"u{i}" for i in range(21)]})
    assert response.status_code == 400 and "user" in response.json()["fields"]
    response = _post(cti, cti_token, **form, **{"user[]": ["x" * 151]})
    assert response.status_code == 400 and "user" in response.json()["fields"]
    response = _post(cti, cti_token, **form, **{"user[]": ["agent\x001"]})
    assert response.status_code == 400 and "user" in response.json()["fields"]
    response = _post(cti, cti_token, **{**form, "from": "abc"})
    assert response.status_code == 400 and "from" in response.json()["fields"]
    assert not Call.objects.exists()
    # twenty names of up to 150 characters are fine
    response = _post(cti, cti_token, **form, **{"user[]": [f"{i:02d}" * 75 for i in range(20)]})
    assert response.status_code == 200


def test_zammad_own_path_and_json_bodies(cti, cti_token, staff):
    """A published Zammad client posts to /api/v1/cti/<token>, JSON or form data."""
    import json

    newcall = {
        "event": "newCall",
        "from": "13912345678",
        "to": "11185",
        "direction": "in",
        "callId": "z-6",
        "user": ["agent1"],
    }
    response = cti.post(
        f"/api/v1/cti/{cti_token}", data=json.dumps(newcall), content_type="application/json"
    )
    assert response.status_code == 200 and response.json() == {}
    assert Call.objects.get(call_id="z-6").ringing_extension == "8001"
    answer = {"event": "answer", "callId": "z-6", "direction": "in", "user": "王晓燕"}
    response = cti.post(
        f"/api/v1/cti/{cti_token}", data=json.dumps(answer), content_type="application/json"
    )
    assert response.status_code == 200
    assert Call.objects.get(call_id="z-6").agent == staff["agent1"]
    hangup = {"event": "hangup", "callId": "z-6", "direction": "in", "cause": "normalClearing"}
    assert cti.post(f"/api/v1/cti/{cti_token}", data=hangup).status_code == 200
    assert Call.objects.get(call_id="z-6").outcome == "answered"
    bad = cti.post(f"/api/v1/cti/{cti_token}", data=b"{no", content_type="application/json")
    assert bad.status_code == 400 and "body" in bad.json()["fields"]
    assert cti.post("/api/v1/cti/not-a-token", data=hangup).status_code == 401


def _zjson(client, token, body):
    import json

    return client.post(
        f"/api/v1/cti/{token}", data=json.dumps(body), content_type="application/json"
    )


def test_answering_number_and_user_are_looked_up_by_extension_login_and_phone(
    cti, cti_token, staff
):
    agent2 = staff["agent2"]
    agent2.phone = "138-0000-2222"
    agent2.save()
    for i, who in enumerate(["8002", "agent2", "+8613800002222", "13800002222"]):
        call_id = f"zl-{i}"
        new = {"event": "newCall", "from": "13912345678", "to": "11185", "direction": "in",
               "callId": call_id}  # fmt: skip
        assert _zjson(cti, cti_token, new).status_code == 200
        answer = {"event": "answer", "callId": call_id, "direction": "in", "answeringNumber": who}
        assert _zjson(cti, cti_token, answer).status_code == 200
        assert Call.objects.get(call_id=call_id).agent == agent2, who
    # the `user` name alone, by login
    new = {"event": "newCall", "from": "13912345678", "to": "11185", "direction": "out",
           "callId": "zl-out", "user": "agent2"}  # fmt: skip
    assert _zjson(cti, cti_token, new).status_code == 200
    assert Call.objects.get(call_id="zl-out").agent == agent2
    # somebody unknown: an extension-like value is kept, an e-mail is not
    answer = {
        "event": "answer",
        "callId": "zl-0",
        "direction": "in",
        "answeringNumber": "nobody@x.org",
    }
    assert _zjson(cti, cti_token, answer).status_code == 200


def test_a_second_answer_from_another_extension_is_a_transfer(cti, cti_token, staff):
    for event, extra in (
        ("newCall", {"from": "13912345678", "to": "11185"}),
        ("answer", {"answeringNumber": "8001"}),
    ):
        assert (
            _post(cti, cti_token, event=event, callId="zt-1", direction="in", **extra).status_code
            == 200
        )
    assert AgentState.objects.get(user=staff["agent1"]).state == "on_call"
    assert _post(cti, cti_token, event="answer", callId="zt-1", direction="in",
                 answeringNumber="8002").status_code == 200  # fmt: skip
    call = Call.objects.get(call_id="zt-1")
    assert call.agent == staff["agent2"] and call.agent_extension == "8002"
    assert [leg["extension"] for leg in call.legs] == ["8001", "8002"]
    assert call.legs[0]["ended_at"] is not None and call.legs[1]["ended_at"] is None
    assert AgentState.objects.get(user=staff["agent1"]).state == "after_call"
    assert AgentState.objects.get(user=staff["agent2"]).state == "on_call"
    assert _post(cti, cti_token, event="hangup", callId="zt-1", direction="in",
                 cause="normalClearing").status_code == 200  # fmt: skip
    call.refresh_from_db()
    assert call.legs[1]["ended_at"] == call.ended_at.isoformat()
    assert AgentState.objects.get(user=staff["agent2"]).state == "after_call"


def test_a_blocked_number_is_rejected_busy_and_outbound_calls_get_dial(
    cti, cti_token, org, settings
):
    from postdesk.calls.models import BlockedNumber

    BlockedNumber.objects.create(number="+8613900000666", note="骚扰")
    new = {"event": "newCall", "from": "139-0000-0666", "to": "11185", "direction": "in",
           "callId": "zb-1"}  # fmt: skip
    response = _zjson(cti, cti_token, new)
    assert response.status_code == 200
    assert response.json() == {"action": "reject", "reason": "busy"}
    assert Call.objects.filter(call_id="zb-1").exists()  # logged as any call
    other = {**new, "from": "13900000667", "callId": "zb-2"}
    assert _zjson(cti, cti_token, other).json() == {}
    out = {"event": "newCall", "from": "8001", "to": "13900000777", "direction": "out",
           "callId": "zb-3", "user": "agent1"}  # fmt: skip
    assert _zjson(cti, cti_token, out).json() == {}
    settings.POSTDESK_CTI_OUTBOUND_CALLER_ID = "057711185"
    out["callId"] = "zb-4"
    assert _zjson(cti, cti_token, out).json() == {
        "action": "dial",
        "caller_id": "057711185",
        "number": "13900000777",
    }
