"""Callbacks the centre's flow creates: a failed pickup (on the work order or on the
notice), a work order put to call back later, a reply that awaits its follow-up call."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from postdesk.callbacks.models import CallbackEvent, CallbackTask
from postdesk.core.services import api_token_create
from postdesk.notices.models import Notice

pytestmark = pytest.mark.django_db


def _pickup(make_order, act):
    order = make_order(
        type="pickup",
        title="上门揽收",
        description="两箱文件",
        details={"address": "鹿城区五马街88号", "window": "明天上午"},
    )
    return act(order, "agent1", "dispatch", unit="WZ-LC01")


def test_a_failed_pickup_feedback_on_the_order_puts_a_callback_for_its_owner(
    make_order, act, staff
):
    order = _pickup(make_order, act)
    order = act(order, "branch1", "accept")
    assert not CallbackTask.objects.exists()
    act(order, "branch1", "feedback", result="failed", reason="customer_absent", text="无人")
    task = CallbackTask.objects.get()
    notice = Notice.objects.get(work_order=order)
    assert (task.reason, task.status, task.priority) == ("failed_pickup", "open", "high")
    assert task.phone == "+8613812345678" and task.name == "李四"
    assert task.work_order == order and task.notice == notice
    assert task.assignee == staff["agent1"] and task.team.code == "WZ-11185-HW"
    assert task.window_end > task.window_start and "无人" in task.text
    assert CallbackEvent.objects.get(task=task).action == "create"


def test_a_done_pickup_puts_nothing_on_the_list(make_order, act):
    order = act(_pickup(make_order, act), "branch1", "accept")
    act(order, "branch1", "feedback", result="picked_up", text="已揽收")
    assert not CallbackTask.objects.exists()


def test_a_failed_feedback_on_a_notice_through_the_api_puts_one_callback(staff):
    agent = Client(HTTP_AUTHORIZATION=f"Token {api_token_create(user=staff['agent2'], name='t')}")
    r = agent.post(
        "/api/v1/notices/",
        json.dumps({"kind": "pickup", "unit": "WZ-LC01", "phone": "13955556666", "name": "赵六"}),
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    number = r.json()["number"]
    branch = Client(HTTP_AUTHORIZATION=f"Token {api_token_create(user=staff['branch1'], name='t')}")
    body = {"result": "failed", "reason": "address_wrong", "text": "地址不对"}
    r = branch.post(
        f"/api/v1/notices/{number}/feedback/", json.dumps(body), content_type="application/json"
    )
    assert r.status_code == 200, r.content
    r = branch.post(
        f"/api/v1/notices/{number}/feedback/", json.dumps(body), content_type="application/json"
    )
    assert r.status_code == 409  # feedback twice: nothing more on the list either
    task = CallbackTask.objects.get()
    assert (task.reason, task.notice.number, task.work_order) == ("failed_pickup", number, None)
    assert task.assignee == staff["agent2"] and task.phone == "+8613955556666"


def test_a_redelivery_fed_back_failed_is_not_a_pickup_callback(staff):
    from postdesk.notices.services import notice_act, notice_issue

    notice = notice_issue(
        actor=staff["agent1"],
        kind="redelivery",
        unit="WZ-LC01",
        waybill_no="EA473124829CN",
        phone="13955556666",
    )
    notice_act(
        actor=staff["branch1"],
        notice=notice,
        action="feedback",
        payload={"result": "failed", "reason": "refused"},
    )
    assert not CallbackTask.objects.exists()


def test_call_back_later_puts_a_work_order_callback_and_answering_completes_it(
    make_order, act, staff
):
    order = make_order(type="query", title="查询资费")
    order = act(order, "agent1", "schedule_callback")
    task = CallbackTask.objects.get()
    assert (task.reason, task.status, task.assignee) == (
        "work_order_callback",
        "open",
        staff["agent1"],
    )
    if order.reply_due_at:
        assert task.window_end == order.reply_due_at
    act(order, "agent1", "answer", text="已电话告知资费")
    task.refresh_from_db()
    assert task.status == "done" and task.closed_at is not None


def test_a_cancelled_order_cancels_its_callback(make_order, act):
    order = act(make_order(type="query", title="查询"), "agent1", "schedule_callback")
    act(order, "lead1", "cancel", reason="客户已自行解决")
    assert CallbackTask.objects.get().status == "cancelled"


def test_a_replied_complaint_awaits_its_follow_up_call(make_order, act, staff):
    order = make_order()
    order = act(order, "agent1", "dispatch", unit="WZ-LC01")
    order = act(order, "branch1", "accept")
    order = act(order, "branch1", "feedback", text="已查明", ruling="partly")
    assert not CallbackTask.objects.exists()
    order = act(order, "agent1", "reply", text="您好，您的包裹已找到并安排投递。")
    task = CallbackTask.objects.get()
    assert (task.reason, task.status, task.work_order) == ("follow_up", "open", order)
    assert task.assignee == staff["agent1"]
    act(order, "agent2", "follow_up", satisfaction="satisfied")
    task.refresh_from_db()
    assert task.status == "done"


def test_a_replied_tracing_inquiry_has_no_follow_up_call(make_order, act):
    order = make_order(type="tracing", title="查单", waybill_no="EA473124829CN")
    order = act(order, "agent1", "dispatch", unit="WZ-LC01")
    order = act(order, "branch1", "accept")
    order = act(order, "branch1", "feedback", text="已查到")
    act(order, "agent1", "reply", text="已告知")
    assert not CallbackTask.objects.exists()


def test_an_order_without_a_phone_puts_nothing(make_order, act):
    order = make_order(type="query", title="查询", caller_phone="")
    act(order, "agent1", "schedule_callback")
    assert not CallbackTask.objects.exists()
