"""Deadlines computed by the services on real calendars, and every (status, action) pair
of every type through the one transition service (allowed ones succeed with the table's
target, refused ones are 409 and change nothing)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction

from postdesk.core.errors import InvalidTransition
from postdesk.workorders import flows, sla
from postdesk.workorders.models import CalendarException, WorkCalendar, WorkOrder, WorkOrderEvent
from postdesk.workorders.services import work_order_act, work_order_create

# prepared: every action through the one transition service
pytestmark = [pytest.mark.prepared, pytest.mark.django_db]
SH = ZoneInfo("Asia/Shanghai")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SH)


@pytest.fixture
def office_hours(db):
    WorkCalendar.objects.create(unit=None, name="office", weekday_hours="08:30-12:00,13:30-17:30")
    sla.invalidate()


def pickup(staff, now: datetime) -> WorkOrder:
    return work_order_create(actor=staff["agent1"], type="pickup", title="揽收", now=now)


@pytest.mark.parametrize(
    "created, due, case",
    [
        ("2026-11-27T17:15", "2026-11-30T08:45", "weekend: Friday evening to Monday"),
        ("2026-09-30T17:20", "2026-10-08T08:50", "public holiday: National Day week"),
        ("2026-10-09T17:20", "2026-10-10T08:50", "调休: the swapped working Saturday"),
        ("2026-12-01T11:45", "2026-12-01T13:45", "lunch break 12:00-13:30"),
        ("2026-11-30T23:50", "2026-12-01T09:00", "midnight: starts next morning"),
        ("2026-02-13T17:20", "2026-02-14T08:50", "调休 Saturday before Spring Festival"),
        ("2026-02-14T17:20", "2026-02-24T08:50", "Spring Festival holiday"),
    ],
)
def test_pickup_dispatch_within_30_working_minutes(staff, office_hours, created, due, case):
    order = pickup(staff, at(created))
    assert order.dispatch_due_at == at(due), case
    assert order.due_at == at(due)


def test_complaint_reply_is_seven_calendar_days_across_midnight_and_holidays(staff, office_hours):
    created = at("2026-09-30T23:59")
    order = work_order_create(
        actor=staff["agent1"], type="complaint", subtype="loss", title="丢失", now=created
    )
    assert order.reply_due_at == at("2026-10-07T23:59")  # holidays are not skipped


def test_unit_stage_deadlines_use_the_handling_units_calendar(staff, office_hours):
    from postdesk.org.models import Unit

    lc01 = Unit.objects.get(code="WZ-LC01")
    cal = WorkCalendar.objects.create(
        unit=lc01, name="鹿城支局", weekday_hours="08:00-12:00,14:00-18:00"
    )
    CalendarException.objects.create(calendar=cal, day=date(2026, 12, 1), kind="holiday")
    sla.invalidate()
    order = work_order_create(
        actor=staff["agent1"],
        type="complaint",
        subtype="delay",
        title="延误",
        now=at("2026-11-30T17:00"),
    )
    order = work_order_act(
        actor=staff["agent1"],
        order=order,
        action="dispatch",
        payload={"unit": "WZ-LC01"},
        now=at("2026-11-30T17:00"),
    )
    # accept within 4 working hours: 1 h on Monday (to 18:00), Tuesday is the unit's extra
    # holiday, 3 h on Wednesday from 08:00.
    assert order.accept_due_at == at("2026-12-02T11:00")
    # feedback within 3 working days: end of business of the 3rd working day after Monday
    # (Wed, Thu, Fri; Tuesday is closed).
    assert order.feedback_due_at == at("2026-12-04T18:00")


def test_policy_edit_takes_effect(staff, office_hours):
    from postdesk.workorders.models import SlaPolicy

    SlaPolicy.objects.create(type="complaint", reply_amount=3, reply_unit="calendar_days")
    SlaPolicy.objects.create(
        type="complaint", priority="urgent", reply_amount=1, reply_unit="calendar_days"
    )
    sla.invalidate()
    now = at("2026-12-01T10:00")
    normal = work_order_create(
        actor=staff["agent1"], type="complaint", subtype="delay", title="a", now=now
    )
    urgent = work_order_create(
        actor=staff["agent1"],
        type="complaint",
        subtype="delay",
        title="b",
        priority="urgent",
        now=now,
    )
    assert normal.reply_due_at == now + timedelta(days=3)
    assert urgent.reply_due_at == now + timedelta(days=1)


# --- every (status, action) pair ----------------------------------------------------------
TYPES = [code for code, _zh, _en in flows.WORK_ORDER_TYPES]
ACTIONS = [code for code, _zh, _en in flows.ACTIONS]
RULING_FOR = {"set_ruling": "proposed", "appeal": "ruled", "decide_appeal": "appealed"}


def _payload(type_: str, action: str) -> dict[str, object]:
    payload: dict[str, object] = {
        # another unit than the one that has it (a dispatch to that one is refused)
        "unit": "WZ-LW01" if action in {"transfer", "dispatch"} else "WZ-LC01",
        "text": "说明",
        "reason": "原因",
        "ruling": "responsible",
        "satisfaction": "satisfied",
        "result": "picked_up" if type_ == "pickup" else "fulfilled",
        "waybill": "EA473124829CN",
        "decision": "upheld",
    }
    return payload


def _actor(staff, row: flows.Transition | None) -> object:
    if row is None:
        return staff["lead1"]
    roles = row.permission.roles
    for role, username in (
        ("agent", "agent1"),
        ("lead", "lead1"),
        ("handler", "branch1"),
        ("director", "director1"),
    ):
        if role in roles:
            return staff[username]
    raise AssertionError(f"no role may {row.action}")


@pytest.mark.parametrize("type_", TYPES)
def test_every_status_action_pair(staff, org, type_):
    base = work_order_create(
        actor=staff["agent1"],
        type=type_,
        subtype="delay" if type_ == "complaint" else "",
        title="穷举",
        waybill_no="EA473124829CN" if type_ == "tracing" else "",
    )
    checked = allowed = 0
    for status in flows.statuses_for(type_):
        for action in ACTIONS:
            row = flows.find_transition(type_, status, action)
            sid = transaction.savepoint()
            try:
                WorkOrder.objects.filter(pk=base.pk).update(
                    status=status,
                    handling_unit=org["WZ-LC01"],
                    ruling_state=RULING_FOR.get(action, "none") if type_ == "complaint" else "none",
                )
                order = WorkOrder.objects.get(pk=base.pk)
                events_before = WorkOrderEvent.objects.filter(order=order).count()
                actor = _actor(staff, row)
                if row is None:
                    with pytest.raises(InvalidTransition):
                        work_order_act(
                            actor=actor, order=order, action=action, payload=_payload(type_, action)
                        )
                    order.refresh_from_db()
                    assert order.status == status
                    assert WorkOrderEvent.objects.filter(order=order).count() == events_before
                else:
                    payload = _payload(type_, action)
                    hint = flows.hint_field(type_, action)
                    expected = flows.next_status(
                        type_, status, action, payload_hint=payload.get(hint) if hint else None
                    )
                    done = work_order_act(actor=actor, order=order, action=action, payload=payload)
                    assert done.status == expected, (type_, status, action)
                    event = WorkOrderEvent.objects.filter(order=order).last()
                    assert (event.action, event.from_status, event.to_status) == (
                        action,
                        status,
                        expected,
                    )
                    allowed += 1
                checked += 1
            finally:
                transaction.savepoint_rollback(sid)
    assert checked == len(flows.statuses_for(type_)) * len(ACTIONS)
    assert allowed == len(flows.transitions(type_))
