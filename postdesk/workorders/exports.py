"""The work-order list as a background export (`core/exportlists.py`): the list page's
filters (its form), the user's scope, the caller in full only where `can_reveal_caller`
would show it (else masked, as on the page)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from postdesk.core.exportlists import ExportList, check_keys, register_export_list, stream_values
from postdesk.core.masking import mask_name, mask_phone
from postdesk.core.phones import display_phone
from postdesk.customers.selectors import can_view_full
from postdesk.org.models import Role, User
from postdesk.workorders import labels, selectors
from postdesk.workorders.forms import ListFilterForm, list_filters_strict
from postdesk.workorders.models import Priority
from postdesk.workorders.services.caller import HANDLER_FULL_TYPES

KEY = "work_orders"
COLUMNS = (
    _("Number"),
    _("Type"),
    _("Sub-type"),
    _("Priority"),
    _("Status"),
    _("Title"),
    _("Handling unit"),
    _("Due at"),
    _("Overdue"),
    _("Caller"),
    _("Caller phone"),
    _("Waybill"),
    _("Created at"),
    _("Closed at"),
)
FIELDS = (
    "number",
    "type",
    "subtype",
    "priority",
    "status",
    "title",
    "handling_unit__name",
    "due_at",
    "caller_name",
    "caller_phone",
    "waybill_no",
    "created_at",
    "closed_at",
)


def parse_filters(raw: Mapping[str, Any]) -> selectors.ListFilters:
    return list_filters_strict(check_keys(raw, list(ListFilterForm.base_fields)))


def columns(user: User) -> Sequence[Any]:
    return COLUMNS


def rows(user: User, filters: selectors.ListFilters) -> Iterator[tuple[Any, ...]]:
    now = timezone.now()
    full_all = can_view_full(user=user) and (user.is_superuser or user.role != Role.HANDLER)
    full_some = can_view_full(user=user)
    open_statuses = frozenset(selectors.OPEN_STATUSES)
    type_labels: dict[str, str] = {}
    status_labels: dict[str, str] = {}
    priorities = {code: str(label) for code, label in Priority.choices}
    orders = selectors.work_orders_filtered(user=user, filters=filters, now=now)
    for (
        number,
        type_,
        subtype,
        priority,
        status,
        title,
        unit,
        due_at,
        name,
        phone,
        waybill,
        created_at,
        closed_at,
    ) in stream_values(orders.order_by("-id"), FIELDS):
        if type_ not in type_labels:
            type_labels[type_] = labels.type_label(type_)
        if status not in status_labels:
            status_labels[status] = labels.status_label(status)
        shown = display_phone(phone) if phone else ""
        if not (full_all or (full_some and type_ in HANDLER_FULL_TYPES)):
            name, shown = mask_name(name), mask_phone(shown)
        yield (
            number,
            type_labels[type_],
            subtype,
            priorities.get(priority, priority),
            status_labels[status],
            title,
            unit or "",
            due_at,
            bool(due_at is not None and status in open_statuses and due_at <= now),
            name,
            shown,
            waybill,
            created_at,
            closed_at,
        )


def count(user: User, filters: selectors.ListFilters) -> int:
    return selectors.work_orders_filtered(user=user, filters=filters).order_by().count()


def register() -> None:
    register_export_list(
        ExportList(
            key=KEY,
            label=_("Work orders"),
            parse_filters=parse_filters,
            columns=columns,
            rows=rows,
            count=count,
            allowed=lambda user: True,  # everybody exports what they see
            full=lambda user: can_view_full(user=user),
            subject_type="work_order",
        )
    )
