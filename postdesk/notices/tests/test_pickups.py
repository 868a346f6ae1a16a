"""A pickup work order and its notice: dispatching issues it, the branch's feedback on the
order is the notice's feedback (and the other way round) — one act, one record."""

from __future__ import annotations

import pytest

from postdesk.notices.models import Notice, NoticeEvent
from postdesk.notify.models import SmsMessage
from postdesk.workorders.models import WorkOrder, WorkOrderEvent
from postdesk.workorders.services import work_order_act, work_order_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def pickup(staff):
    def make():
        order = work_order_create(
            actor=staff["agent1"],
            type="pickup",
            title="上门揽收",
            description="两箱文件",
            caller_phone="13812345678",
            caller_name="李四",
            details={"address": "鹿城区五马街88号", "window": "明天上午"},
        )
        return work_order_act(
            actor=staff["agent1"], order=order, action="dispatch", payload={"unit": "WZ-LC01"}
        )

    return make


def test_dispatching_a_pickup_issues_its_notice(pickup, staff):
    order = pickup()
    notice = Notice.objects.get(work_order=order)
    assert (notice.kind, notice.status, notice.unit.code) == ("pickup", "issued", "WZ-LC01")
    assert notice.phone == "+8613812345678" and notice.address == "鹿城区五马街88号"
    assert "明天上午" in notice.text and notice.ack_due_at is not None
    assert notice.issued_by == staff["agent1"]


def test_the_branchs_feedback_on_the_order_is_the_notices(pickup, staff, committed):
    order = pickup()
    order = work_order_act(actor=staff["branch1"], order=order, action="accept")
    notice = Notice.objects.get(work_order=order)
    assert notice.status == "acknowledged"
    assert SmsMessage.objects.filter(template="pickup_confirmed", related_id=notice.number).exists()
    work_order_act(
        actor=staff["branch1"],
        order=order,
        action="feedback",
        payload={"result": "failed", "reason": "customer_absent", "text": "无人"},
    )
    notice.refresh_from_db()
    assert (notice.status, notice.result, notice.reason) == (
        "fed_back",
        "failed",
        "customer_absent",
    )
    feedback = NoticeEvent.objects.get(notice=notice, action="feedback")
    event = WorkOrderEvent.objects.get(order=order, action="feedback")
    assert feedback.data["work_order_event"] == event.pk  # the one record it came from
    assert notice.first_feedback_at == event.at
    assert SmsMessage.objects.filter(template="pickup_failed").count() == 1


def test_feedback_on_the_notice_is_the_orders_feedback(pickup, api):
    order = pickup()
    number = Notice.objects.get(work_order=order).number
    r = api("branch1").post(
        f"/api/v1/notices/{number}/feedback/", {"result": "done", "text": "已揽收"}
    )
    assert r.status_code == 200 and r.json()["status"] == "fed_back"
    order.refresh_from_db()
    assert order.status == "fed_back" and order.fed_back_at is not None
    assert WorkOrderEvent.objects.filter(order=order, action="feedback").count() == 1
    assert WorkOrderEvent.objects.get(order=order, action="feedback").data["result"] == "picked_up"
    assert NoticeEvent.objects.filter(action="feedback").count() == 1
    # twice: 409 from the one state machine, nothing written
    again = api("branch1").post(f"/api/v1/notices/{number}/feedback/", {"result": "done"})
    assert again.status_code == 409


def test_wrong_unit_returns_the_order_and_a_new_dispatch_routes_the_same_notice(pickup, api, staff):
    order = pickup()
    notice = Notice.objects.get(work_order=order)
    r = api("branch1").post(
        f"/api/v1/notices/{notice.number}/feedback/", {"result": "wrong_unit", "text": "不属本局"}
    )
    assert r.status_code == 200 and r.json()["status"] == "rerouting"
    order.refresh_from_db()
    assert order.status == "returned"
    r = api("agent1").post(f"/api/v1/notices/{notice.number}/reroute/", {"unit": "WZ-LW01"})
    assert r.status_code == 200 and r.json()["unit"] == "WZ-LW01"
    order.refresh_from_db()
    assert order.status == "dispatched" and order.handling_unit.code == "WZ-LW01"
    assert Notice.objects.filter(work_order=order).count() == 1
    same = Notice.objects.get(pk=notice.pk)
    assert same.due_at == notice.due_at and same.first_feedback_at is not None


def test_an_agent_cannot_feed_back_a_pickup_for_the_branch(pickup, api):
    order = pickup()
    number = Notice.objects.get(work_order=order).number
    r = api("agent1").post(f"/api/v1/notices/{number}/feedback/", {"result": "done"})
    assert r.status_code == 403
    assert WorkOrder.objects.get(pk=order.pk).status == "dispatched"
    assert Notice.objects.get(number=number).status == "issued"


def test_cancelling_the_order_cancels_the_notice(pickup, staff):
    order = pickup()
    work_order_act(
        actor=staff["agent1"], order=order, action="cancel", payload={"reason": "客户取消"}
    )
    assert Notice.objects.get(work_order=order).status == "cancelled"
