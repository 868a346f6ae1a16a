"""Who may do what with tracking: the `can_<verb>()` predicates (pure), used by the pages
and the API alike. What a reader then sees is their scope's (the selectors apply it)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from postdesk.org.models import Role

if TYPE_CHECKING:
    from postdesk.org.models import User

#: The centre's staff and the units' handlers (a handler sees their own offices' parcels).
TRACKERS = frozenset({Role.AGENT, Role.LEAD, Role.DIRECTOR, Role.ADMIN, Role.HANDLER})
#: Who records couriers' delivery results (the director reads, does not enter).
RESULT_ENTRY = frozenset({Role.AGENT, Role.LEAD, Role.ADMIN, Role.HANDLER})
#: The delivery targets and the tracking-file imports are the centre management's.
MANAGEMENT = frozenset({Role.LEAD, Role.DIRECTOR, Role.ADMIN})


def role_of(user: User) -> str:
    return Role.ADMIN if user.is_superuser else str(user.role)


def can_track(user: User) -> bool:
    """Look a parcel up, by waybill or by the caller's phone; the chase and stale lists."""
    return user.is_active and role_of(user) in TRACKERS


def can_enter_results(user: User) -> bool:
    return user.is_active and role_of(user) in RESULT_ENTRY


def can_read_delivery_targets(user: User) -> bool:
    """The delivery KPI pages, the drill-down and `/api/v1/reports/delivery`."""
    return user.is_active and role_of(user) in MANAGEMENT


def can_import(user: User) -> bool:
    """Upload a tracking file, and read the imports and their rejected lines."""
    return user.is_active and role_of(user) in MANAGEMENT
