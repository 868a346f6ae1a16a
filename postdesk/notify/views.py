from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from postdesk.notify.selectors import notifications_recent
from postdesk.notify.services import notification_mark_read


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    items = notifications_recent(user=request.user, limit=100)  # type: ignore[arg-type]
    return render(request, "notify/list.html", {"items": items})


@login_required
def notification_panel(request: HttpRequest) -> HttpResponse:
    items = notifications_recent(user=request.user, limit=8)  # type: ignore[arg-type]
    return render(request, "notify/_panel.html", {"items": items})


@login_required
@require_POST
def notification_read(request: HttpRequest) -> HttpResponse:
    ids = [int(i) for i in request.POST.getlist("id") if i.isdigit()] or None
    notification_mark_read(user=request.user, ids=ids)  # type: ignore[arg-type]
    return redirect("notifications:list")
