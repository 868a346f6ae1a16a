"""首问负责 — who owns a work order, in one place.

The agent who takes an order owns it, and the flow table lets agents act on their own
orders (`flows.Permission.owner_only`). An order taken by an intake account that nobody
signs in as — the public portal's web intake registers its own in `PortalConfig.ready` —
has no first-contact agent yet: it is *unclaimed*. Any agent who may see an unclaimed
order acts on it as its owner, and the first to act takes it over (the transition sets the
owner and the event records `taken_over_from`), so from then on it is that agent's, exactly
as a phone intake is.
"""

from __future__ import annotations

from postdesk.org.models import Role, User
from postdesk.workorders.models import WorkOrder

_INTAKE_ACCOUNTS: set[str] = set()


def register_intake_account(username: str) -> None:
    """Declare `username` an intake account whose orders wait for an agent to claim them."""
    _INTAKE_ACCOUNTS.add(username)


def unclaimed(order: WorkOrder) -> bool:
    """No agent has taken this order yet (its owner is a registered intake account)."""
    if order.owner_id is None:
        return False
    owner = order.owner
    return owner is not None and owner.username in _INTAKE_ACCOUNTS


def acts_as_owner(user: User, order: WorkOrder) -> bool:
    """May `user` act on `order` as its first-contact owner (scope aside)?"""
    if order.owner_id == user.pk:
        return True
    return not user.is_superuser and user.role == Role.AGENT and unclaimed(order)
