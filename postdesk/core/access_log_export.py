"""The personal-data access log as a background export (administrators only: an auditor
role with `can_view_access_log` is not on main yet). Filters: who (`actor`), what kind of
record (`subject_type`), `what` (view / export), and a range of days."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from postdesk.core.errors import ValidationFailed
from postdesk.core.exportlists import CHUNK, ExportList, check_keys, register_export_list
from postdesk.core.models import AccessLogEntry
from postdesk.core.periods import local_midnight, parse_day

KEY = "access_log"
FILTERS = ("actor", "subject_type", "what", "day_from", "day_to")
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


@dataclass(frozen=True)
class Filters:
    actor: str
    subject_type: str
    what: str
    day_from: date | None
    day_to: date | None


def can_export_access_log(user: Any) -> bool:
    return bool(user.is_active and (user.is_superuser or getattr(user, "role", "") == "admin"))


def parse_filters(raw: Mapping[str, Any]) -> Filters:
    values = check_keys(raw, FILTERS)
    what = values.get("what", "")
    if what and what not in AccessLogEntry.What.values:
        raise ValidationFailed(fields={"what": _("Choose view or export.")})
    day_from = parse_day(values["day_from"], field="day_from") if values.get("day_from") else None
    day_to = parse_day(values["day_to"], field="day_to") if values.get("day_to") else None
    if day_from and day_to and day_to < day_from:
        raise ValidationFailed(fields={"day_to": _("The last day is before the first.")})
    return Filters(
        actor=values.get("actor", "").strip()[:150],
        subject_type=values.get("subject_type", "").strip()[:50],
        what=what,
        day_from=day_from,
        day_to=day_to,
    )


def _entries(f: Filters) -> QuerySet[AccessLogEntry]:
    entries = AccessLogEntry.objects.all()
    if f.actor:
        entries = entries.filter(actor_username=f.actor)
    if f.subject_type:
        entries = entries.filter(subject_type=f.subject_type)
    if f.what:
        entries = entries.filter(what=f.what)
    if f.day_from:
        entries = entries.filter(at__gte=local_midnight(f.day_from))
    if f.day_to:
        entries = entries.filter(at__lt=local_midnight(f.day_to + timedelta(days=1)))
    return entries


def columns(user: Any) -> Sequence[Any]:
    return COLUMNS


def rows(user: Any, filters: Filters) -> Iterator[list[Any]]:
    whats = {code: str(label) for code, label in AccessLogEntry.What.choices}
    entries = _entries(filters).order_by("-at", "-id").values_list(*FIELDS)
    for values in entries.iterator(chunk_size=CHUNK):
        row = list(values)
        row[2] = whats.get(row[2], row[2])
        row[7] = row[7] or ""
        yield row


def count(user: Any, filters: Filters) -> int:
    return _entries(filters).count()


def register() -> None:
    register_export_list(
        ExportList(
            key=KEY,
            label=gettext_lazy("Access log"),
            parse_filters=parse_filters,
            columns=columns,
            rows=rows,
            count=count,
            allowed=can_export_access_log,
            full=lambda user: True,
            subject_type="access_log",
        )
    )
