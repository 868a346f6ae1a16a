"""The work-order services against the real database."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import timezone

from postdesk.core.errors import (
    Conflict,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from postdesk.notify.models import Notification, OutboxMessage
from postdesk.workorders.models import AlertStage, WorkOrder, WorkOrderEvent
from postdesk.workorders.public_ref import is_public_ref
from postdesk.workorders.services import work_order_act, work_order_create, work_orders_watch

# prepared: intake's SQL (the day's number upsert, the inserts) and the actions
pytestmark = [pytest.mark.prepared, pytest.mark.django_db]
SH = ZoneInfo("Asia/Shanghai")


def deliver() -> None:
    """Deliver what the outbox holds (the after-commit hand-off does not run inside a
    test's rolled-back transaction; the sweep is the same delivery path)."""
    from postdesk.notify.services import outbox_sweep

    outbox_sweep()


def test_number_is_date_and_sequence_and_ref_is_random_and_speakable(make_order):
    a = make_order()
    b = make_order()
    assert len(a.number) == 13 and a.number[:8] == b.number[:8]
    assert int(b.number[8:]) == int(a.number[8:]) + 1
    assert a.public_ref != b.public_ref
    assert is_public_ref(a.public_ref) and is_public_ref(b.public_ref)


def test_create_stores_deadlines_and_audits(make_order):
    order = make_order()
    assert order.status == "new"
    assert order.reply_due_at is not None
    # complaint reply within 7 calendar days: same wall-clock time a week later
    assert order.reply_due_at - order.created_at == timedelta(days=7)
    assert order.due_at == min(order.dispatch_due_at, order.reply_due_at)
    event = WorkOrderEvent.objects.get(order=order)
    assert (event.action, event.to_status, event.actor.username) == ("create", "new", "agent1")


@pytest.mark.parametrize(
    "fields, bad",
    [
        ({"type": "nonsense"}, "type"),
        ({"title": ""}, "title"),
        ({"subtype": "unknown"}, "subtype"),
        ({"caller_phone": "12"}, "caller_phone"),
        ({"waybill_no": "x!"}, "waybill_no"),
        ({"priority": "asap"}, "priority"),
    ],
)
def test_create_refuses_bad_fields_and_writes_nothing(staff, fields, bad):
    data = {"type": "complaint", "subtype": "delay", "title": "t", "caller_phone": "13812345678"}
    data.update(fields)
    with pytest.raises(ValidationFailed) as err:
        work_order_create(actor=staff["agent1"], **data)
    assert bad in err.value.fields
    assert WorkOrder.objects.count() == 0


def test_tracing_needs_waybill(staff):
    with pytest.raises(ValidationFailed) as err:
        work_order_create(actor=staff["agent1"], type="tracing", title="查单")
    assert "waybill_no" in err.value.fields


def test_handlers_and_admins_do_not_open_orders(staff):
    for username in ("branch1", "admin"):
        with pytest.raises(PermissionDenied):
            work_order_create(actor=staff[username], type="query", title="x")


def test_regulator_appeal_has_its_own_deadline_and_link(make_order, staff):
    original = make_order()
    due = datetime(2026, 12, 3, 17, 0, tzinfo=SH)
    appeal = make_order(regulator_ref="12305-2026-0001", regulator_due_at=due, parent=original)
    assert appeal.reply_due_at == due and appeal.parent == original
    with pytest.raises(ValidationFailed):
        make_order(regulator_ref="12305-x")  # no date


def test_complaint_full_loop(make_order, act, staff):
    order = make_order()
    order = act(order, "agent1", "dispatch", unit="WZ-LC01", assisting_units=["WZ-LC02"])
    assert order.status == "dispatched" and order.handling_unit.code == "WZ-LC01"
    assert list(order.assisting_units.values_list("code", flat=True)) == ["WZ-LC02"]
    assert order.accept_due_at and order.feedback_due_at
    order = act(order, "branch1", "accept")
    order = act(order, "branch1", "feedback", text="已查明", ruling="partly")
    assert (order.status, order.ruling, order.ruling_state) == ("fed_back", "partly", "proposed")
    order = act(order, "lead1", "set_ruling", ruling="responsible")
    assert order.ruling_state == "ruled"
    order = act(order, "branch1", "appeal", reason="非我局责任")
    order = act(order, "lead1", "decide_appeal", decision="overturned", ruling="not_responsible")
    assert (order.ruling, order.ruling_state) == ("not_responsible", "final")
    order = act(order, "agent1", "reply", text="您好，您的包裹已找到并安排投递。")
    assert order.replied_at is not None
    order = act(order, "agent2", "follow_up", satisfaction="dissatisfied", text="仍不满意")
    assert order.status == "processing" and order.reopen_count == 1
    order = act(order, "branch1", "feedback", text="已再次联系", ruling="responsible")
    assert order.ruling_state == "final"  # a final ruling is not reopened by new feedback
    order = act(order, "agent1", "reply", text="再次致歉")
    order = act(order, "agent2", "follow_up", satisfaction="satisfied")
    assert order.status == "closed" and order.closed_at and order.due_at is None
    order = act(order, "lead1", "reopen", reason="客户再次来电")
    assert order.status == "processing" and order.reopen_count == 2 and order.closed_at is None
    actions = list(WorkOrderEvent.objects.filter(order=order).values_list("action", flat=True))
    assert actions[0] == "create" and actions.count("follow_up") == 2
    assert all(
        e.actor_id for e in WorkOrderEvent.objects.filter(order=order).exclude(action="create")
    )


def test_wrong_status_is_409_wrong_role_is_403_foreign_scope_is_404(make_order, act):
    order = make_order()
    with pytest.raises(NotFound):
        act(order, "branch1", "accept")  # not dispatched yet: not in the branch's scope
    order = act(order, "agent1", "dispatch", unit="WZ-LC01")
    with pytest.raises(InvalidTransition):
        act(order, "branch1", "feedback", text="x", ruling="responsible")  # not accepted
    with pytest.raises(InvalidTransition):
        act(order, "agent1", "reply", text="x")  # the table refuses before the role
    with pytest.raises(PermissionDenied):
        act(order, "agent1", "accept")  # a centre agent cannot accept for the unit
    with pytest.raises(NotFound):
        act(order, "branch2", "accept")  # another branch does not see it
    with pytest.raises(PermissionDenied):
        act(order, "agent2", "cancel", reason="x")  # not the first-contact owner
    order.refresh_from_db()
    assert order.status == "dispatched" and order.version == 2


def test_bad_payload_and_foreign_unit_change_nothing(make_order, act):
    order = make_order()
    with pytest.raises(ValidationFailed) as err:
        act(order, "agent1", "dispatch")
    assert "unit" in err.value.fields
    with pytest.raises(ValidationFailed) as err:
        act(order, "agent1", "dispatch", unit="NOPE")
    assert "unit" in err.value.fields
    order = act(order, "agent1", "dispatch", unit="WZ-LC01")
    order = act(order, "branch1", "accept")
    with pytest.raises(ValidationFailed) as err:
        act(order, "branch1", "feedback", text="x", ruling="maybe")
    assert err.value.fields == {"ruling": pytest.approx(err.value.fields["ruling"])}
    with pytest.raises(ValidationFailed):
        act(order, "branch1", "fly")
    order.refresh_from_db()
    assert order.status == "processing"
    assert WorkOrderEvent.objects.filter(order=order).count() == 3


def test_stale_version_is_a_conflict(make_order, staff):
    order = make_order()
    work_order_act(
        actor=staff["agent1"],
        order=order,
        action="dispatch",
        payload={"unit": "WZ-LC01"},
        expected_version=1,
    )
    with pytest.raises(Conflict):
        work_order_act(
            actor=staff["agent1"],
            order=order,
            action="escalate",
            payload={"reason": "x"},
            expected_version=1,
        )


def test_transfer_and_return(make_order, act):
    order = act(make_order(), "agent1", "dispatch", unit="WZ-LC01")
    order = act(order, "branch1", "transfer", unit="WZ-LW01")
    assert order.handling_unit.code == "WZ-LW01" and order.status == "dispatched"
    with pytest.raises(NotFound):
        act(order, "branch1", "accept")  # no longer branch1's
    order = act(order, "branch2", "return", reason="不属于本局服务范围")
    assert order.status == "returned" and order.handling_unit is None
    deliver()
    assert Notification.objects.filter(user__username="agent1").exists()


def test_query_answered_and_converted_to_tracing(make_order, act):
    q = make_order("query", title="查询包裹")
    q = act(q, "agent1", "answer", text="已告知")
    assert q.status == "closed" and q.replied_at
    q2 = make_order("query", title="包裹未到")
    q2 = act(q2, "agent1", "schedule_callback")
    q2 = act(q2, "agent2", "convert_to_tracing", waybill="EA473124829CN")
    assert q2.status == "closed"
    tracing = WorkOrder.objects.get(type="tracing", parent=q2)
    assert tracing.waybill_no == "EA473124829CN" and tracing.owner.username == "agent2"


def test_pickup_and_booking(make_order, act):
    p = make_order("pickup", title="上门揽收", details={"address": "五马街1号", "window": "上午"})
    assert p.dispatch_due_at is not None
    p = act(p, "agent1", "dispatch", unit="WZ-LC01")
    p = act(p, "branch1", "accept")
    with pytest.raises(ValidationFailed) as err:
        act(p, "branch1", "feedback", result="failed")
    assert "reason" in err.value.fields
    p = act(p, "branch1", "feedback", result="failed", reason="客户不在")
    p = act(p, "agent1", "close")
    assert p.status == "closed"
    b = make_order("booking", title="订票", details={"booking_kind": "air_ticket"})
    b = act(b, "agent2", "accept")
    b = act(b, "agent2", "fulfil", result="fulfilled")
    assert b.status == "fulfilled"


def test_reply_with_forbidden_wording_needs_confirmation(make_order, act):
    """The knowledge base's forbidden-phrase rules are checked before a reply is sent."""
    order = act(make_order(), "agent1", "dispatch", unit="WZ-LC01")
    order = act(order, "branch1", "accept")
    order = act(order, "branch1", "feedback", text="ok", ruling="responsible")
    with pytest.raises(ValidationFailed) as err:
        act(order, "agent1", "reply", text="这个不归我们管，你自己去查")
    assert err.value.code == "phrase_flagged" and "不归我们管" in err.value.fields["text"]
    order.refresh_from_db()
    assert order.status == "fed_back" and order.replied_at is None
    order = act(order, "agent1", "reply", text="这个不归我们管，你自己去查", confirm=True)
    assert order.status == "replied"
    flags = WorkOrderEvent.objects.get(order=order, action="reply").data["phrase_flags"]
    assert any("不归我们管" in f for f in flags)
    clean = act(make_order("query", title="查询"), "agent1", "answer", text="您好，已为您查询")
    assert clean.status == "closed"


def test_dispatch_notifies_unit_in_app_and_by_email(make_order, act, staff):
    staff["branch1"].email = "branch1@example.org"
    staff["branch1"].save()
    act(make_order(), "agent1", "dispatch", unit="WZ-LC01")
    deliver()
    assert Notification.objects.filter(user=staff["branch1"]).count() == 1
    assert any("branch1@example.org" in m.to for m in mail.outbox)


def test_acting_on_an_order_clears_the_actors_notifications_about_it(make_order, act, staff):
    order = act(make_order(), "agent1", "dispatch", unit="WZ-LC01")
    other = act(make_order(), "agent1", "dispatch", unit="WZ-LC01")
    deliver()  # the bell's rows are written by the outbox
    unread = Notification.objects.filter(user=staff["branch1"], read_at__isnull=True)
    assert unread.count() == 2
    act(order, "branch1", "accept")
    assert list(unread.values_list("link", flat=True)) == [f"/workorders/{other.number}/"]


def test_the_dispatch_email_carries_a_full_link_and_the_running_deadline(
    make_order, act, staff, settings
):
    from django.utils import translation

    settings.POSTDESK_SITE_URL = "https://kefu.example.cn"
    staff["branch1"].email = "branch1@example.org"
    staff["branch1"].save()
    with translation.override("zh-hans"):
        order = act(make_order(), "agent1", "dispatch", unit="WZ-LC01")
    deliver()
    (message,) = [m for m in mail.outbox if "branch1@example.org" in m.to]
    assert f"https://kefu.example.cn/workorders/{order.number}/" in message.body
    due = timezone.localtime(order.due_at)
    assert f"{due.year}年{due.month}月{due.day}日" in message.body
    assert "时限：" in message.body


def test_watch_warns_then_breaches_then_tells_the_director(make_order, act, staff):
    order = act(make_order(), "agent1", "dispatch", unit="WZ-LC01")
    due = order.due_at
    assert work_orders_watch(now=due - timedelta(hours=2)).warned == 0
    assert work_orders_watch(now=due - timedelta(minutes=30)).warned == 1
    assert work_orders_watch(now=due - timedelta(minutes=20)).warned == 0  # idempotent
    order.refresh_from_db()
    assert order.alert_stage == AlertStage.WARNED and order.escalation_level == 1
    deliver()
    assert Notification.objects.filter(user=staff["branch1"]).count() == 2  # dispatch + warn
    assert not Notification.objects.filter(user=staff["lead1"]).exists()
    result = work_orders_watch(now=due + timedelta(minutes=1))
    assert result.breached == 1
    order.refresh_from_db()
    assert order.breached and order.escalation_level == 2
    deliver()
    assert Notification.objects.filter(user=staff["lead1"]).exists()
    assert not Notification.objects.filter(user=staff["director1"]).exists()
    assert work_orders_watch(now=due + timedelta(hours=5)).director == 1
    deliver()
    assert Notification.objects.filter(user=staff["director1"]).exists()
    assert work_orders_watch(now=due + timedelta(hours=6)).director == 0
    emails = OutboxMessage.objects.filter(channel="email", key__startswith="email:wo-sla:")
    assert emails.count() == 3
    actions = list(
        WorkOrderEvent.objects.filter(order=order, actor=None).values_list("action", flat=True)
    )
    assert actions == ["sla_warning", "sla_breach", "sla_director"]


def test_new_stage_restarts_the_watch(make_order, act):
    order = act(make_order(), "agent1", "dispatch", unit="WZ-LC01")
    work_orders_watch(now=order.due_at + timedelta(minutes=1))
    order.refresh_from_db()
    assert order.alert_stage == AlertStage.BREACHED
    order = act(order, "branch1", "accept")
    assert order.alert_stage == AlertStage.NONE and order.breached  # late acceptance stays
    assert order.due_at == order.feedback_due_at


def test_manual_escalation_has_no_maximum(make_order, act, staff):
    order = make_order()
    for level in range(1, 6):
        order = act(order, "agent1", "escalate", reason="客户情绪激动")
        assert order.escalation_level == level
    deliver()
    assert Notification.objects.filter(user=staff["director1"]).exists()
    with pytest.raises(PermissionDenied):
        act(order, "director1", "escalate", reason="x")


def test_create_is_lean_and_stores_everything(staff, org):
    """Number, order, create event and search row in one short transaction, without
    repeated lookups; the stored row is what the ORM reads back."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from postdesk.knowledge import search as engine
    from postdesk.workorders.models import WorkOrder, WorkOrderEvent
    from postdesk.workorders.services import work_order_create

    def make():
        return work_order_create(
            actor=staff["agent1"],
            type="complaint",
            subtype="delay",
            title="包裹延误投诉",
            description="客户反映寄往杭州的包裹五天未到。",
            caller_phone="13812345678",
            caller_name="张三",
            waybill_no="EA473124829CN",
            details={"address": "鹿城区人民路1号"},
        )

    first = make()  # warms the SLA cache
    with CaptureQueriesContext(connection) as ctx:
        order = make()
    writes = [q["sql"] for q in ctx.captured_queries if "SAVEPOINT" not in q["sql"]]
    limit = 5 if connection.vendor == "postgresql" else 9
    assert len(writes) <= limit, writes
    assert int(order.number) == int(first.number) + 1 and len(order.number) == 13
    stored = WorkOrder.objects.get(pk=order.pk)
    for field in ("number", "caller_phone", "caller_name", "due_at", "dispatch_due_at"):
        assert getattr(stored, field) == getattr(order, field), field
    assert stored.reply_due_at == order.reply_due_at and stored.due_at is not None
    assert (
        stored.details == {"address": "鹿城区人民路1号"} and stored.owner_id == staff["agent1"].pk
    )
    event = WorkOrderEvent.objects.get(order=stored)
    assert (event.action, event.to_status, event.actor_id) == ("create", "new", staff["agent1"].pk)
    assert event.text == stored.description and event.data == {}
    found = engine.filter_matching(WorkOrder.objects.all(), kind="workorder", query=order.number)
    assert list(found.values_list("pk", flat=True)) == [order.pk]
