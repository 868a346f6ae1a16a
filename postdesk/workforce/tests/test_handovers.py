"""Shift handovers through the API: recorded with linked work, acknowledged once by the
next lead (never by its author), commented, searchable, on the lead's home."""

from __future__ import annotations

import json

import pytest

from postdesk.workforce.models import Handover, HandoverComment, HandoverItem

pytestmark = pytest.mark.django_db
URL = "/api/v1/handovers/"


def post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


@pytest.fixture
def order(staff):
    from postdesk.workorders.services import work_order_create

    return work_order_create(
        actor=staff["agent1"],
        type="complaint",
        subtype="delay",
        title="包裹延误投诉",
        description="客户反映包裹五天未到",
        caller_phone="13812345678",
    )


def test_a_handover_is_acknowledged_once_by_the_next_lead(floor, api_for, order, client_for):
    response = post(
        api_for("lead1"),
        URL,
        {
            "shift": "early",
            "text": "早班交接：鹿城片区投诉较多，注意跟进",
            "items": [
                {"kind": "work_order", "ref": order.number, "text": "今天下班前必须回复"},
                {"kind": "equipment", "text": "A03 耳麦有杂音，已报运维部"},
                {"kind": "management", "text": "主任通知：周五系统升级"},
            ],
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["shift"] == "early" and body["author"] == "lead1"
    assert body["acknowledged_by"] is None
    assert [i["kind"] for i in body["items"]] == ["work_order", "equipment", "management"]
    pk = body["id"]

    # on the next lead's home, not on the author's
    panel = client_for("lead2").get("/workforce/handovers/panel/")
    assert body["number"] in panel.content.decode()
    assert (
        body["number"]
        not in client_for("lead1").get("/workforce/handovers/panel/").content.decode()
    )

    own = post(api_for("lead1"), f"{URL}{pk}/ack/", {})
    assert own.status_code == 403 and own.json()["code"] == "own_handover"
    assert post(api_for("agent2"), f"{URL}{pk}/ack/", {}).status_code == 403
    ack = post(api_for("lead2"), f"{URL}{pk}/ack/", {"comment": "收到，已安排"})
    assert ack.status_code == 200
    assert ack.json()["acknowledged_by"] == "lead2" and ack.json()["acknowledged_at"]
    assert [c["text"] for c in ack.json()["comments"]] == ["收到，已安排"]
    twice = post(api_for("lead2"), f"{URL}{pk}/ack/", {})
    assert twice.status_code == 409 and twice.json()["code"] == "already_acknowledged"
    handover = Handover.objects.get(pk=pk)
    assert handover.acknowledged_by.username == "lead2"
    assert HandoverComment.objects.filter(handover=handover).count() == 1
    assert (
        body["number"]
        not in client_for("lead2").get("/workforce/handovers/panel/").content.decode()
    )

    commented = post(api_for("agent1"), f"{URL}{pk}/comments/", {"text": "A03 已修好"})
    assert commented.status_code == 201 and len(commented.json()["comments"]) == 2

    # searchable by words of the text, an item, and the order number
    for q in ("鹿城片区", "耳麦", "系统升级", order.number):
        found = api_for("lead2").get(URL, {"q": q}).json()
        assert [h["id"] for h in found["results"]] == [pk], q
    assert api_for("lead2").get(URL, {"q": "台风"}).json()["count"] == 0
    assert api_for("lead2").get(URL, {"unacknowledged": "true"}).json()["count"] == 0


@pytest.mark.parametrize(
    "body,field",
    [
        ({"shift": "nope", "text": "x"}, "shift"),
        ({"shift": "early", "text": ""}, "text"),
        ({"shift": "early", "items": [{"kind": "work_order", "ref": "20990101000001"}]}, "items.0.ref"),  # noqa: E501
        ({"shift": "early", "items": [{"kind": "gossip", "text": "x"}]}, "items.0.kind"),
        ({"shift": "early", "items": [{"kind": "note", "text": "ok"}, {"kind": "equipment"}]}, "items.1.text"),  # noqa: E501
        ({"shift": "early", "items": [{"kind": "notice"}]}, "items.0.ref"),
    ],
)  # fmt: skip
def test_bad_input_is_a_400_and_writes_nothing(floor, api_for, body, field):
    before = (Handover.objects.count(), HandoverItem.objects.count())
    response = post(api_for("lead1"), URL, body)
    assert response.status_code == 400, response.content
    assert field in response.json()["fields"]
    assert (Handover.objects.count(), HandoverItem.objects.count()) == before


def test_unit_handlers_see_no_handovers(floor, api_for):
    created = post(api_for("lead1"), URL, {"shift": "late", "text": "晚班无异常"})
    pk = created.json()["id"]
    assert api_for("branch1").get(f"{URL}{pk}/").status_code == 404
    assert api_for("branch1").get(URL).json()["count"] == 0
    assert post(api_for("branch1"), URL, {"text": "x"}).status_code == 403
