"""Who may do what with callbacks (pure predicates, used by the pages, the API and the
templates).

- agents and team leads work the list: create, start a call, record an outcome;
- an agent works their own tasks and their team's unassigned ones (and may take one);
- team leads (and administrators) reassign and cancel any task in their scope;
- directors and administrators read;
- unit handlers and auditors have no callbacks (403 on the list, 404 on a task).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from postdesk.callbacks import flows
from postdesk.org.models import Role

if TYPE_CHECKING:
    from postdesk.callbacks.models import CallbackTask
    from postdesk.org.models import User

READERS = frozenset({Role.AGENT, Role.LEAD, Role.DIRECTOR, Role.ADMIN})
WORKERS = frozenset({Role.AGENT, Role.LEAD})
MANAGERS = frozenset({Role.LEAD, Role.ADMIN})


def _role(user: User) -> str:
    if not user.is_authenticated or not user.is_active:
        return ""
    return Role.ADMIN if user.is_superuser else str(user.role)


def can_read_callbacks(user: User) -> bool:
    return _role(user) in READERS


def can_create_callback(user: User) -> bool:
    return _role(user) in WORKERS


def can_work_callback(user: User, task: CallbackTask) -> bool:
    """Start a call or record an outcome: the assignee, a colleague of the team while it
    is unassigned, or a team lead."""
    role = _role(user)
    if role not in WORKERS or task.status not in flows.OPEN:
        return False
    if role == Role.LEAD or task.assignee_id == user.pk:
        return True
    return task.assignee_id is None and task.team_id == user.unit_id


def can_take_callback(user: User, task: CallbackTask) -> bool:
    """An agent assigns an unassigned task of their team to themselves."""
    return (
        _role(user) == Role.AGENT
        and task.status in flows.OPEN
        and task.assignee_id is None
        and task.team_id == user.unit_id
    )


def can_assign_callback(user: User, task: CallbackTask) -> bool:
    return _role(user) in MANAGERS and task.status in flows.OPEN


def can_cancel_callback(user: User, task: CallbackTask) -> bool:
    if task.status not in flows.OPEN:
        return False
    return _role(user) in MANAGERS or (_role(user) == Role.AGENT and task.assignee_id == user.pk)
