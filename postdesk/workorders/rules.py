"""Who may do what with work orders, beyond the state machine's actions (`flows.py`,
offered through `allowed_actions`): `can_<verb>()` predicates used by the services, the
pages and the templates alike. Seeing an order at all is `can_see` (the reader's scope)."""

from __future__ import annotations

from postdesk.org.models import Role, User
from postdesk.workorders.models import WorkOrder
from postdesk.workorders.services._common import can_see, role_of

#: The team lead's board of overdue, due-soon and escalated work: the centre's management.
BOARD_READERS = frozenset({Role.LEAD, Role.DIRECTOR, Role.ADMIN})


def can_add_note(user: User, order: WorkOrder) -> bool:
    """A note on the timeline: anyone who works the order (administrators run the
    system, not the cases)."""
    return can_see(user, order) and role_of(user) != Role.ADMIN


def can_bulk_act(user: User) -> bool:
    """The list's bulk actions (reassign, escalate, close with a reason): team leads only;
    each order is then still the flow table's and the scope's (`services/bulk.py`)."""
    return user.is_active and role_of(user) == Role.LEAD


def can_read_board(user: User) -> bool:
    return user.is_active and role_of(user) in BOARD_READERS


__all__ = ["can_add_note", "can_bulk_act", "can_read_board", "can_see"]
