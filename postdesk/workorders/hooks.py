"""Seams for higher apps to follow work-order transitions (the imports stay one way).

`register_transition_hook(fn)`: `fn(order=, action=, actor=, payload=, event=, now=)` is
called by `services.transitions.work_order_act` inside its transaction, after the status,
the audit event and the outbox rows are written; an error it raises (a DomainError)
undoes the whole action. The notices app uses it: dispatching a pickup issues its
notice, and the pickup's branch feedback is the notice's feedback.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from postdesk.org.models import User
from postdesk.workorders.models import WorkOrder, WorkOrderEvent

TransitionHook = Callable[..., None]
_hooks: list[TransitionHook] = []


def register_transition_hook(hook: TransitionHook) -> None:
    if hook not in _hooks:
        _hooks.append(hook)


def run_transition_hooks(
    *,
    order: WorkOrder,
    action: str,
    actor: User,
    payload: Mapping[str, Any],
    event: WorkOrderEvent,
    now: datetime,
) -> None:
    for hook in _hooks:
        hook(order=order, action=action, actor=actor, payload=payload, event=event, now=now)
