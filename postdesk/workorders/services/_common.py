"""Helpers shared by the work-order services (not an API of their own)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.utils.translation import gettext as _

from postdesk.core.errors import Conflict, NotFound
from postdesk.org.models import Role, User
from postdesk.org.selectors import scope_for
from postdesk.workorders import flows
from postdesk.workorders.models import AlertStage, WorkOrder
from postdesk.workorders.ownership import acts_as_owner
from postdesk.workorders.sla import policy_for

TERMINAL = flows.terminal_statuses()
#: The statuses in which the handling unit works an order (its inbox): the ones an order
#: can be assigned 指派 to one of the unit's handlers in (`rules.can_assign`).
UNIT_STATUSES = ("dispatched", "processing", "fed_back")


def role_of(user: User) -> str:
    return Role.ADMIN if user.is_superuser else str(user.role)


def can_see(user: User, order: WorkOrder, assisting_unit_ids: Iterable[int] = ()) -> bool:
    scope = scope_for(user=user)
    if scope.everything:
        return True
    if role_of(user) == Role.HANDLER:
        units = {order.handling_unit_id, *assisting_unit_ids}
        return any(scope.allows_unit(u) for u in units if u is not None)
    return scope.allows_unit(order.handling_unit_id) or scope.allows_unit(order.intake_unit_id)


def locked_for_change(actor: User, order: WorkOrder, expected_version: int | None) -> WorkOrder:
    """The order, locked (call inside `transaction.atomic()`), after the checks every change
    makes first: it still exists and the actor sees it (else NotFound, 404), and nobody
    changed it since the actor read `expected_version` (else Conflict, 409)."""
    locked = WorkOrder.objects.select_for_update().filter(pk=order.pk).first()
    if locked is None:
        raise NotFound()
    assisting_ids = list(locked.assisting_units.values_list("pk", flat=True))
    if not can_see(actor, locked, assisting_ids):
        raise NotFound()
    if expected_version is not None and expected_version != locked.version:
        raise Conflict(
            _("Someone else changed this work order in the meantime. Reload and try again.")
        )
    return locked


def is_unit_member(user: User, order: WorkOrder) -> bool:
    """A handler belongs to the handling unit (or to a unit above it)."""
    if order.handling_unit_id is None or role_of(user) != Role.HANDLER:
        return False
    return scope_for(user=user).allows_unit(order.handling_unit_id)


def viewer_actions(user: User, order: WorkOrder) -> list[str]:
    """The actions this user may take on the order now (buttons and the API)."""
    role = role_of(user)
    if role not in {r[0] for r in flows.ROLES}:
        return []
    return flows.allowed_actions(
        order.type,
        order.status,
        role,
        is_handling_unit_member=is_unit_member(user, order),
        is_owner=acts_as_owner(user, order),
        ruling_state=order.ruling_state if order.type == "complaint" else None,
    )


def active_due(order: WorkOrder) -> datetime | None:
    """The deadline that runs now, from the stage deadlines stored on the row (the rule
    is the flow table's: `flows.RUNNING_DEADLINES`)."""
    return flows.running_deadline(
        order.status,
        {name: getattr(order, name) for name in flows.DEADLINE_FIELDS},
        replied=order.replied_at is not None,
    )


def set_due(order: WorkOrder, now: datetime) -> list[str]:
    """Store the running deadline; a new deadline restarts the watch. Returns fields set."""
    due = active_due(order)
    if due == order.due_at:
        return []
    order.due_at = due
    policy = policy_for(type=order.type, subtype=order.subtype, priority=order.priority)
    order.warn_at = due - policy.warn_before if due is not None else None
    order.alert_stage = AlertStage.NONE
    return ["due_at", "warn_at", "alert_stage"]


def is_breached(order: WorkOrder, now: datetime) -> bool:
    return order.breached or (order.due_at is not None and order.due_at <= now)


def handlers_of(unit_id: int | None) -> list[User]:
    if unit_id is None:
        return []
    return list(User.objects.filter(role=Role.HANDLER, unit_id=unit_id, is_active=True))


def leads_for(order: WorkOrder) -> list[User]:
    """The team leads of the team that took the order, else every lead who sees it."""
    leads: list[User] = []
    if order.intake_unit_id is not None:
        team: int = order.intake_unit_id
        leads = list(User.objects.filter(role=Role.LEAD, is_active=True, unit_id=team))
    if leads:
        return leads
    return [u for u in User.objects.filter(role=Role.LEAD, is_active=True) if can_see(u, order)]


def directors_for(order: WorkOrder) -> list[User]:
    return [u for u in User.objects.filter(role=Role.DIRECTOR, is_active=True) if can_see(u, order)]


def owner_list(order: WorkOrder) -> list[User]:
    return [order.owner] if order.owner is not None else []
