"""A web filing has no first-contact agent (it is owned by the portal's intake account):
any agent may work it, and the first agent to act takes it over — from then on it is that
agent's, as a phone intake is (首问负责, `workorders/ownership.py`)."""

from __future__ import annotations

import pytest

from postdesk.core.errors import PermissionDenied
from postdesk.workorders.models import WorkOrder, WorkOrderEvent
from postdesk.workorders.public_ref import parse_public_ref

pytestmark = pytest.mark.django_db


def _filed(file_request) -> WorkOrder:
    r = file_request()
    assert r.status_code == 201, r.content
    return WorkOrder.objects.get(public_ref=parse_public_ref(r.json()["reference"]))


def test_the_first_agent_to_act_on_a_web_filing_takes_it_over(org, file_request, act):
    order = _filed(file_request)
    assert order.owner.username == "portal"
    order = act(order, "agent2", "dispatch", unit="WZ-LC01")
    order.refresh_from_db()
    assert order.owner.username == "agent2" and order.status == "dispatched"
    event = WorkOrderEvent.objects.filter(order=order).latest("pk")
    assert event.action == "dispatch" and event.data["taken_over_from"] == "portal"
    # now it is agent2's: another agent's owner-only work is refused, as on a phone intake
    order = act(order, "branch1", "accept")
    order = act(order, "branch1", "feedback", text="已联系投递员", ruling="partly")
    with pytest.raises(PermissionDenied):
        act(order, "agent1", "reply", text="您好，包裹已找到。")
    order = act(order, "agent2", "reply", text="您好，包裹已找到。")
    assert order.status == "replied"


def test_a_phone_intake_stays_its_agents_own(org, make_order, act):
    order = make_order(by="agent1")
    with pytest.raises(PermissionDenied):
        act(order, "agent2", "dispatch", unit="WZ-LC01")
    assert WorkOrder.objects.get(pk=order.pk).owner.username == "agent1"


def test_a_lead_working_a_web_filing_leaves_it_for_an_agent(org, file_request, act):
    order = _filed(file_request)
    order = act(order, "lead1", "dispatch", unit="WZ-LC01")
    assert WorkOrder.objects.get(pk=order.pk).owner.username == "portal"
    order = act(order, "branch1", "accept")
    order = act(order, "branch1", "feedback", text="已联系投递员", ruling="partly")
    assert WorkOrder.objects.get(pk=order.pk).owner.username == "portal"  # handlers neither
    order = act(order, "agent1", "reply", text="您好，包裹已找到。")
    assert WorkOrder.objects.get(pk=order.pk).owner.username == "agent1"
