"""Delivery results (the attempts behind 上网率/及时率) as a background export: the
drill-down's filters (office, day or month, which), the user's offices. No customer's
personal data in them (couriers and clerks are staff), so no access-log entry."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from postdesk.core.errors import ValidationFailed
from postdesk.core.exportlists import ExportList, check_keys, register_export_list, stream_values
from postdesk.core.periods import Month, parse_day, parse_instant, parse_month
from postdesk.org.models import User
from postdesk.tracking.models import EVENT_CODE_CHOICES
from postdesk.tracking.rules import can_read_delivery_targets
from postdesk.tracking.selectors import WHICH, delivery_attempts_filtered

KEY = "tracking_results"
FILTERS = ("office", "day", "month", "which", "as_of")
COLUMNS = (
    gettext_lazy("Waybill"),
    gettext_lazy("Office"),
    gettext_lazy("Day"),
    gettext_lazy("Out for delivery at"),
    gettext_lazy("Courier"),
    gettext_lazy("Result"),
    gettext_lazy("Result at"),
    gettext_lazy("Result recorded at"),
    gettext_lazy("Recorded by"),
    gettext_lazy("Reason"),
    gettext_lazy("Deadline"),
)
FIELDS = (
    "waybill_no",
    "office_code",
    "day",
    "ofd_time",
    "ofd_operator",
    "result_code",
    "result_time",
    "result_recorded_at",
    "result_operator",
    "result_reason",
    "deadline",
)


@dataclass(frozen=True)
class Filters:
    office: str
    day: date | None
    month: Month | None
    which: str
    as_of: datetime


def parse_filters(raw: Mapping[str, Any]) -> Filters:
    """As the drill-down page reads its query: a day, else a month (none: every day)."""
    values = check_keys(raw, FILTERS)
    which = values.get("which") or "all"
    if which not in WHICH:
        raise ValidationFailed(fields={"which": _("Choose all, not_online or not_timely.")})
    day = parse_day(values["day"], field="day") if values.get("day") else None
    month = parse_month(values["month"], field="month") if values.get("month") else None
    return Filters(
        office=values.get("office", "").strip()[:32],
        day=day,
        month=None if day else month,
        which=which,
        as_of=parse_instant(values.get("as_of")) if values.get("as_of") else timezone.now(),
    )


def _rows_qs(user: User, f: Filters) -> Any:
    return delivery_attempts_filtered(
        user=user, as_of=f.as_of, office_code=f.office, day=f.day, month=f.month, which=f.which
    )


def columns(user: User) -> Sequence[Any]:
    return COLUMNS


def rows(user: User, filters: Filters) -> Iterator[list[Any]]:
    results = {code: str(label) for code, label in EVENT_CODE_CHOICES}
    qs = _rows_qs(user, filters).order_by("day", "ofd_time", "result_time", "waybill_no")
    for values in stream_values(qs, FIELDS):
        row = list(values)
        row[5] = results.get(row[5], row[5]) if row[5] else ""
        yield row


def count(user: User, filters: Filters) -> int:
    return int(_rows_qs(user, filters).order_by().count())


def register() -> None:
    register_export_list(
        ExportList(
            key=KEY,
            label=gettext_lazy("Delivery results"),
            parse_filters=parse_filters,
            columns=columns,
            rows=rows,
            count=count,
            allowed=can_read_delivery_targets,
            full=lambda user: False,
            subject_type="tracking_result",
        )
    )
