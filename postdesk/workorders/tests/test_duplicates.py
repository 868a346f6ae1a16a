"""The duplicate check at intake (`selectors.work_order_duplicates`): open orders of the
same type for the caller or the waybill, newest first, at most ten, within the reader's
scope."""

from __future__ import annotations

import pytest

from postdesk.workorders import selectors

# prepared: the duplicate lookup at intake
pytestmark = [pytest.mark.prepared, pytest.mark.django_db]

PHONE = "13812345678"
WAYBILL = "EA473124829CN"


def dups(staff, who="agent1", type="complaint", **kw):
    return selectors.work_order_duplicates(user=staff[who], type=type, **kw)


def test_found_by_phone_in_any_form_or_by_waybill(make_order, staff):
    by_phone = make_order(caller_phone=PHONE)
    by_waybill = make_order(caller_phone="13900001111", waybill_no=WAYBILL)
    assert dups(staff, caller_phone="138-1234-5678") == [by_phone.number]
    assert dups(staff, caller_phone="+86 138 1234 5678") == [by_phone.number]
    assert dups(staff, waybill_no="ea473124829cn ") == [by_waybill.number]
    both = dups(staff, caller_phone=PHONE, waybill_no=WAYBILL)
    assert both == [by_waybill.number, by_phone.number]  # newest first
    assert dups(staff, caller_phone="13700000000", waybill_no="EA000000000CN") == []
    assert dups(staff) == [] and dups(staff, caller_phone="not a phone") == []


def test_only_open_orders_of_the_same_type(make_order, act, staff):
    complaint = make_order(caller_phone=PHONE)
    make_order(type="query", caller_phone=PHONE)
    assert dups(staff, caller_phone=PHONE) == [complaint.number]
    query = dups(staff, type="query", caller_phone=PHONE)
    assert len(query) == 1 and query != [complaint.number]
    order = make_order(type="consultation", caller_phone=PHONE)
    act(order, "agent1", "answer", text="已答复")
    assert dups(staff, type="consultation", caller_phone=PHONE) == []  # closed at once


def test_newest_ten_and_the_order_itself_left_out(make_order, staff):
    made = [make_order(caller_phone=PHONE) for _ in range(12)]
    found = dups(staff, caller_phone=PHONE)
    assert found == [o.number for o in reversed(made)][:10]
    assert made[-1].number not in dups(staff, caller_phone=PHONE, exclude_id=made[-1].pk)


def test_the_readers_scope_applies(make_order, act, staff):
    city = make_order(caller_phone=PHONE)  # taken by the city centre
    ruian = make_order(by="ra_agent1", caller_phone=PHONE)  # by Rui'an's own centre
    assert dups(staff, caller_phone=PHONE) == [ruian.number, city.number]  # city sees all
    assert dups(staff, "ra_agent1", caller_phone=PHONE) == [ruian.number]
    assert dups(staff, "yq_agent1", caller_phone=PHONE) == []
    # dispatched into Rui'an's subtree, the city's order becomes Rui'an's to see as well
    act(city, "agent1", "dispatch", unit="RA-01")
    assert dups(staff, "ra_agent1", caller_phone=PHONE) == [ruian.number, city.number]


def test_a_handler_sees_what_its_unit_handles_or_assists(make_order, act, staff):
    handled = make_order(caller_phone=PHONE)
    assisted = make_order(caller_phone=PHONE)
    make_order(caller_phone=PHONE)  # not dispatched
    act(handled, "agent1", "dispatch", unit="WZ-LC01")
    act(assisted, "agent1", "dispatch", unit="WZ-LW01", assisting_units=["WZ-LC01"])
    assert dups(staff, "branch1", caller_phone=PHONE) == [assisted.number, handled.number]
    assert dups(staff, "branch2", caller_phone=PHONE) == [assisted.number]
    assert dups(staff, "branch3", caller_phone=PHONE) == []
