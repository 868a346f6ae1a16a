"""The one writer of `Notice.status`: `notice_act` checks, in this order, the action →
scope (404) → version (409 `conflict`) → the flow table (409 `invalid_transition`) →
role (403) → payload (400), then `apply_transition` writes the status, the audit event
and the outbox rows in one transaction.

A pickup notice issued by dispatching a work order follows that order: its
acknowledgement is the order's acceptance and its feedback is the order's feedback (one
act, one record, the work order's rules). `notice_act` then performs the work-order
action, and the work order's transition hook (`links.py`) moves the notice through
`apply_transition`.
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
from postdesk.notices import flows
from postdesk.notices.deadlines import deadlines_for, policy_for
from postdesk.notices.hooks import run_transition_hooks
from postdesk.notices.models import AlertStage, Notice, NoticeEvent, NoticeRecipient
from postdesk.notices.services._common import MAX_TEXT, acting_role, can_see
from postdesk.notices.services.issue import customer_sms, tell_unit
from postdesk.org.models import Unit, User

ACTION_CODES = frozenset(code for code, _zh, _en in flows.ACTIONS)


def _text(payload: Mapping[str, Any], name: str) -> str:
    value = payload.get(name)
    return value.strip() if isinstance(value, str) else ""


def _field_errors(problems: Mapping[str, str]) -> dict[str, str]:
    return {
        name: _("This field is required.")
        if problem == "required"
        else _("This value is not one of the allowed choices.")
        for name, problem in problems.items()
    }


def _refused(notice: Notice, action: str) -> InvalidTransition:
    return InvalidTransition(
        _("“%(action)s” is not allowed on this notice while it is “%(status)s”.")
        % {
            "action": flows.label(flows.ACTIONS, action),
            "status": flows.label(flows.STATUSES, notice.status),
        }
    )


def notice_act(
    *,
    actor: User,
    notice: Notice,
    action: str,
    payload: Mapping[str, Any] | None = None,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> Notice:
    """Perform `action` (acknowledge, feedback, reroute, cancel) on `notice` for `actor`;
    returns the notice as the action left it."""
    payload = dict(payload or {})
    if action not in ACTION_CODES:
        raise ValidationFailed(fields={"action": _("Unknown action.")})
    now = now or timezone.now()
    with transaction.atomic():
        locked = Notice.objects.select_for_update().filter(pk=notice.pk).first()
        if locked is None or not can_see(actor, locked):
            raise NotFound()
        notice = locked
        if expected_version is not None and expected_version != notice.version:
            raise Conflict()
        role = acting_role(actor, notice)
        result = _text(payload, "result")
        try:  # the table and the role first; the payload's values are checked below
            flows.next_status(
                notice.status,
                action,
                role=role or "none",
                result=result if flows.is_code("result", result) else "done",
            )
        except flows.TransitionRefused as exc:
            if exc.code == "permission":
                raise PermissionDenied(
                    _("Your role does not allow this action on this notice.")
                ) from exc
            raise _refused(notice, action) from exc
        problems = flows.payload_errors(action, payload)
        too_long = {
            name: _("This value is too long.")
            for name in ("text", "reason")
            if len(_text(payload, name)) > MAX_TEXT
        }
        if problems or too_long:
            raise ValidationFailed(fields={**_field_errors(problems), **too_long})
        unit: Unit | None = None
        if action == "reroute":
            unit = Unit.objects.filter(code=_text(payload, "unit"), is_active=True).first()
            if unit is None:
                raise ValidationFailed(fields={"unit": _("Unknown or inactive unit.")})
            if unit.pk == notice.unit_id and notice.status != "rerouting":
                raise ValidationFailed(fields={"unit": _("The notice is already with this unit.")})
        if notice.work_order_id is not None and notice.kind == "pickup":
            from postdesk.notices.links import act_through_work_order

            act_through_work_order(
                actor=actor, notice=notice, action=action, payload=payload, unit=unit, now=now
            )
            return Notice.objects.select_related("unit", "issued_unit").get(pk=notice.pk)
        return apply_transition(
            notice=notice,
            action=action,
            actor=actor,
            payload=payload,
            unit=unit,
            now=now,
            role=role,
        )


def apply_transition(
    *,
    notice: Notice,
    action: str,
    actor: User | None,
    payload: Mapping[str, Any],
    now: datetime,
    unit: Unit | None = None,
    role: str | None = None,
    data: dict[str, Any] | None = None,
) -> Notice:
    """Write one transition (the caller holds the row's lock and has checked who may).
    `role=None`: decided by the linked work order's rules."""
    result = _text(payload, "result")
    to_status = flows.next_status(notice.status, action, role=role, result=result or None)
    from_status = notice.status
    text = _text(payload, "text")
    event_data: dict[str, Any] = dict(data or {})
    event_unit = notice.unit
    if action == "acknowledge":
        notice.acknowledged_at = now
        notice.acknowledged_by = actor
        customer_sms(notice, "acknowledged", now)
    elif action == "feedback":
        if notice.acknowledged_at is None:
            notice.acknowledged_at, notice.acknowledged_by = now, actor
        notice.result = result
        notice.reason = _text(payload, "reason") if result != "done" else ""
        if result == "wrong_unit" and not notice.reason:
            notice.reason = ""
        notice.feedback_text = text[:MAX_TEXT]
        notice.fed_back_at = now
        notice.fed_back_by = actor
        if notice.first_feedback_at is None:
            notice.first_feedback_at = now
        event_data.update(result=result, reason=notice.reason)
        if result in {"done", "failed"}:
            customer_sms(notice, result, now)
    elif action == "reroute":
        assert unit is not None
        event_data["previous_unit"] = notice.unit.code
        notice.unit = unit
        notice.acknowledged_at = notice.acknowledged_by = None
        notice.result = notice.reason = ""
        # the unit's own clock starts now; the target's deadline (due_at) does not move
        leg = deadlines_for(
            kind=notice.kind, unit_id=unit.pk, start=now, window_end=notice.window_end
        )
        notice.leg_due_at = max(leg.due_at, notice.due_at)
        notice.ack_due_at = leg.ack_due_at
        notice.warn_at = notice.leg_due_at - policy_for(notice.kind).warn_before
        notice.alert_stage = AlertStage.NONE
        event_unit = unit
        event_data["unit"] = unit.code
    elif action == "cancel":
        notice.cancelled_at = now
        notice.cancel_reason = _text(payload, "reason")[:300]
        text = text or notice.cancel_reason
    notice.status = to_status
    notice.version += 1
    notice.save()
    event = NoticeEvent.objects.create(
        notice=notice,
        at=now,
        actor=actor,
        action=action,
        from_status=from_status,
        to_status=to_status,
        unit=event_unit,
        text=text[:MAX_TEXT],
        data=event_data,
    )
    run_transition_hooks(notice=notice, action=action, actor=actor, event=event, now=now)
    if action == "reroute":
        legs = NoticeEvent.objects.filter(notice=notice, action="reroute").count() + 1
        tell_unit(notice, notice.unit, now, leg=legs)
    if actor is not None:
        NoticeRecipient.objects.filter(notice=notice, user=actor, read_at__isnull=True).update(
            read_at=now
        )
    return notice


def notice_mark_read(*, user: User, notice: Notice, now: datetime | None = None) -> bool:
    """The recipient opened the notice (its read state)."""
    return bool(
        NoticeRecipient.objects.filter(notice=notice, user=user, read_at__isnull=True).update(
            read_at=now or timezone.now()
        )
    )
