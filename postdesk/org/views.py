from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from postdesk.core.errors import DomainError
from postdesk.org.request import staff_user
from postdesk.org.rules import can_read_unit_tree
from postdesk.org.selectors import units_visible
from postdesk.org.services import staff_set_language


@login_required
def units(request: HttpRequest) -> HttpResponse:
    if not can_read_unit_tree(staff_user(request)):
        raise Http404
    rows = [
        {"unit": unit, "depth": unit.path.count("/") - 2}
        for unit in units_visible(user=staff_user(request)).order_by("path")
    ]
    return render(request, "org/units.html", {"rows": rows})


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """The language switch of every page (POST /language): the cookie for anyone, and
    the signed-in staff user's saved preference."""
    language = request.POST.get("language", "")
    next_url = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}):
        next_url = "/"
    response = redirect(next_url)
    if language not in dict(settings.LANGUAGES):
        messages.error(request, _("Unknown language."))
        return response
    if request.user.is_authenticated:
        try:
            staff_set_language(user=staff_user(request), language=language)
        except DomainError as exc:
            messages.error(request, str(exc.message))
            return response
    translation.activate(language)
    response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, samesite="Lax")
    return response
