"""Who may do what with the organisation: `can_<verb>()` predicates (pure)."""

from __future__ import annotations

from postdesk.org.models import Role, User


def can_read_unit_tree(user: User) -> bool:
    """The whole unit tree page: the director and administrators."""
    return user.is_active and (user.is_superuser or user.role in {Role.DIRECTOR, Role.ADMIN})


def can_import_units(user: User) -> bool:
    """Upload the org table (`postdesk import_units`'s CSV): administrators."""
    return user.is_active and (user.is_superuser or user.role == Role.ADMIN)


def can_view_access_log(user: User) -> bool:
    """Read the access log of personal data (the page, the API, its export):
    administrators and auditors (审计员). The one rule; the selector asks it too."""
    return user.is_active and (user.is_superuser or user.role in {Role.ADMIN, Role.AUDITOR})
