"""The work-order list's saved filters: the user's own and the built-in ones (issue 20)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlencode

from django.utils import timezone
from django.utils.translation import gettext as _

from postdesk.core.periods import local_midnight
from postdesk.org.models import User
from postdesk.workorders.models import SavedFilter


@dataclass(frozen=True)
class FilterChip:
    name: str
    query: str
    id: int | None = None  # None: built in (cannot be deleted)


def saved_filters_list(*, user: User) -> list[SavedFilter]:
    """The user's own saved filters, by name (nobody sees another's)."""
    return list(SavedFilter.objects.filter(owner=user).order_by("name"))


def builtin_filters(*, now: datetime | None = None) -> list[FilterChip]:
    """The views every user has: my open complaints, due today, overdue."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    end_of_day = timezone.localtime(
        local_midnight(today + timedelta(days=1)) - timedelta(minutes=1)
    )
    return [
        FilterChip(
            _("My open complaints"),
            urlencode({"type": "complaint", "status": "open", "mine": "on"}),
        ),
        FilterChip(
            _("Due today"),
            urlencode({"status": "open", "due_before": end_of_day.strftime("%Y-%m-%dT%H:%M")}),
        ),
        FilterChip(_("Overdue now"), urlencode({"overdue": "true"})),
    ]
