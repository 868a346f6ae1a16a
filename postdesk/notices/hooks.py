"""A seam for higher apps to follow notice transitions (the imports stay one way).

`register_transition_hook(fn)`: `fn(notice=, action=, actor=, event=, now=)` is called
by `services.act.apply_transition` inside its transaction, after the status and the
audit event are written, for every transition of every notice (a pickup notice moved by
its work order's hook too); an error it raises (a DomainError) undoes the whole action.
The callbacks app uses it: a pickup notice fed back `failed` puts a callback on the
agents' list.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from postdesk.notices.models import Notice, NoticeEvent
from postdesk.org.models import User

TransitionHook = Callable[..., None]
_hooks: list[TransitionHook] = []


def register_transition_hook(hook: TransitionHook) -> None:
    if hook not in _hooks:
        _hooks.append(hook)


def run_transition_hooks(
    *, notice: Notice, action: str, actor: User | None, event: NoticeEvent, now: datetime
) -> None:
    for hook in _hooks:
        hook(notice=notice, action=action, actor=actor, event=event, now=now)
