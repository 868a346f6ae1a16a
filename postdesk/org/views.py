from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from postdesk.org.selectors import scope_for, units_visible


@login_required
def units(request: HttpRequest) -> HttpResponse:
    scope = scope_for(user=request.user)  # type: ignore[arg-type]
    if scope.role not in {"admin", "director"}:
        raise Http404
    rows = [
        {"unit": unit, "depth": unit.path.count("/") - 2}
        for unit in units_visible(user=request.user).order_by("path")  # type: ignore[arg-type]
    ]
    return render(request, "org/units.html", {"rows": rows})
