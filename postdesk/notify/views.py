from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from postdesk.core.errors import NotFound
from postdesk.notify.rules import can_read_sms_templates
from postdesk.notify.selectors import notifications_recent
from postdesk.notify.services import notification_mark_read
from postdesk.notify.sms import rules as sms_rules
from postdesk.org.request import staff_user


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


@login_required
def sms_templates(request: HttpRequest) -> HttpResponse:
    """The customer SMS templates (Chinese, with their variables), the provider's approved
    template code each is sent as, and whether opt-out and consent apply."""
    user = staff_user(request)
    if not can_read_sms_templates(user):
        raise NotFound()
    codes = settings.SMS_TEMPLATE_CODES
    rows = [
        {
            "template": t,
            "provider_code": str(codes.get(t.code, "")),
            "variables": t.variables,
        }
        for t in sms_rules.TEMPLATES.values()
    ]
    quiet = settings.SMS_QUIET_HOURS
    return render(
        request,
        "notify/sms_templates.html",
        {"rows": rows, "sign_name": settings.SMS_SIGN_NAME, "quiet": quiet},
    )
