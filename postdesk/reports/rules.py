"""Who may read the month-end report: the `can_<verb>()` predicates, used by the pages
(a 404 for anyone else, as before) and the API (a 403)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from postdesk.org.models import Role

if TYPE_CHECKING:
    from postdesk.org.models import User

#: The report, its Excel and its PDF are the centre management's.
REPORT_ROLES = frozenset({Role.LEAD, Role.DIRECTOR, Role.ADMIN})
#: Who may have a month's summary generated (and mailed) now.
GENERATE_ROLES = frozenset({Role.DIRECTOR, Role.ADMIN})


def can_read_reports(user: User) -> bool:
    """See the month-end report and download it (Excel, PDF)."""
    return user.is_active and (user.is_superuser or user.role in REPORT_ROLES)


def _sees_whole_centre(user: User) -> bool:
    from postdesk.org.selectors import scope_for

    return scope_for(user=user).everything


def can_read_archive(user: User) -> bool:
    """See the stored month-end summaries and download them: they are the whole centre's,
    so a report reader who sees the whole centre (not a county bureau's lead)."""
    return can_read_reports(user) and _sees_whole_centre(user)


def can_generate_month_summary(user: User) -> bool:
    """Have a month's summary generated now (a new version, mailed to the management)."""
    return (
        can_read_archive(user)
        and user.is_active
        and (user.is_superuser or user.role in GENERATE_ROLES)
    )
