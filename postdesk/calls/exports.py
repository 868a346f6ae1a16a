"""The call log as a background export: the log page's filters (`call_filters_parse`),
the user's scope (`calls_visible`), the columns the page shows. Calling and called
numbers appear in full, as on the log, so each export is written to the access log."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from postdesk.calls.models import Call
from postdesk.calls.selectors import CallFilters, call_filters_parse, calls_filtered, wrapup_labels
from postdesk.core.exportlists import ExportList, check_keys, register_export_list, stream_values
from postdesk.org.models import User

KEY = "calls"
FILTERS = ("day", "direction", "outcome", "agent", "number")
COLUMNS = (
    _("Started at"),
    _("Direction"),
    pgettext_lazy("calling number", "From"),
    pgettext_lazy("called number", "To"),
    _("Queue"),
    _("Agent"),
    _("Extension"),
    _("Wait (s)"),
    _("Talk (s)"),
    _("Hold (s)"),
    _("After-call work (s)"),
    _("Outcome"),
    _("Wrap-up code"),
)
FIELDS = (
    "started_at",
    "direction",
    "from_number",
    "to_number",
    "queue",
    "agent__display_name",
    "agent_extension",
    "wait_seconds",
    "talk_seconds",
    "hold_seconds",
    "acw_seconds",
    "outcome",
    "wrapup_code",
)


def parse_filters(raw: Mapping[str, Any]) -> CallFilters:
    return call_filters_parse(check_keys(raw, FILTERS))


def columns(user: User) -> Sequence[Any]:
    return COLUMNS


def rows(user: User, filters: CallFilters) -> Iterator[list[Any]]:
    directions = {code: str(label) for code, label in Call.Direction.choices}
    outcomes = {code: str(label) for code, label in Call.Outcome.choices}
    wrapups = wrapup_labels()
    calls = calls_filtered(user=user, filters=filters).order_by("-started_at", "-id")
    for values in stream_values(calls, FIELDS):
        row = list(values)
        row[1] = directions.get(row[1], row[1])
        row[5] = row[5] or ""
        row[11] = outcomes.get(row[11], row[11])
        row[12] = wrapups.get(row[12], row[12]) if row[12] else ""
        yield row


def count(user: User, filters: CallFilters) -> int:
    return calls_filtered(user=user, filters=filters).order_by().count()


def register() -> None:
    register_export_list(
        ExportList(
            key=KEY,
            label=_("Calls"),
            parse_filters=parse_filters,
            columns=columns,
            rows=rows,
            count=count,
            allowed=lambda user: True,  # an agent exports their own calls, a lead the unit's
            full=lambda user: True,
            subject_type="call",
        )
    )
