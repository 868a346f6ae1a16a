"""The notice list as a background export: the list page's filters (its form), the
user's scope, the customer's contact in full to the roles that may reveal it (written to
the access log), masked to the others, as on the page."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from postdesk.core.exportlists import ExportList, check_keys, register_export_list, stream_values
from postdesk.core.masking import mask_address, mask_name, mask_phone
from postdesk.core.phones import display_phone
from postdesk.customers.selectors import can_view_full
from postdesk.notices import flows, selectors
from postdesk.notices.forms import ListFilterForm, list_filters_strict
from postdesk.org.models import User
from postdesk.workorders.labels import lang

KEY = "notices"
COLUMNS = (
    pgettext_lazy("notice export", "Number"),
    _("Kind"),
    _("Status"),
    _("Unit"),
    _("Waybill"),
    _("Customer"),
    _("Customer phone"),
    _("Address"),
    _("Window from"),
    _("Window until"),
    _("Issued at"),
    _("Due"),
    _("Work order"),
    _("Text"),
)
FIELDS = (
    "number",
    "kind",
    "status",
    "unit__name",
    "waybill_no",
    "name",
    "phone",
    "address",
    "window_start",
    "window_end",
    "issued_at",
    "due_at",
    "work_order__number",
    "text",
)


def parse_filters(raw: Mapping[str, Any]) -> selectors.ListFilters:
    return list_filters_strict(check_keys(raw, list(ListFilterForm.base_fields)))


def columns(user: User) -> Sequence[Any]:
    return COLUMNS


def rows(user: User, filters: selectors.ListFilters) -> Iterator[list[Any]]:
    full = can_view_full(user=user)
    zh = lang() == "zh"
    kinds = {code: zh_label if zh else en for code, zh_label, en in reversed(flows.KINDS)}
    statuses = {code: zh_label if zh else en for code, zh_label, en in reversed(flows.STATUSES)}
    notices = selectors.notices_filtered(user=user, filters=filters).order_by("-id")
    for values in stream_values(notices, FIELDS):
        row = list(values)
        row[1] = kinds.get(row[1], row[1])  # flows.label, looked up once
        row[2] = statuses.get(row[2], row[2])
        phone = display_phone(row[6]) if row[6] else ""
        if full:
            row[6] = phone
        else:
            row[5], row[6], row[7] = mask_name(row[5]), mask_phone(phone), mask_address(row[7])
        row[12] = row[12] or ""
        yield row


def count(user: User, filters: selectors.ListFilters) -> int:
    return selectors.notices_filtered(user=user, filters=filters).order_by().count()


def register() -> None:
    register_export_list(
        ExportList(
            key=KEY,
            label=_("Notices"),
            parse_filters=parse_filters,
            columns=columns,
            rows=rows,
            count=count,
            allowed=lambda user: True,
            full=lambda user: can_view_full(user=user),
            subject_type="notice",
        )
    )
