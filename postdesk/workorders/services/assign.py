"""指派 / 领取 — assignment inside the handling unit: one handler works the order.

Not a transition of the flow table: it changes no status (the event is audited with
from == to, like the status-preserving actions) and it is not offered by `flows.py`.
Who may assign is one predicate, `rules.can_assign`, which the pages, the API and this
service all read; who may be the assignee is `assignee_choices` (an active handler of
the handling unit itself). The assignment is cleared when the order leaves the unit
(transfer, return, a dispatch elsewhere: `clear_assignee_on_unit_change`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from postdesk.core.errors import (
    InvalidTransition,
    PermissionDenied,
    ValidationFailed,
)
from postdesk.notify.services import notifications_settled, notify_users
from postdesk.org.models import User
from postdesk.workorders.models import WorkOrder, WorkOrderEvent
from postdesk.workorders.rules import UNIT_STATUSES, can_assign, can_be_assignee
from postdesk.workorders.services._common import handlers_of, locked_for_change


def assignee_choices(order: WorkOrder) -> list[User]:
    """Who may be the order's assignee: the active handlers of its handling unit, by name."""
    people = [u for u in handlers_of(order.handling_unit_id) if can_be_assignee(u, order)]
    return sorted(people, key=lambda u: (str(u), u.username))


def clear_assignee_on_unit_change(
    order: WorkOrder, previous_unit_id: int | None, data: dict[str, Any]
) -> None:
    """The order left its unit (transfer, return, dispatch elsewhere): nobody of the new
    unit was chosen yet. Notes the cleared assignee in the event's `data`."""
    if order.assignee_id is None or order.handling_unit_id == previous_unit_id:
        return
    previous = order.assignee
    data["previous_assignee"] = previous.username if previous is not None else ""
    data["assignment_cleared"] = str(previous) if previous is not None else ""
    order.assignee = None


def work_order_assign(
    *,
    actor: User,
    order: WorkOrder,
    assignee: str | None,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> WorkOrder:
    """Assign `order` to the handler named `assignee` (a username; None or "" takes the
    assignment back); returns the order. Assigning it to whom it is assigned already
    changes nothing (a double click).

    Errors, each before anything is written: outside the actor's scope → NotFound (404);
    stale `expected_version` → Conflict (409); the unit does not work the order now (not
    dispatched, or finished) → InvalidTransition (409); `can_assign` refuses the actor →
    PermissionDenied (403); the assignee is not an active handler of the handling unit →
    ValidationFailed on `assignee` (400).
    """
    now = now or timezone.now()
    username = (assignee or "").strip()
    with transaction.atomic():
        order = locked_for_change(actor, order, expected_version)
        if order.handling_unit_id is None or order.status not in UNIT_STATUSES:
            raise InvalidTransition(
                _("Only an order its unit is working on can be assigned to one of its handlers.")
            )
        if not can_assign(actor, order):
            raise PermissionDenied(_("Your role does not allow assigning this order."))
        person: User | None = None
        if username:
            person = next((u for u in assignee_choices(order) if u.username == username), None)
            if person is None:
                raise ValidationFailed(
                    fields={"assignee": _("Choose a handler of the order's handling unit.")}
                )
        if (person.pk if person else None) == order.assignee_id:
            return order
        previous = order.assignee
        order.assignee = person
        order.version += 1
        order.updated_at = now
        order.save(update_fields=["assignee", "version", "updated_at"])
        data: dict[str, Any] = {"assignee": person.username if person else ""}
        if person is not None:
            data["assignee_name"] = str(person)
        if previous is not None:
            data["previous_assignee"] = previous.username
            if person is None:
                data["assignment_cleared"] = str(previous)
        WorkOrderEvent.objects.create(
            order=order,
            at=now,
            actor=actor,
            action="assign",
            from_status=order.status,
            to_status=order.status,
            unit=order.handling_unit,
            data=data,
        )
        link = f"/workorders/{order.number}/"
        notifications_settled(user=actor, link=link)
        if person is not None and person.pk != actor.pk:
            notify_users(
                users=[person],
                key=f"wo:{order.pk}:v{order.version}:assign",
                title=_("Work order %(number)s was assigned to you: %(title)s")
                % {"number": order.number, "title": order.title},
                body=order.title,
                link=link,
                level="info",
            )
        if previous is not None and previous.pk not in {actor.pk, person.pk if person else None}:
            notify_users(
                users=[previous],
                key=f"wo:{order.pk}:v{order.version}:unassign",
                title=_("Work order %(number)s is no longer assigned to you")
                % {"number": order.number},
                link=link,
                level="info",
            )
        return order
