"""The callbacks API: list, create, attempts, assign, cancel — per role, with bad input
(4xx, nothing written)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from postdesk.callbacks.models import CallbackAttempt, CallbackEvent, CallbackTask

pytestmark = pytest.mark.django_db


def _new(api, who="agent1", **body):
    payload = {"reason": "other", "phone": "13900001111", "name": "王五", **body}
    return api(who).post("/api/v1/callbacks/", payload)


def test_create_and_read_it_back_masked(api, make_order):
    order = make_order(type="query", title="查询资费")
    start = timezone.now() + timedelta(minutes=10)
    r = _new(
        api,
        reason="work_order_callback",
        phone="",
        name="",
        work_order=order.number,
        window_start=start.isoformat(),
        window_end=(start + timedelta(hours=1)).isoformat(),
        priority="high",
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["phone"] == "138****5678" and body["name"] == "李*" and body["contact_masked"]
    assert (body["status"], body["work_order"], body["assignee"], body["team"]) == (
        "open",
        order.number,
        None,
        "WZ-11185-HW",
    )
    assert body["allowed_actions"] == ["start", "record", "assign", "complete", "cancel"]
    r = api("agent1").get(f"/api/v1/callbacks/{body['id']}/")
    assert r.status_code == 200 and r.json()["priority"] == "high"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"reason": "nonsense"}, "reason"),
        ({"phone": "not a phone"}, "phone"),
        ({"priority": "asap"}, "priority"),
        ({"assignee": "nobody"}, "assignee"),
        ({"team": "NOPE"}, "team"),
        ({"work_order": "20990101-0001"}, "work_order"),
        ({"call": "no-such-call"}, "call"),
        ({"max_attempts": 0}, "max_attempts"),
        (
            {
                "window_start": "2026-12-05T10:00:00+08:00",
                "window_end": "2026-12-05T09:00:00+08:00",
            },
            "window_end",
        ),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_writes_nothing(api, body, field):
    r = _new(api, **body)
    assert r.status_code == 400, r.content
    assert field in r.json()["fields"] and r.json()["code"] == "validation_error"
    assert not CallbackTask.objects.exists() and not CallbackEvent.objects.exists()


def test_malformed_bodies_are_4xx(api):
    client = api("agent1").client
    r = client.post("/api/v1/callbacks/", "{", content_type="application/json")
    assert r.status_code == 400
    r = client.post("/api/v1/callbacks/", '{"phone": "1"}', content_type="application/json")
    assert r.status_code == 400 and "reason" in r.json()["fields"]
    r = _new(api, window_end="tomorrow")
    assert r.status_code == 400 and not CallbackTask.objects.exists()


def test_the_list_puts_mine_first_then_the_teams_due_soonest(api, task_for, staff):
    now = timezone.now()
    late_mine = task_for(assignee="agent1", window_end=now + timedelta(hours=3))
    soon_team = task_for(by="lead1", window_end=now + timedelta(minutes=30))
    overdue_mine = task_for(
        assignee="agent1",
        window_start=now - timedelta(hours=2),
        window_end=now - timedelta(hours=1),
    )
    other = task_for(by="agent2", assignee="agent2", window_end=now + timedelta(minutes=5))
    r = api("agent1").get("/api/v1/callbacks/")
    assert r.status_code == 200
    ids = [row["id"] for row in r.json()["results"]]
    assert ids == [overdue_mine.pk, late_mine.pk, other.pk, soon_team.pk]
    assert r.json()["count"] == 4
    assert [row["overdue"] for row in r.json()["results"]] == [True, False, False, False]
    mine = api("agent1").get("/api/v1/callbacks/", {"assignee": "me"}).json()
    assert [row["id"] for row in mine["results"]] == [overdue_mine.pk, late_mine.pk]
    overdue = api("agent1").get("/api/v1/callbacks/", {"due": "overdue"}).json()
    assert [row["id"] for row in overdue["results"]] == [overdue_mine.pk]
    unassigned = api("lead1").get("/api/v1/callbacks/", {"assignee": "none"}).json()
    assert [row["id"] for row in unassigned["results"]] == [soon_team.pk]
    assert api("agent1").get("/api/v1/callbacks/", {"page": 2}).json()["results"] == []


@pytest.mark.parametrize(
    "params", [{"status": "nope"}, {"due": "yesterday"}, {"page": "0"}, {"page": "x"}]
)
def test_bad_filters_are_400(api, params):
    r = api("agent1").get("/api/v1/callbacks/", params)
    assert r.status_code in {400, 422} and r.json()["code"]


def test_attempts_through_the_api(api, task_for):
    task = task_for(assignee="agent1", max_attempts=2)
    r = api("agent1").post(f"/api/v1/callbacks/{task.pk}/start/", {})
    assert r.status_code == 200 and r.json()["dial"] == "13900001111"
    assert r.json()["callback"]["status"] == "in_progress"
    r = api("agent1").post(f"/api/v1/callbacks/{task.pk}/attempts/", {"outcome": "hung_up"})
    assert r.status_code == 400 and "outcome" in r.json()["fields"]
    r = api("agent1").post(f"/api/v1/callbacks/{task.pk}/attempts/", {"outcome": "busy"})
    assert r.status_code == 201 and r.json()["attempts"] == 1
    r = api("agent1").post(
        f"/api/v1/callbacks/{task.pk}/attempts/", {"outcome": "no_answer", "note": "再打"}
    )
    assert r.status_code == 201 and r.json()["status"] == "failed"
    assert [a["outcome"] for a in r.json()["attempt_log"]] == ["busy", "no_answer"]
    r = api("agent1").post(f"/api/v1/callbacks/{task.pk}/attempts/", {"outcome": "reached"})
    assert r.status_code == 409 and r.json()["code"] == "invalid_transition"
    assert CallbackAttempt.objects.count() == 2


def test_a_stale_version_is_a_409(api, task_for):
    task = task_for(assignee="agent1")
    r = api("agent1").post(
        f"/api/v1/callbacks/{task.pk}/attempts/", {"outcome": "busy", "version": task.version + 5}
    )
    assert r.status_code == 409 and r.json()["code"] == "conflict"


def test_assign_lead_reassigns_an_agent_only_takes(api, task_for, staff):
    task = task_for(by="lead1")
    r = api("agent2").post(f"/api/v1/callbacks/{task.pk}/assign/", {"assignee": "agent3"})
    assert r.status_code == 403
    r = api("agent2").post(f"/api/v1/callbacks/{task.pk}/assign/", {"assignee": "agent2"})
    assert r.status_code == 200 and r.json()["assignee"] == "agent2"  # taken
    r = api("agent3").post(f"/api/v1/callbacks/{task.pk}/assign/", {"assignee": "agent3"})
    assert r.status_code == 403  # no longer the team's
    r = api("lead1").post(f"/api/v1/callbacks/{task.pk}/assign/", {"assignee": "ghost"})
    assert r.status_code == 400 and "assignee" in r.json()["fields"]
    r = api("lead1").post(f"/api/v1/callbacks/{task.pk}/assign/", {})
    assert r.status_code == 400
    r = api("lead1").post(f"/api/v1/callbacks/{task.pk}/assign/", {"assignee": "agent5"})
    assert r.status_code == 200 and r.json()["assignee"] == "agent5"
    assert CallbackEvent.objects.filter(task=task, action="assign").count() == 2


def test_cancel(api, task_for):
    task = task_for(assignee="agent1")
    r = api("agent2").post(f"/api/v1/callbacks/{task.pk}/cancel/", {"reason": "x"})
    assert r.status_code == 403
    r = api("agent1").post(f"/api/v1/callbacks/{task.pk}/cancel/", {"reason": " "})
    assert r.status_code == 400 and "reason" in r.json()["fields"]
    r = api("agent1").post(f"/api/v1/callbacks/{task.pk}/cancel/", {"reason": "客户已来电"})
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    r = api("lead1").post(f"/api/v1/callbacks/{task.pk}/cancel/", {"reason": "again"})
    assert r.status_code == 409


def test_roles(api, task_for):
    task = task_for()
    # directors and administrators read, and may not work the list
    for who in ("director1", "admin"):
        assert api(who).get("/api/v1/callbacks/").json()["count"] == 1
        assert api(who).get(f"/api/v1/callbacks/{task.pk}/").status_code == 200
        assert _new(api, who).status_code == 403
        r = api(who).post(f"/api/v1/callbacks/{task.pk}/attempts/", {"outcome": "busy"})
        assert r.status_code == 403
        assert api(who).post(f"/api/v1/callbacks/{task.pk}/start/", {}).status_code == 403
    assert (
        api("director1").post(f"/api/v1/callbacks/{task.pk}/cancel/", {"reason": "x"}).status_code
        == 403
    )
    # unit handlers and auditors: none of it
    assert api("branch1").get("/api/v1/callbacks/").status_code == 403
    assert api("auditor1").get("/api/v1/callbacks/").status_code == 403
    assert api("auditor1").get(f"/api/v1/callbacks/{task.pk}/").status_code == 404
    assert api("branch1").get(f"/api/v1/callbacks/{task.pk}/").status_code == 404
    assert _new(api, "branch1").status_code == 403
    r = api("branch1").post(f"/api/v1/callbacks/{task.pk}/attempts/", {"outcome": "busy"})
    assert r.status_code == 404
    # a county centre's agent does not see the city centre's callbacks
    assert api("ra_agent1").get("/api/v1/callbacks/").json()["count"] == 0
    assert api("ra_agent1").get(f"/api/v1/callbacks/{task.pk}/").status_code == 404
    r = api("ra_lead1").post(f"/api/v1/callbacks/{task.pk}/assign/", {"assignee": "ra_agent1"})
    assert r.status_code == 404
    # an agent gives a task only to themselves
    assert _new(api, "agent1", assignee="agent2").status_code == 403
    assert not CallbackAttempt.objects.exists()


def test_anonymous_is_401(client):
    assert client.get("/api/v1/callbacks/").status_code == 401
