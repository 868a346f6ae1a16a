"""Pickups routed by their address (issue 14): a matched address dispatches when the
agent confirms or the setting says so; ambiguous and unmatched ones wait in the team
lead's "to be routed" queue (selector, API, board) with the reason, until the lead picks
the unit with the dispatch action."""

from __future__ import annotations

import pytest

from postdesk.core.errors import PermissionDenied
from postdesk.routing.services import service_area_create
from postdesk.workorders.selectors_to_route import work_orders_to_route
from postdesk.workorders.services import pickup_dispatch_routed

# prepared: routing an intake's address (routing's own SQL) and the queue
pytestmark = [pytest.mark.prepared, pytest.mark.django_db]


@pytest.fixture
def areas(org):
    service_area_create(actor=None, unit=org["WZ-LC01"], district="鹿城区")
    service_area_create(actor=None, unit=org["WZ-LC02"], district="鹿城区", town="五马街道")
    service_area_create(actor=None, unit=org["WZ-LC03"], district="鹿城区", keywords="解放路")


def pickup(make_order, address, **fields):
    return make_order("pickup", title="上门揽收", details={"address": address}, **fields)


def test_the_address_is_routed_at_intake(areas, make_order):
    matched = pickup(make_order, "温州鹿城南郊街道信河街5号")
    assert matched.route_status == "matched" and matched.status == "new"
    assert matched.routing["candidates"] == ["WZ-LC01"] and matched.routing["reason"] == "won"
    tie = pickup(make_order, "鹿城区五马街道解放路12号")
    assert tie.route_status == "ambiguous"
    assert sorted(tie.routing["candidates"]) == ["WZ-LC02", "WZ-LC03"]
    assert tie.routing["place"] == "温州市鹿城区五马街道"
    away = pickup(make_order, "杭州市西湖区文三路1号")
    assert (away.route_status, away.routing["reason"]) == ("unmatched", "no_rule")
    assert make_order("complaint").route_status == ""  # only pickups are routed


def test_a_matched_pickup_dispatches_when_confirmed_or_by_setting(
    areas, make_order, staff, settings
):
    order = pickup(make_order, "鹿城区广化街道车站大道1号")
    assert pickup_dispatch_routed(actor=staff["agent1"], order=order) is None
    done = pickup_dispatch_routed(actor=staff["agent1"], order=order, confirm=True)
    assert done.status == "dispatched" and done.handling_unit.code == "WZ-LC01"
    settings.POSTDESK_PICKUP_AUTO_DISPATCH = True
    other = pickup(make_order, "鹿城区五马街道信河街1号")
    assert pickup_dispatch_routed(actor=staff["agent1"], order=other).handling_unit.code == (
        "WZ-LC02"
    )
    tie = pickup(make_order, "鹿城区五马街道解放路12号")
    assert pickup_dispatch_routed(actor=staff["agent1"], order=tie, confirm=True) is None


def test_the_queue_holds_what_could_not_be_routed_until_dispatched(areas, make_order, staff, act):
    pickup(make_order, "鹿城区广化街道车站大道1号")  # matched: not queued
    tie = pickup(make_order, "鹿城区五马街道解放路12号")
    away = pickup(make_order, "上海市浦东新区世纪大道100号")
    rows = work_orders_to_route(user=staff["lead1"])
    assert [r.order.number for r in rows] == [tie.number, away.number]
    assert [u.code for u in rows[0].candidates] == tie.routing["candidates"]
    assert rows[1].candidates == () and rows[1].reason == "no_rule"
    act(tie, "lead1", "dispatch", unit="WZ-LC03")
    assert [r.order.number for r in work_orders_to_route(user=staff["lead1"])] == [away.number]
    with pytest.raises(PermissionDenied):
        work_orders_to_route(user=staff["agent1"])


def test_a_bad_address_is_refused_naming_the_field(areas, make_order):
    from postdesk.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as caught:
        pickup(make_order, "鹿城区\x07解放路")
    assert set(caught.value.fields) == {"address"}


def test_the_api_routes_dispatches_and_lists_the_queue(areas, api_for):
    agent, lead = api_for("agent1"), api_for("lead1")
    body = {"type": "pickup", "title": "上门揽收", "caller_phone": "13812345678"}
    r = agent.post(
        "/api/v1/workorders/",
        {**body, "details": {"address": "温州鹿城南郊街道信河街5号"}, "dispatch_routed": True},
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    doc = r.json()
    assert (doc["status"], doc["handling_unit"], doc["route_status"]) == (
        "dispatched",
        "WZ-LC01",
        "matched",
    )
    r = agent.post(
        "/api/v1/workorders/",
        {**body, "details": {"address": "鹿城区五马街道解放路12号"}, "dispatch_routed": True},
        content_type="application/json",
    )
    tie = r.json()
    assert (tie["status"], tie["handling_unit"], tie["route_status"]) == (
        "new",
        None,
        "ambiguous",
    )
    assert agent.get("/api/v1/workorders/to-route/").status_code == 403
    queue = lead.get("/api/v1/workorders/to-route/").json()["results"]
    assert [(q["number"], sorted(q["candidates"]), q["reason"]) for q in queue] == [
        (tie["number"], ["WZ-LC02", "WZ-LC03"], "tie")
    ]
    r = lead.post(
        f"/api/v1/workorders/{tie['number']}/actions/dispatch/",
        {"unit": "WZ-LC02"},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["handling_unit"] == "WZ-LC02"
    assert lead.get("/api/v1/workorders/to-route/").json()["results"] == []
