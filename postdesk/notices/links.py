"""The notices app's seams with the apps below it (installed in `apps.ready`):

* the work orders' transition hook: dispatching a pickup issues its notice; accepting
  it acknowledges the notice; the branch's feedback is the notice's feedback; a return
  (or a handler's transfer) is a `wrong_unit` feedback; a new dispatch routes the same
  notice again; a cancelled order cancels it;
* the "notice" outbox channel: the unit's handlers get the notice in-app, and each
  recipient is marked delivered;
* the SMS reply handler: a customer's reply to a notice's SMS lands on the notice (a
  "1" confirms an appointment).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from postdesk.notices import flows
from postdesk.notices.models import Notice, NoticeEvent, NoticeRecipient
from postdesk.notices.services.act import apply_transition
from postdesk.notices.services.issue import NoticeInput, issue_validated
from postdesk.notify.models import Notification, OutboxMessage, SmsReply
from postdesk.org.models import Role, Unit, User
from postdesk.workorders.models import WorkOrder, WorkOrderEvent

#: The pickup's result words in the work order -> the notice's.
_RESULT = {"picked_up": "done", "failed": "failed"}
_WO_RESULT = {"done": "picked_up", "failed": "failed"}


def _instant(value: object) -> datetime | None:
    """A pickup window's start or end from the order's details (ISO 8601 with its
    offset, as the portal stores it), or None: a window typed as words stays in
    `details["window"]`."""
    if not isinstance(value, str):
        return None
    try:
        moment = parse_datetime(value)
    except ValueError:
        return None
    return moment if moment is not None and timezone.is_aware(moment) else None


def _reason_code(text: str) -> str:
    return text if flows.is_code("reason", text) else "other"


def _open_notice(order: WorkOrder) -> Notice | None:
    return (
        Notice.objects.select_for_update()
        .filter(work_order=order, kind="pickup")
        .exclude(status__in=flows.FINAL)
        .order_by("-id")
        .first()
    )


def on_work_order_transition(
    *,
    order: WorkOrder,
    action: str,
    actor: User,
    payload: Mapping[str, Any],
    event: WorkOrderEvent,
    now: datetime,
) -> None:
    if order.type != "pickup":
        return
    link = {"work_order_event": event.pk}
    notice = _open_notice(order)
    unit: Unit | None = order.handling_unit
    if action == "dispatch" and unit is not None:
        if notice is None:
            details = order.details or {}
            text = "；".join(
                part for part in (order.title, order.description, details.get("window", "")) if part
            )
            data = NoticeInput(
                kind="pickup",
                unit=unit,
                waybill_no=order.waybill_no,
                phone=order.caller_phone,
                name=order.caller_name,
                address=str(details.get("address", ""))[:300],
                window_start=_instant(details.get("window_start")),
                window_end=_instant(details.get("window_end")),
                text=text[:5000],
            )
            issue_validated(
                actor=actor, data=data, work_order=order, call_id=order.call_id, now=now
            )
        elif notice.unit_id != unit.pk or notice.status == "rerouting":
            apply_transition(
                notice=notice,
                action="reroute",
                actor=actor,
                payload={},
                unit=unit,
                now=now,
                data=link,
            )
        return
    if notice is None:
        return
    text = str(payload.get("text") or payload.get("reason") or "").strip()
    if action == "accept" and notice.status == "issued":
        apply_transition(
            notice=notice, action="acknowledge", actor=actor, payload={}, now=now, data=link
        )
    elif action == "feedback" and notice.status in {"issued", "acknowledged"}:
        result = _RESULT.get(str(payload.get("result", "")), "done")
        reason = _reason_code(str(payload.get("reason", "")).strip()) if result == "failed" else ""
        apply_transition(
            notice=notice,
            action="feedback",
            actor=actor,
            now=now,
            data=link,
            payload={"result": result, "reason": reason, "text": text},
        )
    elif action in {"return", "transfer"} and notice.status in {"issued", "acknowledged"}:
        if action == "return" or actor.role == Role.HANDLER:
            apply_transition(
                notice=notice,
                action="feedback",
                actor=actor,
                now=now,
                data=link,
                payload={"result": "wrong_unit", "reason": "other", "text": text},
            )
        if action == "transfer" and unit is not None:
            apply_transition(
                notice=notice,
                action="reroute",
                actor=actor,
                payload={},
                unit=unit,
                now=now,
                data=link,
            )
    elif action == "cancel":
        apply_transition(
            notice=notice,
            action="cancel",
            actor=actor,
            now=now,
            data=link,
            payload={"reason": text or "—"},
        )


def act_through_work_order(
    *,
    actor: User,
    notice: Notice,
    action: str,
    payload: Mapping[str, Any],
    unit: Unit | None,
    now: datetime,
) -> None:
    """A pickup notice's action performed as its work order's (the hook above then moves
    the notice): one act, one record, the work order's rules of who may."""
    from postdesk.workorders.services import work_order_act

    order = WorkOrder.objects.get(pk=int(notice.work_order_id or 0))
    text = str(payload.get("text") or "").strip()
    if action == "acknowledge":
        work_order_act(actor=actor, order=order, action="accept", now=now)
    elif action == "feedback":
        result = str(payload.get("result"))
        if order.status == "dispatched":
            order = work_order_act(actor=actor, order=order, action="accept", now=now)
        if result == "wrong_unit":
            work_order_act(
                actor=actor,
                order=order,
                action="return",
                now=now,
                payload={"reason": text or flows.label(flows.RESULTS, result)},
            )
        else:
            body: dict[str, Any] = {"result": _WO_RESULT[result], "text": text}
            if result == "failed":
                body["reason"] = str(payload.get("reason"))
            work_order_act(actor=actor, order=order, action="feedback", payload=body, now=now)
    elif action == "cancel":
        work_order_act(
            actor=actor,
            order=order,
            action="cancel",
            now=now,
            payload={"reason": str(payload.get("reason"))},
        )
    elif action == "reroute":
        assert unit is not None
        work_order_act(
            actor=actor, order=order, action="dispatch", now=now, payload={"unit": unit.code}
        )


def deliver_notice(message: OutboxMessage) -> None:
    """The "notice" channel: in-app notifications for the unit's handlers, and each
    recipient marked delivered (idempotent per outbox key)."""
    payload: dict[str, Any] = message.payload
    user_ids = [int(u) for u in payload.get("user_ids", [])]
    rows = [
        Notification(
            user_id=user_id,
            key=message.key,
            title=str(payload.get("title", ""))[:200],
            body=str(payload.get("body", "")),
            link=str(payload.get("link", ""))[:300],
            level="info",
        )
        for user_id in user_ids
    ]
    with transaction.atomic():
        Notification.objects.bulk_create(rows, ignore_conflicts=True)
        NoticeRecipient.objects.filter(
            notice_id=int(payload.get("notice_id") or 0),
            user_id__in=user_ids,
            delivered_at__isnull=True,
        ).update(delivered_at=timezone.now())


def on_sms_reply(reply: SmsReply) -> None:
    """A customer's reply to a notice's SMS: on the notice's timeline; "1" confirms."""
    notice = Notice.objects.filter(number=reply.related_id).first()
    if notice is None:
        return
    NoticeEvent.objects.create(
        notice=notice,
        at=reply.received_at,
        actor=None,
        action="customer_reply",
        from_status=notice.status,
        to_status=notice.status,
        text=reply.content[:1000],
        data={"intent": reply.intent, "sms_reply": reply.pk},
    )
    if reply.intent == "confirm" and notice.customer_confirmed_at is None:
        Notice.objects.filter(pk=notice.pk, customer_confirmed_at__isnull=True).update(
            customer_confirmed_at=reply.received_at
        )


def install() -> None:
    from postdesk.notify.channels import register_channel
    from postdesk.notify.sms.services import register_reply_handler
    from postdesk.workorders.hooks import register_transition_hook

    register_transition_hook(on_work_order_transition)
    register_channel("notice", deliver_notice)
    register_reply_handler("notice", on_sms_reply)
