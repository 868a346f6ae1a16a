"""The work-order list's saved filters (save, delete) and the team lead's bulk actions —
thin, post/redirect/get."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from postdesk.core.errors import ValidationFailed
from postdesk.core.request import post_or_redirect
from postdesk.org.request import staff_user
from postdesk.workorders.labels import action_label
from postdesk.workorders.services import (
    saved_filter_create,
    saved_filter_delete,
    work_orders_bulk_act,
)
from postdesk.workorders.services.bulk import BULK_ACTIONS


def _to_list(**_kwargs: Any) -> str:
    return reverse("workorders:list")


@login_required
@post_or_redirect(_to_list)
def saved_filter_save_view(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    query = request.POST.get("query", "")
    try:
        saved = saved_filter_create(actor=user, name=request.POST.get("name", ""), query=query)
    except ValidationFailed as exc:
        messages.error(request, " ".join(str(v) for v in exc.fields.values()) or str(exc.message))
        return redirect(f"{_to_list()}?{query.lstrip('?')}" if query else _to_list())
    messages.success(request, _("Filter “%(name)s” saved.") % {"name": saved.name})
    return redirect(f"{_to_list()}?{saved.query}")


@login_required
@post_or_redirect(_to_list)
def saved_filter_delete_view(request: HttpRequest, filter_id: int) -> HttpResponse:
    user = staff_user(request)
    saved_filter_delete(actor=user, filter_id=filter_id)
    messages.success(request, _("Filter deleted."))
    return redirect(_to_list())


def _safe_next(raw: str) -> str:
    """Back to the list with its filters (only a query string of the list itself)."""
    query = raw.lstrip("?")
    return f"{_to_list()}?{query}" if query and "://" not in query else _to_list()


@login_required
@post_or_redirect(_to_list)
def bulk_action_view(request: HttpRequest) -> HttpResponse:
    """The list's bulk action bar (team leads): run it, keep the per-order results for the
    list page to show once (post/redirect/get)."""
    user = staff_user(request)
    action = request.POST.get("action", "")
    field = BULK_ACTIONS[action][1] if action in BULK_ACTIONS else "reason"
    payload = {field: request.POST.get(field, "")}
    try:
        results = work_orders_bulk_act(
            actor=user, numbers=request.POST.getlist("numbers"), action=action, payload=payload
        )
    except ValidationFailed as exc:
        messages.error(request, " ".join(str(v) for v in exc.fields.values()) or str(exc.message))
        return redirect(_safe_next(request.POST.get("next", "")))
    done = sum(r.ok for r in results)
    request.session["bulk_results"] = [
        {"number": r.number, "ok": r.ok, "message": r.message} for r in results
    ]
    messages.success(
        request,
        _("%(action)s: %(done)d done, %(refused)d refused.")
        % {"action": action_label(action), "done": done, "refused": len(results) - done},
    )
    return redirect(_safe_next(request.POST.get("next", "")))
