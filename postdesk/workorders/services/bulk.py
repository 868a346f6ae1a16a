"""Bulk actions of the work-order list for team leads (issue 20): reassign (dispatch to a
unit), escalate, close with a reason — each order through `work_order_act`, so every rule
of the flow table, the scope and the audit trail holds per order — and add a tag (标签,
each order through `tag_add`, its scope and `can_tag`). One order's refusal
never stops the others; within one order nothing is partial (`work_order_act` is atomic)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from postdesk.core.errors import DomainError, PermissionDenied, ValidationFailed
from postdesk.org.models import Unit, User
from postdesk.workorders.models import WorkOrder
from postdesk.workorders.rules import can_bulk_act
from postdesk.workorders.services.tags import tag_add, tag_lookup
from postdesk.workorders.services.transitions import MAX_TEXT, work_order_act

MAX_NUMBERS = 200
#: bulk action -> the flow action it runs and the payload field it needs
BULK_ACTIONS: Mapping[str, tuple[str, str]] = {
    "dispatch": ("dispatch", "unit"),
    "escalate": ("escalate", "reason"),
    "close": ("close", "reason"),
    "tag": ("tag", "tag"),  # not a flow action: `services.tags.tag_add`
}


@dataclass(frozen=True)
class BulkResult:
    number: str
    ok: bool
    code: str  # "done", or the refusal's error code (not_found, invalid_transition, …)
    message: str


def _checked(numbers: Sequence[Any], action: str, payload: Mapping[str, Any]) -> list[str]:
    """The request as a whole, before any order is touched (a 400 writes nothing)."""
    if action not in BULK_ACTIONS:
        raise ValidationFailed(fields={"action": _("Unknown action.")})
    wanted: list[str] = []
    for raw in numbers:
        if not isinstance(raw, str) or not raw.strip() or len(raw) > 20:
            raise ValidationFailed(fields={"numbers": _("Give work-order numbers.")})
        if raw.strip() not in wanted:
            wanted.append(raw.strip())
    if not wanted:
        raise ValidationFailed(fields={"numbers": _("Choose at least one work order.")})
    if len(wanted) > MAX_NUMBERS:
        raise ValidationFailed(
            fields={"numbers": _("At most %(n)d work orders at once.") % {"n": MAX_NUMBERS}}
        )
    field = BULK_ACTIONS[action][1]
    value = payload.get(field)
    if field == "tag" and isinstance(value, int) and not isinstance(value, bool):
        value = str(value)  # a tag by its id
    if not isinstance(value, str) or not value.strip():
        raise ValidationFailed(fields={field: _("This field is required.")})
    if len(value) > MAX_TEXT:
        raise ValidationFailed(fields={field: _("This value is too long.")})
    if field == "unit" and not Unit.objects.filter(code=value.strip(), is_active=True).exists():
        raise ValidationFailed(fields={"unit": _("Unknown or inactive unit.")})
    if field == "tag":
        tag_lookup(value)  # unknown or archived: a 400 before any order is touched
    return wanted


def _refusal(exc: DomainError) -> str:
    details = "; ".join(str(v) for v in exc.fields.values())
    return f"{exc.message} {details}".strip() if details else str(exc.message)


def work_orders_bulk_act(
    *, actor: User, numbers: Sequence[Any], action: str, payload: Mapping[str, Any]
) -> list[BulkResult]:
    """Run `action` on each order of `numbers` (in the given order, duplicates once) and
    say per order done or refused with the reason."""
    if not can_bulk_act(actor):
        raise PermissionDenied()
    wanted = _checked(numbers, action, payload)
    flow_action, field = BULK_ACTIONS[action]
    body = {field: str(payload[field]).strip()}
    from postdesk.workorders.selectors import work_order_get  # selectors import services

    results: list[BulkResult] = []
    for number in wanted:
        try:
            order: WorkOrder = work_order_get(user=actor, number=number)
            if action == "tag":
                tag_add(actor=actor, order=order, tag=body["tag"])
            else:
                work_order_act(actor=actor, order=order, action=flow_action, payload=body)
        except DomainError as exc:
            results.append(BulkResult(number, False, exc.code, _refusal(exc)))
        else:
            results.append(BulkResult(number, True, "done", _("Done.")))
    return results
