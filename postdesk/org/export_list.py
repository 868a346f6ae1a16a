"""The personal-data access log as a background export (`core.exportlists`): the log
page's filters (`access_log_filters`: user, subject_type, subject_id, what, from, to),
read through `access_log_entries` — administrators and auditors only
(`can_view_access_log`). Unlike the page's synchronous export (10,000 rows at most),
no row cap."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from django.utils.translation import gettext_lazy

from postdesk.core.exportlists import ExportList, check_keys, register_export_list, stream_values
from postdesk.core.models import AccessLogEntry
from postdesk.org.models import User
from postdesk.org.rules import can_view_access_log
from postdesk.org.selectors import AccessLogFilters, access_log_entries, access_log_filters

KEY = "access_log"
FILTERS = ("user", "subject_type", "subject_id", "what", "from", "to")
COLUMNS = (
    gettext_lazy("Time"),
    gettext_lazy("Staff"),
    gettext_lazy("What"),
    gettext_lazy("Kind of record"),
    gettext_lazy("Record"),
    gettext_lazy("Label"),
    gettext_lazy("Detail"),
    gettext_lazy("IP address"),
)
FIELDS = (
    "at",
    "actor_username",
    "what",
    "subject_type",
    "subject_id",
    "subject_label",
    "detail",
    "ip",
)


def parse_filters(raw: Mapping[str, Any]) -> AccessLogFilters:
    values = check_keys(raw, FILTERS)
    return access_log_filters(
        user=values.get("user", ""),
        subject_type=values.get("subject_type", ""),
        subject_id=values.get("subject_id", ""),
        what=values.get("what", ""),
        day_from=values.get("from", ""),
        day_to=values.get("to", ""),
    )


def columns(user: User) -> Sequence[Any]:
    return COLUMNS


def rows(user: User, filters: AccessLogFilters) -> Iterator[list[Any]]:
    whats = {code: str(label) for code, label in AccessLogEntry.What.choices}
    entries = access_log_entries(user=user, filters=filters).order_by("-at", "-id")
    for values in stream_values(entries, FIELDS):
        row = list(values)
        row[2] = whats.get(row[2], row[2])
        row[7] = row[7] or ""
        yield row


def count(user: User, filters: AccessLogFilters) -> int:
    return access_log_entries(user=user, filters=filters).order_by().count()


def register() -> None:
    register_export_list(
        ExportList(
            key=KEY,
            label=gettext_lazy("Access log"),
            parse_filters=parse_filters,
            columns=columns,
            rows=rows,
            count=count,
            allowed=can_view_access_log,
            full=lambda user: True,
            subject_type="access_log",
        )
    )
