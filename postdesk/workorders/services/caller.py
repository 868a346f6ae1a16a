"""The caller's personal data on a work order: masked everywhere by default, in full only
through this logged action (a rule of the whole product)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from postdesk.core.errors import NotFound, PermissionDenied
from postdesk.core.masking import mask_name, mask_phone
from postdesk.core.phones import display_phone
from postdesk.core.services import access_log_record
from postdesk.customers.selectors import can_view_full
from postdesk.org.models import Role, User
from postdesk.workorders.models import WorkOrder
from postdesk.workorders.services._common import can_see

SUBJECT_TYPE = "work_order"

# Who sees a work order's caller in full (the one rule; pages, API and service ask it):
# agents, team leads and administrators on every type (they take and call back); a unit's
# handlers only where their work is to reach the caller themselves — a pickup (揽收: the
# courier calls and comes to the address). A complaint's caller stays masked to the units,
# the complained-about one among them; directors see no caller in full.
HANDLER_FULL_TYPES = frozenset({"pickup"})


def can_reveal_caller(*, user: User, order: WorkOrder) -> bool:
    """May `user` see this order's caller in full (scope aside: `can_see` first)?"""
    if not can_view_full(user=user):
        return False
    if user.is_superuser or user.role != Role.HANDLER:
        return True
    return order.type in HANDLER_FULL_TYPES


@dataclass(frozen=True)
class Caller:
    phone: str
    name: str
    customer_id: int | None
    masked: bool


def caller_masked(order: WorkOrder) -> Caller:
    """What lists and the order page show to everyone (pure)."""
    phone = display_phone(order.caller_phone) if order.caller_phone else ""
    return Caller(
        phone=mask_phone(phone),
        name=mask_name(order.caller_name),
        customer_id=order.customer_id,
        masked=True,
    )


def _label(order: WorkOrder) -> str:
    masked = caller_masked(order)
    return " ".join(v for v in (masked.name, masked.phone) if v) or order.number


def work_order_caller_reveal(*, actor: User, order: WorkOrder, ip: str | None = None) -> Caller:
    """The caller's phone and name in full, written to the access log (one entry).

    Allowed by `can_reveal_caller` (agents, team leads, administrators; a unit's handlers
    on pickups only) and only on an order in their scope; anyone else gets
    PermissionDenied and nothing is logged.
    """
    assisting = getattr(order, "_assisting", None)
    assisting_ids = [u.pk for u in assisting] if assisting is not None else None
    if assisting_ids is None:
        assisting_ids = list(order.assisting_units.values_list("pk", flat=True))
    if not can_see(actor, order, assisting_ids):
        raise NotFound()
    if not can_reveal_caller(user=actor, order=order):
        raise PermissionDenied(_("Your role does not see callers' personal data in full."))
    access_log_record(
        actor=actor,
        subject_type=SUBJECT_TYPE,
        subjects=[(order.number, _label(order))],
        what="view",
        detail="caller",
        ip=ip,
    )
    return Caller(
        phone=display_phone(order.caller_phone) if order.caller_phone else "",
        name=order.caller_name,
        customer_id=order.customer_id,
        masked=False,
    )
