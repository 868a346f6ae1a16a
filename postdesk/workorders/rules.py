"""Who may do what with work orders, beyond the state machine's actions (`flows.py`,
offered through `allowed_actions`): `can_<verb>()` predicates used by the services, the
pages and the templates alike. Seeing an order at all is `can_see` (the reader's scope)."""

from __future__ import annotations

from postdesk.org.models import Role, User
from postdesk.workorders.models import WorkOrder
from postdesk.workorders.services._common import (
    UNIT_STATUSES,
    can_see,
    is_unit_member,
    role_of,
)

#: The team lead's board of overdue, due-soon and escalated work: the centre's management.
BOARD_READERS = frozenset({Role.LEAD, Role.DIRECTOR, Role.ADMIN})


def can_add_note(user: User, order: WorkOrder) -> bool:
    """A note on the timeline: anyone who works the order (administrators run the
    system, not the cases)."""
    return can_see(user, order) and role_of(user) != Role.ADMIN


def can_assign(user: User, order: WorkOrder) -> bool:
    """指派 / 领取: give an order the handling unit works to one of its handlers, or take
    it back. A handler of the unit may (to themselves — a claim — or to a colleague), and a
    team lead who sees the order; nobody else (agents, directors, administrators, the
    handlers of an assisting unit). Who may *be* the assignee is the service's rule: an
    active handler of the handling unit itself (`services.assign.assignee_choices`)."""
    if not user.is_active or order.handling_unit_id is None:
        return False
    if order.status not in UNIT_STATUSES or not can_see(user, order):
        return False
    role = role_of(user)
    if role == Role.LEAD:
        return True
    return role == Role.HANDLER and is_unit_member(user, order)


def can_be_assignee(user: User, order: WorkOrder) -> bool:
    """May `user` be the order's assignee: an active handler of its handling unit itself
    (`services.assign.assignee_choices` lists them)."""
    return (
        user.is_active
        and order.handling_unit_id is not None
        and role_of(user) == Role.HANDLER
        and user.unit_id == order.handling_unit_id
    )


def can_claim(user: User, order: WorkOrder) -> bool:
    """领取: may `user` assign the order to themselves now (the inbox's button)?"""
    return order.assignee_id != user.pk and can_be_assignee(user, order) and can_assign(user, order)


def can_bulk_act(user: User) -> bool:
    """The list's bulk actions (reassign, escalate, close with a reason): team leads only;
    each order is then still the flow table's and the scope's (`services/bulk.py`)."""
    return user.is_active and role_of(user) == Role.LEAD


#: Who works the cases and so may tag them (administrators run the system; auditors read
#: the access log): the roles of `can_tag`.
TAGGERS = frozenset({Role.AGENT, Role.LEAD, Role.DIRECTOR, Role.HANDLER})
#: Who keeps the centre's list of tags (create, rename, recolour, archive).
TAG_KEEPERS = frozenset({Role.LEAD, Role.ADMIN})


def can_tag(user: User, order: WorkOrder) -> bool:
    """标签: put a tag on the order or take one off — anyone who works the order and sees
    it (a branch handler: the orders of their unit, or that it assists on), in any status
    (a closed complaint is still tagged for the month's review)."""
    if not user.is_active or role_of(user) not in TAGGERS:
        return False
    known = getattr(order, "_assisting", None)  # loaded by `selectors.work_order_get`
    assisting = (
        [u.pk for u in known]
        if known is not None
        else list(order.assisting_units.values_list("pk", flat=True))
    )
    return can_see(user, order, assisting)


def can_manage_tags(user: User) -> bool:
    """The centre's list of tags: administrators and team leads."""
    return user.is_active and role_of(user) in TAG_KEEPERS


def can_read_board(user: User) -> bool:
    return user.is_active and role_of(user) in BOARD_READERS


__all__ = [
    "UNIT_STATUSES",
    "can_add_note",
    "can_assign",
    "can_be_assignee",
    "can_bulk_act",
    "can_claim",
    "can_manage_tags",
    "can_read_board",
    "can_see",
    "can_tag",
]
