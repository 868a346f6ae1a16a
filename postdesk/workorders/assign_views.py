"""Pages of 指派 / 领取 (assignment inside the handling unit): the order page's panel and
the one POST that assigns, from the order page or from an inbox card. Thin: parse, call
`work_order_assign`, redirect (post/redirect/get)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from postdesk.core.errors import DomainError, NotFound
from postdesk.core.request import post_or_redirect
from postdesk.org.models import User
from postdesk.org.request import staff_user
from postdesk.workorders import selectors
from postdesk.workorders.action_forms import Failure, failure_remember
from postdesk.workorders.models import WorkOrder
from postdesk.workorders.rules import can_assign, can_claim
from postdesk.workorders.services import work_order_assign
from postdesk.workorders.services.assign import assignee_choices

#: where an assignment made from an inbox card goes back to (the view kept)
INBOX_NEXT = {f"inbox:{view}" for view in selectors.INBOX_VIEWS}


def assign_panel(user: User, order: WorkOrder, failure: Failure | None) -> dict[str, Any] | None:
    """The order page's 指派 panel, or None when the user may not assign it."""
    if not can_assign(user, order):
        return None
    refused = failure if failure is not None and failure.action == "assign" else None
    return {
        "choices": [(u.username, str(u)) for u in assignee_choices(order)],
        "current": order.assignee.username if order.assignee is not None else "",
        "can_claim": can_claim(user, order),
        "failure": refused,
        "error": (refused.fields.get("assignee") or refused.message) if refused else "",
    }


def _to_order(number: str) -> str:
    return reverse("workorders:detail", args=[number])


def _back(next_to: str, number: str) -> HttpResponse:
    if next_to in INBOX_NEXT:
        view = next_to.split(":", 1)[1]
        url = reverse("workorders:inbox")
        return redirect(url if view == "all" else f"{url}?view={view}")
    return redirect(_to_order(number))


@login_required
@post_or_redirect(_to_order)
def work_order_assign_view(request: HttpRequest, number: str) -> HttpResponse:
    user = staff_user(request)
    order = selectors.work_order_get(user=user, number=number)
    claim = request.POST.get("claim") == "1"
    assignee = user.username if claim else request.POST.get("assignee", "").strip()
    next_to = request.POST.get("next", "")
    version_raw = request.POST.get("version", "")
    try:
        order = work_order_assign(
            actor=user,
            order=order,
            assignee=assignee or None,
            expected_version=int(version_raw) if version_raw.isdigit() else None,
        )
    except DomainError as exc:
        if isinstance(exc, NotFound):
            raise
        if next_to in INBOX_NEXT:
            messages.error(request, str(exc.fields.get("assignee") or exc.message))
            return _back(next_to, number)
        failure_remember(
            request, number=number, action="assign", error=exc, values={"assignee": assignee}
        )
        return redirect(f"{_to_order(number)}#assign")
    if order.assignee is None:
        messages.success(request, _("%(number)s: nobody is assigned now.") % {"number": number})
    elif order.assignee.pk == user.pk:
        messages.success(request, _("%(number)s is yours now.") % {"number": number})
    else:
        messages.success(
            request,
            _("%(number)s assigned to %(name)s.") % {"number": number, "name": str(order.assignee)},
        )
    return _back(next_to, number)
