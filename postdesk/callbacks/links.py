"""Where the centre's own flow puts callbacks on the list (installed in `apps.ready`,
through the lower apps' transition hooks; nothing below imports this app):

* a pickup notice fed back `failed` (by the branch on the notice or on its work order)
  → a "failed pickup" callback 揽收失败回访, to the order's owner or the issuer;
* a work order put to "call back later" 转回电 (`pending_callback`) → a work-order
  callback 工单回电, due by the order's reply deadline; answered or converted → done,
  cancelled → cancelled;
* a work order replied to whose flow has a follow-up call 回访 (`replied` → follow_up)
  → a follow-up callback due within `POSTDESK_CALLBACK_FOLLOW_UP_HOURS`; followed up →
  done; closed, reopened or cancelled → cancelled.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings

from postdesk.callbacks.services import callback_auto_create, callbacks_settle
from postdesk.notices.models import Notice, NoticeEvent
from postdesk.org.models import Role, Unit, User
from postdesk.workorders import flows as wo_flows
from postdesk.workorders.models import WorkOrder, WorkOrderEvent

#: The order's status that awaits a call → the callback's reason.
_AWAITING = {"pending_callback": "work_order_callback", "replied": "follow_up"}
_DONE_ACTIONS = {"answer", "convert_to_tracing", "follow_up"}


def _hours(name: str) -> timedelta:
    return timedelta(hours=float(getattr(settings, name)))


def _agent(user: User | None) -> User | None:
    if user is not None and user.is_active and user.role == Role.AGENT:
        return user
    return None


def _who(*candidates: User | None) -> tuple[User | None, Unit | None]:
    """The first agent of the candidates (the order's owner, the issuer, the actor) and
    the team: theirs, else the first candidate's unit."""
    assignee = next((a for a in (_agent(c) for c in candidates) if a is not None), None)
    if assignee is not None and assignee.unit is not None:
        return assignee, assignee.unit
    team = next((c.unit for c in candidates if c is not None and c.unit is not None), None)
    return None, team


def on_notice_transition(
    *, notice: Notice, action: str, actor: User | None, event: NoticeEvent, now: datetime
) -> None:
    if action != "feedback" or notice.kind != "pickup" or notice.result != "failed":
        return
    order = notice.work_order
    assignee, team = _who(order.owner if order else None, notice.issued_by)
    if team is None:
        return
    callback_auto_create(
        source=f"notice-event:{event.pk}",
        reason="failed_pickup",
        phone=notice.phone,
        name=notice.name,
        team=team,
        assignee=assignee,
        actor=actor,
        work_order=order,
        notice=notice,
        window_start=now,
        window_end=now + _hours("POSTDESK_CALLBACK_FAILED_PICKUP_HOURS"),
        text=(notice.feedback_text or notice.text)[:500],
        priority="high",
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
    before, after = event.from_status, event.to_status
    if before in _AWAITING and after != before:
        callbacks_settle(
            work_order=order,
            reasons={_AWAITING[before]},
            done=action in _DONE_ACTIONS,
            actor=actor,
            now=now,
        )
    reason = _AWAITING.get(after)
    if reason is None or after == before:
        return
    if reason == "follow_up" and wo_flows.find_transition(order.type, after, "follow_up") is None:
        return  # this type's replies are not followed up by phone
    assignee, team = _who(order.owner, actor)
    if team is None:
        return
    if reason == "work_order_callback":
        end = order.reply_due_at if order.reply_due_at and order.reply_due_at > now else None
        end = end or now + _hours("POSTDESK_CALLBACK_WORK_ORDER_HOURS")
    else:
        end = now + _hours("POSTDESK_CALLBACK_FOLLOW_UP_HOURS")
    callback_auto_create(
        source=f"wo-event:{event.pk}",
        reason=reason,
        phone=order.caller_phone,
        name=order.caller_name,
        team=team,
        assignee=assignee,
        actor=actor,
        work_order=order,
        window_start=now,
        window_end=end,
        text=order.title[:500],
        priority="high" if order.priority in {"urgent", "high"} else "normal",
    )


def install() -> None:
    from postdesk.notices.hooks import register_transition_hook as notice_hook
    from postdesk.workorders.hooks import register_transition_hook as work_order_hook

    notice_hook(on_notice_transition)
    work_order_hook(on_work_order_transition)
