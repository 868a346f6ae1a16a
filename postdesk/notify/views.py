from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from postdesk.core.request import staff_user
from postdesk.notify.selectors import notifications_recent
from postdesk.notify.services import notification_mark_read


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    items = notifications_recent(user=staff_user(request), limit=100)
    return render(request, "notify/list.html", {"items": items})


@login_required
def notification_panel(request: HttpRequest) -> HttpResponse:
    items = notifications_recent(user=staff_user(request), limit=8)
    return render(request, "notify/_panel.html", {"items": items})


@login_required
@require_POST
def notification_read(request: HttpRequest) -> HttpResponse:
    ids = [int(i) for i in request.POST.getlist("id") if i.isdigit()] or None
    notification_mark_read(user=staff_user(request), ids=ids)
    return redirect("notifications:list")
