"""The team lead's bulk actions on the work-order list (issue 20): each order through
`work_order_act`, per-order results, a refusal never stops the others."""

from __future__ import annotations

import pytest

from postdesk.core.errors import PermissionDenied, ValidationFailed
from postdesk.workorders.models import WorkOrder, WorkOrderEvent
from postdesk.workorders.services import work_orders_bulk_act

pytestmark = pytest.mark.django_db
J = "application/json"


def _fulfilled_booking(make_order, act):
    b = make_order("booking", title="订票", details={"booking_kind": "air_ticket"})
    b = act(b, "agent2", "accept")
    return act(b, "agent2", "fulfil", result="fulfilled")


def test_bulk_dispatch_reports_per_order_and_audits_each(staff, make_order):
    a, b = make_order(), make_order(type="pickup", title="上门揽收")
    results = work_orders_bulk_act(
        actor=staff["lead1"],
        numbers=[a.number, "WO-NOPE", b.number, a.number],
        action="dispatch",
        payload={"unit": "WZ-LC01"},
    )
    assert [(r.number, r.ok, r.code) for r in results] == [
        (a.number, True, "done"),
        ("WO-NOPE", False, "not_found"),
        (b.number, True, "done"),
    ]  # a repeated number runs once
    for order in (a, b):
        order.refresh_from_db()
        assert order.status == "dispatched" and order.handling_unit.code == "WZ-LC01"
        event = WorkOrderEvent.objects.filter(order=order, action="dispatch").get()
        assert event.actor == staff["lead1"]


def test_bulk_close_with_a_reason_refuses_what_the_flow_refuses(staff, make_order, act):
    open_complaint = make_order()
    booking = _fulfilled_booking(make_order, act)
    results = work_orders_bulk_act(
        actor=staff["lead1"],
        numbers=[open_complaint.number, booking.number],
        action="close",
        payload={"reason": "客户已确认，批量办结"},
    )
    assert [(r.ok, r.code) for r in results] == [(False, "invalid_transition"), (True, "done")]
    assert results[0].message
    open_complaint.refresh_from_db()
    booking.refresh_from_db()
    assert open_complaint.status == "new"  # nothing written on the refused one
    assert not WorkOrderEvent.objects.filter(order=open_complaint, action="close").exists()
    assert booking.status == "closed"
    event = WorkOrderEvent.objects.get(order=booking, action="close")
    assert "批量办结" in event.text


def test_bulk_escalate_raises_each_level(staff, make_order):
    a = make_order()
    [result] = work_orders_bulk_act(
        actor=staff["lead1"], numbers=[a.number], action="escalate", payload={"reason": "多次来电"}
    )
    assert result.ok
    a.refresh_from_db()
    assert a.escalation_level == 1


@pytest.mark.parametrize("username", ["agent1", "director1", "branch1", "admin", "auditor1"])
def test_only_leads_may_bulk_act(staff, make_order, username):
    a = make_order()
    with pytest.raises(PermissionDenied):
        work_orders_bulk_act(
            actor=staff[username], numbers=[a.number], action="escalate", payload={"reason": "x"}
        )
    a.refresh_from_db()
    assert a.escalation_level == 0


@pytest.mark.parametrize(
    ("numbers", "action", "payload", "field"),
    [
        (["N"], "answer", {"reason": "x"}, "action"),
        ([], "escalate", {"reason": "x"}, "numbers"),
        ([7], "escalate", {"reason": "x"}, "numbers"),
        ([f"WO{i}" for i in range(201)], "escalate", {"reason": "x"}, "numbers"),
        (["N"], "close", {}, "reason"),
        (["N"], "close", {"reason": "   "}, "reason"),
        (["N"], "dispatch", {"unit": "NO-SUCH"}, "unit"),
    ],
)
def test_bad_input_is_a_400_and_nothing_is_written(
    staff, make_order, numbers, action, payload, field
):
    a = make_order()
    numbers = [a.number if n == "N" else n for n in numbers]
    before = WorkOrderEvent.objects.count()
    with pytest.raises(ValidationFailed) as caught:
        work_orders_bulk_act(actor=staff["lead1"], numbers=numbers, action=action, payload=payload)
    assert field in caught.value.fields
    assert WorkOrderEvent.objects.count() == before


def test_api_bulk_answers_per_order(api_for, make_order):
    a, b = make_order(), make_order()
    r = api_for("lead1").post(
        "/api/v1/workorders/bulk/",
        {
            "numbers": [a.number, b.number, "WO-X"],
            "action": "dispatch",
            "payload": {"unit": "WZ-LC01"},
        },
        content_type=J,
    )
    assert r.status_code == 200, r.content
    assert [(x["number"], x["ok"], x["code"]) for x in r.json()["results"]] == [
        (a.number, True, "done"),
        (b.number, True, "done"),
        ("WO-X", False, "not_found"),
    ]


@pytest.mark.parametrize("username", ["agent1", "director1", "branch1"])
def test_api_bulk_is_403_for_other_roles(api_for, make_order, username):
    a = make_order()
    r = api_for(username).post(
        "/api/v1/workorders/bulk/",
        {"numbers": [a.number], "action": "escalate", "payload": {"reason": "x"}},
        content_type=J,
    )
    assert r.status_code == 403
    assert WorkOrder.objects.get(pk=a.pk).escalation_level == 0


def test_api_bulk_bad_input_is_400(api_for, make_order):
    a = make_order()
    r = api_for("lead1").post(
        "/api/v1/workorders/bulk/",
        {
            "numbers": [a.number] * 2 + [f"W{i}" for i in range(200)],
            "action": "close",
            "payload": {"reason": "x"},
        },
        content_type=J,
    )
    assert r.status_code == 400 and "numbers" in r.json()["fields"]
    assert WorkOrder.objects.get(pk=a.pk).status == "new"


def test_the_list_page_bar_is_for_leads_and_shows_the_results(client_for, make_order):
    a, b = make_order(), make_order()
    assert 'data-testid="bulk-bar"' not in client_for("agent1").get("/workorders/").content.decode()
    lead = client_for("lead1")
    assert 'data-testid="bulk-bar"' in lead.get("/workorders/").content.decode()
    r = lead.post(
        "/workorders/bulk/",
        {
            "numbers": [a.number, b.number],
            "action": "close",
            "reason": "批量",
            "next": "type=complaint",
        },
    )
    assert r.status_code == 302 and r["Location"].endswith("/workorders/?type=complaint")
    html = lead.get(r["Location"], HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert html.count('data-ok="0"') == 2  # both refused: a new complaint cannot be closed
    assert 'data-testid="bulk-results"' not in lead.get("/workorders/").content.decode()  # once
    r = client_for("agent1").post(
        "/workorders/bulk/", {"numbers": [a.number], "action": "escalate", "reason": "x"}
    )
    assert r.status_code == 403
    assert WorkOrder.objects.get(pk=a.pk).escalation_level == 0
