"""Pages of tags (标签, issue 20): the order page's chips (add from the centre's list,
remove with ×), and the tag keepers' page (team leads, administrators). Thin: parse, call
one service, redirect (post/redirect/get)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from postdesk.core.errors import DomainError, NotFound, PermissionDenied
from postdesk.core.request import post_or_redirect
from postdesk.org.models import User
from postdesk.org.request import staff_user
from postdesk.workorders import selectors
from postdesk.workorders.action_forms import Failure, failure_remember
from postdesk.workorders.models import TagColour, WorkOrder
from postdesk.workorders.rules import can_manage_tags, can_tag
from postdesk.workorders.services import tag_add, tag_create, tag_remove, tag_update
from postdesk.workorders.services.tags import MAX_NAME


def tag_panel(user: User, order: WorkOrder, failure: Failure | None) -> dict[str, Any]:
    """The order page's tags: its chips, and — for who may tag it — the typeahead's
    choices (the centre's active tags not on it yet) and a refusal kept for the box."""
    present = selectors.work_order_tags(order=order)
    editable = can_tag(user, order)
    on = {t.pk for t in present}
    refused = failure if failure is not None and failure.action == "tag" else None
    return {
        "present": present,
        "editable": editable,
        "choices": [t for t in selectors.tags_list(user=user) if t.pk not in on]
        if editable
        else [],
        "error": " ".join(refused.fields.values()) or refused.message if refused else "",
        "value": refused.values.get("tag", "") if refused else "",
        "max": MAX_NAME,
    }


def _to_order(number: str, **_kwargs: Any) -> str:
    return reverse("workorders:detail", args=[number])


def _back(number: str) -> HttpResponse:
    return redirect(f"{_to_order(number)}#tags")


@login_required
@post_or_redirect(_to_order)
def work_order_tag_add_view(request: HttpRequest, number: str) -> HttpResponse:
    user = staff_user(request)
    order = selectors.work_order_get(user=user, number=number)
    raw = request.POST.get("tag", "")
    try:
        tag_add(actor=user, order=order, tag=raw)
    except DomainError as exc:
        if isinstance(exc, NotFound):
            raise
        failure_remember(request, number=order.number, action="tag", error=exc, values={"tag": raw})
    return _back(order.number)


@login_required
@post_or_redirect(_to_order)
def work_order_tag_remove_view(request: HttpRequest, number: str, tag_id: int) -> HttpResponse:
    user = staff_user(request)
    order = selectors.work_order_get(user=user, number=number)
    try:
        tag_remove(actor=user, order=order, tag_id=tag_id)
    except NotFound:
        pass  # taken off already (a double click, another tab): the page shows what is
    except DomainError as exc:
        failure_remember(request, number=order.number, action="tag", error=exc, values={})
    return _back(order.number)


@login_required
def tags_manage_view(request: HttpRequest) -> HttpResponse:
    """The centre's list of tags: create one, rename or recolour it, archive or restore."""
    user = staff_user(request)
    if not can_manage_tags(user):
        raise PermissionDenied()
    if request.method == "POST":
        post = request.POST
        try:
            if post.get("tag_id", "").isdigit():
                archived = post.get("archived")
                tag = tag_update(
                    actor=user,
                    tag_id=int(post["tag_id"]),
                    name=post.get("name") if "name" in post else None,
                    colour=post.get("colour") if "colour" in post else None,
                    archived=archived == "1" if archived in {"0", "1"} else None,
                )
                messages.success(request, _("Tag “%(name)s” saved.") % {"name": tag.name})
            else:
                tag = tag_create(
                    actor=user, name=post.get("name", ""), colour=post.get("colour", "grey")
                )
                messages.success(request, _("Tag “%(name)s” created.") % {"name": tag.name})
        except DomainError as exc:
            if isinstance(exc, NotFound):
                raise
            messages.error(
                request, " ".join(str(v) for v in exc.fields.values()) or str(exc.message)
            )
        return redirect("workorders:tags")
    return render(
        request,
        "workorders/tags.html",
        {
            "tags": selectors.tags_with_use(user=user),
            "colours": TagColour.choices,
            "max": MAX_NAME,
        },
    )
