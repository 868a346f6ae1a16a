"""The one writer of `WorkOrder.status`: every action of the state machine goes through
`work_order_act`, which checks the table (`flows.py`), the role, the payload and the
version, writes the new status, the audit event and the outbox rows in one transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from postdesk.core.errors import (
    Conflict,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from postdesk.notify.services import notifications_settled, notify_users
from postdesk.org.models import Unit, User
from postdesk.workorders import flows, phrases
from postdesk.workorders.deadlines import running_line
from postdesk.workorders.hooks import run_transition_hooks
from postdesk.workorders.labels import lang
from postdesk.workorders.models import WorkOrder, WorkOrderEvent
from postdesk.workorders.ownership import acts_as_owner, unclaimed
from postdesk.workorders.rules import can_add_note
from postdesk.workorders.services._common import (
    TERMINAL,
    can_see,
    directors_for,
    handlers_of,
    is_unit_member,
    leads_for,
    locked_for_change,
    owner_list,
    role_of,
    set_due,
)
from postdesk.workorders.services.assign import clear_assignee_on_unit_change
from postdesk.workorders.sla import deadline, policy_for

ACTION_CODES = frozenset(code for code, _zh, _en in flows.ACTIONS)
MAX_TEXT = 5000
#: where a follow-up's answer came from when not from a call (the event's `data.source`)
FOLLOW_UP_SOURCES = frozenset({"portal"})


def _field_message(problem: str) -> str:
    if problem == "required":
        return _("This field is required.")
    return _("This value is not one of the allowed choices.")


def _text(payload: Mapping[str, Any], name: str) -> str:
    value = payload.get(name)
    return value.strip() if isinstance(value, str) else ""


def _unit_from_payload(payload: Mapping[str, Any], field: str = "unit") -> Unit:
    code = _text(payload, field)
    unit = Unit.objects.filter(code=code, is_active=True).first() if code else None
    if unit is None:
        raise ValidationFailed(fields={field: _("Unknown or inactive unit.")})
    return unit


def _assisting_units(payload: Mapping[str, Any], main: Unit) -> list[Unit]:
    raw = payload.get("assisting_units") or []
    if isinstance(raw, str):
        raw = [c for c in raw.replace("，", ",").split(",")]
    if not isinstance(raw, list):
        raise ValidationFailed(fields={"assisting_units": _("Give a list of unit codes.")})
    codes = [str(c).strip() for c in raw if str(c).strip()]
    units = list(Unit.objects.filter(code__in=codes, is_active=True))
    if len({u.code for u in units}) != len(set(codes)):
        raise ValidationFailed(fields={"assisting_units": _("Unknown or inactive unit.")})
    return [u for u in units if u.pk != main.pk]


def _check_payload(order: WorkOrder, action: str, payload: Mapping[str, Any]) -> None:
    problems = flows.payload_errors(order.type, action, payload)
    too_long = {
        name: _("This value is too long.")
        for name in ("text", "reason")
        if isinstance(payload.get(name), str) and len(payload[name]) > MAX_TEXT
    }
    if problems or too_long:
        fields = {name: _field_message(p) for name, p in problems.items()}
        fields.update(too_long)
        raise ValidationFailed(fields=fields)


def work_order_act(
    *,
    actor: User,
    order: WorkOrder,
    action: str,
    payload: Mapping[str, Any] | None = None,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> WorkOrder:
    """Perform `action` on `order` for `actor`; returns the updated order.

    Errors, in this order, each before anything is written: unknown action or bad payload
    → ValidationFailed (400); order outside the actor's scope → NotFound (404); stale
    `expected_version` → Conflict (409); the table does not allow the action in this status
    → InvalidTransition (409); the actor's role or relation to the order does not allow it
    → PermissionDenied (403).
    """
    payload = dict(payload or {})
    if action not in ACTION_CODES:
        raise ValidationFailed(fields={"action": _("Unknown action.")})
    now = now or timezone.now()
    with transaction.atomic():
        order = locked_for_change(actor, order, expected_version)
        row = flows.find_transition(order.type, order.status, action)
        ruling_ok = order.type != "complaint" or action not in {
            "set_ruling",
            "appeal",
            "decide_appeal",
        }
        if not ruling_ok:
            try:
                flows.ruling_next(order.ruling_state, action)
                ruling_ok = True
            except flows.TransitionRefused:
                ruling_ok = False
        if row is None or not ruling_ok:
            raise InvalidTransition(
                _("“%(action)s” is not allowed on this work order while it is “%(status)s”.")
                % {
                    "action": flows.action_label(action, lang(), order.type),
                    "status": flows.status_label(order.status, lang()),
                }
            )
        role = role_of(actor)
        if role not in {r[0] for r in flows.ROLES} or not row.permission.allows(
            role,
            is_handling_unit_member=is_unit_member(actor, order),
            is_owner=acts_as_owner(actor, order),
        ):
            raise PermissionDenied(_("Your role does not allow this action on this order."))
        _check_payload(order, action, payload)
        hint_field = flows.hint_field(order.type, action)
        try:
            to_status = flows.next_status(
                order.type,
                order.status,
                action,
                payload_hint=_text(payload, hint_field) if hint_field else None,
            )
        except flows.TransitionRefused as exc:  # pragma: no cover - payload checked above
            if exc.code == "invalid_payload":
                raise ValidationFailed(
                    fields={k: _field_message(v) for k, v in exc.fields.items()}
                ) from exc
            raise InvalidTransition() from exc
        return _apply(actor, order, action, payload, to_status, now)


def _apply(
    actor: User,
    order: WorkOrder,
    action: str,
    payload: dict[str, Any],
    to_status: str,
    now: datetime,
) -> WorkOrder:
    from_status = order.status
    unit_before = order.handling_unit_id
    if order.due_at is not None and order.due_at <= now and not order.breached:
        order.breached = True  # the stage ends late: it stays counted as overdue
    event_unit: Unit | None = None
    text = _text(payload, "text") or _text(payload, "reason")
    data: dict[str, Any] = {}
    notices: list[tuple[list[User], str, str]] = []  # (users, title, level)
    policy = policy_for(type=order.type, subtype=order.subtype, priority=order.priority)
    linked: WorkOrder | None = None

    if action in {"dispatch", "transfer"}:
        unit = _unit_from_payload(payload)
        if action == "transfer" and unit.pk == order.handling_unit_id:
            raise ValidationFailed(fields={"unit": _("The order is already with this unit.")})
        if (
            action == "dispatch"
            and from_status == "dispatched"
            and unit.pk == order.handling_unit_id
        ):
            # a repeated dispatch (a retry, a double click) is not done and notified twice
            message = _("The order is already dispatched to this unit.")
            raise Conflict(message, fields={"unit": message}, code="already_dispatched")
        assisting = _assisting_units(payload, unit) if action == "dispatch" else []
        previous = order.handling_unit_id
        order.handling_unit = unit
        order.dispatched_at = now
        order.accepted_at = None
        order.accept_due_at = deadline(policy=policy, stage="accept", unit_id=unit.pk, start=now)
        order.feedback_due_at = deadline(
            policy=policy, stage="feedback", unit_id=unit.pk, start=now
        )
        if action == "dispatch":
            order.assisting_units.set(assisting)
            data["assisting_units"] = [u.code for u in assisting]
        event_unit = unit
        data.update({"unit": unit.code, "previous_unit_id": previous})
        title = _("Work order %(number)s was dispatched to your unit: %(title)s")
        notices.append(
            (handlers_of(unit.pk), title % {"number": order.number, "title": order.title}, "info")
        )
        if assisting:
            notices.append(
                (
                    [u for a in assisting for u in handlers_of(a.pk)],
                    _("Your unit assists on work order %(number)s: %(title)s")
                    % {"number": order.number, "title": order.title},
                    "info",
                )
            )
    elif action == "accept":
        order.accepted_at = now
        if order.type == "booking":
            order.handling_unit_id = order.handling_unit_id or actor.unit_id
    elif action == "return":
        event_unit = order.handling_unit
        order.handling_unit = None
        order.assisting_units.clear()
        order.accept_due_at = order.feedback_due_at = None
        order.dispatch_due_at = deadline(
            policy=policy, stage="dispatch", unit_id=order.intake_unit_id, start=now
        )
        notices.append(
            (
                owner_list(order),
                _("Work order %(number)s was returned: %(reason)s")
                % {"number": order.number, "reason": text},
                "warning",
            )
        )
    elif action == "feedback":
        order.fed_back_at = now
        event_unit = order.handling_unit
        if order.type == "complaint":
            order.ruling = _text(payload, "ruling")
            order.ruling_state = flows.ruling_next(order.ruling_state, "feedback")
            data["ruling"] = order.ruling
        if order.type == "pickup":
            data["result"] = _text(payload, "result")
        notices.append(
            (
                owner_list(order),
                _("The unit fed back on work order %(number)s") % {"number": order.number},
                "info",
            )
        )
    elif action in {"reply", "answer"}:
        flags = phrases.check(text)
        if flags and payload.get("confirm") is not True:
            raise ValidationFailed(
                _("The reply contains wording that should not be sent to a customer."),
                fields={"text": "; ".join(flags)},
                code="phrase_flagged",
            )
        if flags:
            data["phrase_flags"] = flags
        if order.replied_at is None:
            order.replied_at = now
    elif action == "follow_up":
        order.satisfaction = _text(payload, "satisfaction")
        data["satisfaction"] = order.satisfaction
        if _text(payload, "source") in FOLLOW_UP_SOURCES:
            data["source"] = _text(payload, "source")  # "portal": the public rated it online
        if to_status == "processing":
            order.reopen_count += 1
            order.feedback_due_at = deadline(
                policy=policy, stage="feedback", unit_id=order.handling_unit_id, start=now
            )
            notices.append(
                (
                    handlers_of(order.handling_unit_id),
                    _("The customer is dissatisfied: work order %(number)s is open again")
                    % {"number": order.number},
                    "warning",
                )
            )
    elif action == "reopen":
        order.reopen_count += 1
        order.feedback_due_at = deadline(
            policy=policy, stage="feedback", unit_id=order.handling_unit_id, start=now
        )
        notices.append(
            (
                handlers_of(order.handling_unit_id),
                _("Work order %(number)s is open again: %(reason)s")
                % {"number": order.number, "reason": text},
                "warning",
            )
        )
    elif action == "escalate":
        order.escalation_level += 1
        data["level"] = order.escalation_level
        people = leads_for(order) if order.escalation_level <= 2 else directors_for(order)
        notices.append(
            (
                [u for u in people if u.pk != actor.pk],
                _("Work order %(number)s was escalated: %(reason)s")
                % {"number": order.number, "reason": text},
                "warning",
            )
        )
    elif action == "set_ruling":
        order.ruling = _text(payload, "ruling")
        order.ruling_state = flows.ruling_next(order.ruling_state, action)
        data["ruling"] = order.ruling
    elif action == "appeal":
        order.ruling_state = flows.ruling_next(order.ruling_state, action)
        notices.append(
            (
                leads_for(order),
                _("The unit appeals the ruling on work order %(number)s")
                % {"number": order.number},
                "info",
            )
        )
    elif action == "decide_appeal":
        order.ruling_state = flows.ruling_next(order.ruling_state, action)
        data["decision"] = _text(payload, "decision")
        if data["decision"] == "overturned":
            order.ruling = _text(payload, "ruling")
        data["ruling"] = order.ruling
    elif action == "fulfil":
        data["result"] = _text(payload, "result")
    elif action == "convert_to_tracing":
        from postdesk.workorders.services.create import work_order_create

        linked = work_order_create(
            actor=actor,
            type="tracing",
            title=order.title,
            description=order.description,
            caller_phone=order.caller_phone,
            caller_name=order.caller_name,
            waybill_no=_text(payload, "waybill"),
            priority=order.priority,
            customer_id=order.customer_id,
            call_id=order.call_id,
            parent=order,
            now=now,
        )
        data["tracing"] = linked.number

    clear_assignee_on_unit_change(order, unit_before, data)  # 指派 is within one unit
    if order.owner_id != actor.pk and unclaimed(order) and acts_as_owner(actor, order):
        data["taken_over_from"] = order.owner.username if order.owner else ""
        order.owner = actor  # 首问负责: the first agent to act on a web intake owns it
    order.status = to_status
    if to_status in TERMINAL:
        order.closed_at = now
    elif from_status in TERMINAL:
        order.closed_at = None
    order.version += 1
    order.updated_at = now
    set_due(order, now)
    order.save()
    event = WorkOrderEvent.objects.create(
        order=order,
        at=now,
        actor=actor,
        action=action,
        from_status=from_status,
        to_status=to_status,
        text=text[:MAX_TEXT],
        unit=event_unit,
        data=data,
    )
    run_transition_hooks(
        order=order, action=action, actor=actor, payload=payload, event=event, now=now
    )
    notifications_settled(user=actor, link=f"/workorders/{order.number}/")
    for users, title, level in notices:
        recipients = [u for u in users if u.pk != actor.pk]
        if recipients:
            notify_users(
                users=recipients,
                key=f"wo:{order.pk}:v{order.version}:{action}",
                title=title,
                body="\n".join(filter(None, [order.title, running_line(order)])),
                link=f"/workorders/{order.number}/",
                level=level,
                email=action in {"dispatch", "transfer", "escalate", "reopen", "follow_up"},
            )
    if linked is not None:
        order._linked_created = linked  # type: ignore[attr-defined]
    return order


def work_order_note(*, actor: User, order: WorkOrder, text: str) -> WorkOrderEvent:
    """A note on the timeline (also what a merged duplicate intake becomes)."""
    text = (text or "").strip()
    if not text:
        raise ValidationFailed(fields={"text": _("This field is required.")})
    if not can_see(actor, order):
        raise NotFound()
    if not can_add_note(actor, order):
        raise PermissionDenied()
    with transaction.atomic():
        now = timezone.now()
        WorkOrder.objects.filter(pk=order.pk).update(updated_at=now)
        return WorkOrderEvent.objects.create(
            order=order,
            at=now,
            actor=actor,
            action="note",
            from_status=order.status,
            to_status=order.status,
            text=text[:MAX_TEXT],
        )
