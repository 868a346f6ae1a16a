"""Rating the reply: recorded as the order's follow-up 回访 (a dissatisfied rating reopens
the order exactly as a dissatisfied follow-up call does), once, and only once replied."""

from __future__ import annotations

import json

import pytest

from postdesk.notify.models import OutboxMessage
from postdesk.workorders.models import WorkOrder, WorkOrderEvent
from postdesk.workorders.public_ref import format_public_ref

pytestmark = pytest.mark.django_db


def _replied(make_order, act, **fields):
    order = make_order(**fields)
    order = act(order, "agent1", "dispatch", unit="WZ-LC01")
    order = act(order, "branch1", "accept")
    order = act(order, "branch1", "feedback", text="已联系投递员", ruling="partly")
    return act(order, "agent1", "reply", text="您好，包裹已找到并安排投递。")


def _rate(client, order, **body):
    body = {"phone_last4": "5678", "satisfaction": "satisfied", "comment": "", **body}
    return client.post(
        f"/api/v1/public/requests/{format_public_ref(order.public_ref)}/rating",
        json.dumps(body),
        content_type="application/json",
    )


def test_a_rating_before_the_reply_is_409(anon, make_order, act):
    order = make_order()
    r = _rate(anon, order)
    assert r.status_code == 409 and r.json()["code"] == "not_ratable"
    order = act(order, "agent1", "dispatch", unit="WZ-LC01")
    assert _rate(anon, order).status_code == 409
    assert not WorkOrderEvent.objects.filter(order=order, action="follow_up").exists()


def test_a_satisfied_rating_is_the_follow_up_and_closes_once(anon, make_order, act):
    order = _replied(make_order, act)
    r = _rate(anon, order, satisfaction="basically_satisfied", comment="还可以")
    assert r.status_code == 200, r.content
    assert r.json() == {
        "reference": format_public_ref(order.public_ref),
        "status": "closed",
        "satisfaction": "basically_satisfied",
    }
    order.refresh_from_db()
    assert order.status == "closed" and order.satisfaction == "basically_satisfied"
    event = WorkOrderEvent.objects.get(order=order, action="follow_up")
    assert event.actor.username == "portal" and event.text == "还可以"
    assert event.data == {"satisfaction": "basically_satisfied", "source": "portal"}
    again = _rate(anon, order)
    assert again.status_code == 409 and again.json()["code"] == "not_ratable"
    assert WorkOrderEvent.objects.filter(order=order, action="follow_up").count() == 1
    follow = anon.get(f"/api/v1/public/requests/{order.public_ref}", {"phone_last4": "5678"}).json()
    assert (
        follow["status"] == "closed" and follow["timeline"][-1]["what"] == "已收到您的评价，已办结"
    )


def test_dissatisfied_reopens_exactly_as_a_follow_up_call(anon, make_order, act):
    online = _replied(make_order, act)
    by_phone = _replied(make_order, act)
    seen = OutboxMessage.objects.count()
    r = _rate(anon, online, satisfaction="dissatisfied", comment="包裹还是没收到")
    assert r.status_code == 200 and r.json()["status"] == "processing"
    online_notes = OutboxMessage.objects.count() - seen
    act(by_phone, "agent2", "follow_up", satisfaction="dissatisfied", text="包裹还是没收到")
    phone_notes = OutboxMessage.objects.count() - seen - online_notes
    online, by_phone = (WorkOrder.objects.get(pk=o.pk) for o in (online, by_phone))
    for name in ("status", "satisfaction", "reopen_count", "handling_unit_id", "closed_at"):
        assert getattr(online, name) == getattr(by_phone, name), name
    assert online.status == "processing" and online.reopen_count == 1
    assert online.feedback_due_at is not None and online.feedback_due_at > by_phone.created_at
    assert online_notes == phone_notes > 0  # the branch is told (in-app, e-mail), both ways
    # reopened: no second rating, not even after the next reply
    assert _rate(anon, online).status_code == 409
    online = act(online, "branch1", "feedback", text="已重新投递", ruling="partly")
    online = act(online, "agent1", "reply", text="已重新投递，请查收。")
    assert _rate(anon, online).status_code == 409


def test_a_rating_needs_a_known_choice_and_a_comment_when_dissatisfied(anon, make_order, act):
    order = _replied(make_order, act)
    unknown = _rate(anon, order, satisfaction="great")
    assert unknown.status_code == 400 and "satisfaction" in unknown.json()["fields"]
    bare = _rate(anon, order, satisfaction="dissatisfied")
    assert bare.status_code == 400 and "comment" in bare.json()["fields"]
    control = _rate(anon, order, comment="好\u0007")
    assert control.status_code == 400 and "comment" in control.json()["fields"]
    long = _rate(anon, order, comment="长" * 501)
    assert long.status_code == 400 and "comment" in long.json()["fields"]
    order.refresh_from_db()
    assert order.status == "replied" and order.satisfaction == ""


def test_a_rating_with_the_wrong_digits_is_the_follow_404_and_counts(anon, make_order, act):
    order = _replied(make_order, act)
    for _ in range(5):
        assert _rate(anon, order, phone_last4="0000").status_code == 404
    blocked = _rate(anon, order)
    assert blocked.status_code == 429 and int(blocked["Retry-After"]) > 0
    order.refresh_from_db()
    assert order.status == "replied"
