"""Who may read the month-end report: the `can_<verb>()` predicates (pure), used by the
pages (a 404 for anyone else, as before) and the API (a 403)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from postdesk.org.models import Role

if TYPE_CHECKING:
    from postdesk.org.models import User

#: The report, its Excel and its PDF are the centre management's.
REPORT_ROLES = frozenset({Role.LEAD, Role.DIRECTOR, Role.ADMIN})


def can_read_reports(user: User) -> bool:
    """See the month-end report and download it (Excel, PDF)."""
    return user.is_active and (user.is_superuser or user.role in REPORT_ROLES)
