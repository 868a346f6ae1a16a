"""The work-order list's saved filters (save, delete) — thin, post/redirect/get."""

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
from postdesk.workorders.services import saved_filter_create, saved_filter_delete


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
