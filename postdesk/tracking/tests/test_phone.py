"""The agent's parcel view by the customer's phone (through the customers' and work
orders' selectors), and the work orders and calls shown on a parcel's view."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from postdesk.tracking.kpi_rules import SHANGHAI
from postdesk.tracking.selectors import parcel_get, parcels_by_phone
from postdesk.tracking.services import tracking_import
from postdesk.tracking.tests import kpi_fixtures as fx

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = "13957712345"
BY_PHONE = "9700000000301"  # named by an order opened for the caller's number
BY_CUSTOMER = "9700000000302"  # named by an order opened for the customer (other phone)
UNTRACKED = "9700000000303"  # named by an order, no tracking events
STRANGER = "9700000000304"  # another caller's parcel


@pytest.fixture
def world(staff, tmp_path: Path) -> dict:
    from postdesk.calls.events import CtiEvent
    from postdesk.calls.services import (
        call_link_work_order,
        cti_event_ingest,
        extension_cache_clear,
    )
    from postdesk.customers.services import customer_create
    from postdesk.workorders.services import work_order_act, work_order_create

    now = timezone.localtime(timezone.now(), SHANGHAI)
    t = (now - timedelta(days=2)).replace(hour=9, minute=0, second=0, microsecond=0)
    rows = []
    for wb, office, name in (
        (BY_PHONE, "WZ-LC01", "鹿城支局"),
        (BY_CUSTOMER, "WZ-LW01", "龙湾支局"),
        (STRANGER, "WZ-LC01", "鹿城支局"),
    ):
        rows += [
            f"{wb},{t.isoformat()},ARRIVED,{office},{name},,,,,",
            f"{wb},{(t + timedelta(hours=1)).isoformat()},OUT_FOR_DELIVERY,{office},{name},,c9,,,",
        ]
    path = tmp_path / "p.csv"
    path.write_text(fx.csv_text(rows), encoding="utf-8")
    assert tracking_import(path=path).created == len(rows)

    agent = staff["agent1"]
    extension_cache_clear()  # the calls app caches extension -> user id per process
    customer = customer_create(actor=staff["admin"], name="陈美玲", phones=[PHONE, "057788889999"])
    started = timezone.now() - timedelta(hours=1)
    cti_event_ingest(
        event=CtiEvent(
            event="newCall",
            call_id="ph-1",
            timestamp=started,
            direction="in",
            from_number=PHONE,
            to_number="11185",
            queue="11185",
        )
    )
    cti_event_ingest(
        event=CtiEvent(
            event="answer", call_id="ph-1", timestamp=started + timedelta(seconds=5), agent="8001"
        )
    )
    first = work_order_create(
        actor=agent,
        type="tracing",
        title="邮件未收到",
        caller_phone="139 5771 2345",
        waybill_no=BY_PHONE,
        call_id="ph-1",
    )
    second = work_order_create(
        actor=agent,
        type="query",
        title="查询邮件",
        caller_phone="057788889999",
        customer_id=customer.pk,
        waybill_no=BY_CUSTOMER.lower(),
    )
    third = work_order_create(
        actor=agent, type="tracing", title="查单", caller_phone=PHONE, waybill_no=UNTRACKED
    )
    stranger = work_order_create(
        actor=agent, type="tracing", title="别人", caller_phone="13800000000", waybill_no=STRANGER
    )
    assert call_link_work_order(call_id="ph-1", work_order_number=second.number)
    # the first order goes to branch1's unit (鹿城支局), so branch1 sees it
    work_order_act(actor=agent, order=first, action="dispatch", payload={"unit": "WZ-LC01"})
    return {"first": first, "second": second, "third": third, "stranger": stranger}


def test_parcels_by_phone_for_an_agent(staff, world) -> None:
    found = parcels_by_phone(user=staff["agent1"], raw="+86 139-5771-2345")
    assert found is not None and found.phone == "+8613957712345"
    assert [c.name for c in found.customers] == ["陈**"]  # masked
    assert all("*" in p for p in found.customers[0].phones)
    assert {p.item.waybill_no for p in found.parcels} == {BY_PHONE, BY_CUSTOMER}
    by_waybill = {p.item.waybill_no: p.work_orders for p in found.parcels}
    assert by_waybill[BY_PHONE] == [world["first"].number]
    assert by_waybill[BY_CUSTOMER] == [world["second"].number]  # found through the customer
    assert found.unknown_waybills == [UNTRACKED]
    assert {o.number for o in found.work_orders} == {
        world["first"].number,
        world["second"].number,
        world["third"].number,
    }
    assert [c.call_id for c in found.calls] == ["ph-1"]
    assert parcels_by_phone(user=staff["agent1"], raw="not a phone") is None
    nobody = parcels_by_phone(user=staff["agent1"], raw="13700000000")
    assert nobody is not None and nobody.empty


def test_parcels_by_phone_respect_the_readers_scope(staff, world) -> None:
    # branch1 sees only the order dispatched to it and the parcel at its office
    found = parcels_by_phone(user=staff["branch1"], raw=PHONE)
    assert found is not None
    assert [o.number for o in found.work_orders] == [world["first"].number]
    assert [p.item.waybill_no for p in found.parcels] == [BY_PHONE]
    assert found.calls == []  # the centre's calls are not a branch's
    # branch2 sees none of the orders, so not the parcel at its own office either
    other = parcels_by_phone(user=staff["branch2"], raw=PHONE)
    assert other is not None and other.work_orders == [] and other.parcels == []


def test_parcel_view_shows_related_work_orders_and_calls(staff, world) -> None:
    now = timezone.now()
    view = parcel_get(user=staff["lead1"], waybill_no=BY_PHONE, now=now)
    assert [o.number for o in view.work_orders] == [world["first"].number]
    assert [c.call_id for c in view.calls] == ["ph-1"]  # the order was opened from it
    linked = parcel_get(user=staff["lead1"], waybill_no=BY_CUSTOMER, now=now)
    assert [c.call_id for c in linked.calls] == ["ph-1"]  # linked by the calls app
    alone = parcel_get(user=staff["lead1"], waybill_no=STRANGER, now=now)
    assert [o.number for o in alone.work_orders] == [world["stranger"].number]
    assert alone.calls == []


def test_query_page_by_phone(client_for, world) -> None:
    agent = client_for("agent1")
    r = agent.get("/tracking/", {"q": "0577-8888-9999"})  # the customer's other number
    body = r.content.decode()
    assert r.status_code == 200 and 'data-testid="by-phone"' in body
    assert BY_CUSTOMER in body and BY_PHONE in body and world["first"].number in body
    assert "陈**" in body and "陈美玲" not in body
    assert STRANGER not in body
    r = agent.get("/tracking/", {"q": PHONE})  # 11 digits: a phone, also a waybill shape
    assert r.status_code == 200 and 'data-testid="phone-parcels"' in r.content.decode()
    assert 'data-testid="parcel"' not in r.content.decode()
    assert agent.get("/tracking/", {"q": "13700000000"}).status_code == 404
    view = agent.get("/tracking/", {"q": BY_PHONE}).content.decode()
    assert 'data-testid="parcel-work-orders"' in view and world["first"].number in view


def test_by_phone_api(api_for, world) -> None:
    api = api_for("agent1")
    r = api.get("/api/v1/tracking/by-phone", {"number": PHONE})
    assert r.status_code == 200, r.content
    doc = r.json()
    assert doc["phone"] == "+8613957712345"
    assert {p["waybill_no"] for p in doc["parcels"]} == {BY_PHONE, BY_CUSTOMER}
    assert doc["unknown_waybills"] == [UNTRACKED]
    assert doc["customers"][0]["name"] == "陈**"
    assert [c["call_id"] for c in doc["calls"]] == ["ph-1"]
    bad = api.get("/api/v1/tracking/by-phone", {"number": "hello"})
    assert bad.status_code == 400 and "number" in bad.json()["fields"]
    item = api.get(f"/api/v1/tracking/items/{BY_PHONE}").json()
    assert [o["number"] for o in item["work_orders"]] == [world["first"].number]
    assert [c["call_id"] for c in item["calls"]] == ["ph-1"]
    branch = api_for("branch1").get("/api/v1/tracking/by-phone", {"number": PHONE}).json()
    assert [p["waybill_no"] for p in branch["parcels"]] == [BY_PHONE]
