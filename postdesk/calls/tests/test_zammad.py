"""Zammad's generic CTI push format at /api/v1/cti/zammad/<token>."""

from __future__ import annotations

import pytest

from postdesk.calls.models import AgentState, Call, CallEvent

pytestmark = pytest.mark.django_db


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
