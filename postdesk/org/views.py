from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from postdesk.core.request import staff_user
from postdesk.org.selectors import scope_for, units_visible


@login_required
def units(request: HttpRequest) -> HttpResponse:
    scope = scope_for(user=staff_user(request))
    if scope.role not in {"admin", "director"}:
        raise Http404
    rows = [
        {"unit": unit, "depth": unit.path.count("/") - 2}
        for unit in units_visible(user=staff_user(request)).order_by("path")
    ]
    return render(request, "org/units.html", {"rows": rows})
