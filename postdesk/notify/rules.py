"""Who may do what with notifications and customer SMS: `can_<verb>()` predicates (pure)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from postdesk.org.models import Role

if TYPE_CHECKING:
    from postdesk.org.models import User


def can_read_sms_templates(user: User) -> bool:
    """The customer SMS templates page: the centre's management."""
    return user.is_active and (
        user.is_superuser or user.role in {Role.LEAD, Role.DIRECTOR, Role.ADMIN}
    )
