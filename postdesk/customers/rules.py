"""Who may do what with a customer's card (pure predicates; scope is the selectors')."""

from __future__ import annotations

from postdesk.org.models import Role, User

EDITORS = frozenset({Role.AGENT, Role.LEAD, Role.ADMIN})
MERGERS = frozenset({Role.LEAD, Role.ADMIN})


def can_edit_customer(user: User, customer: object | None = None) -> bool:
    """Correct a card (name, phones, address, contact preferences, notes)."""
    return user.is_active and (user.is_superuser or user.role in EDITORS)


def can_merge_customers(user: User) -> bool:
    """Merge two cards of one person into one."""
    return user.is_active and (user.is_superuser or user.role in MERGERS)
