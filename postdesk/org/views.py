from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from postdesk.core.csvimport import read_upload
from postdesk.core.errors import DomainError, PermissionDenied, ValidationFailed
from postdesk.core.forms import add_domain_error
from postdesk.org.models import UnitType
from postdesk.org.request import staff_user
from postdesk.org.rules import can_import_units, can_read_unit_tree
from postdesk.org.selectors import units_visible
from postdesk.org.services import UNIT_HEADER, staff_set_language, units_import


@login_required
def units(request: HttpRequest) -> HttpResponse:
    if not can_read_unit_tree(staff_user(request)):
        raise Http404
    rows = [
        {"unit": unit, "depth": unit.path.count("/") - 2}
        for unit in units_visible(user=staff_user(request)).order_by("path")
    ]
    return render(
        request,
        "org/units.html",
        {"rows": rows, "can_import": can_import_units(staff_user(request))},
    )


class UnitsImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("CSV file"))


@login_required
@require_http_methods(["GET", "POST"])
def units_import_page(request: HttpRequest) -> HttpResponse:
    """Upload the org table: the same import as `postdesk import_units`."""
    user = staff_user(request)
    if not can_import_units(user):
        raise PermissionDenied(_("Only administrators import units."))
    form = UnitsImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        try:
            report = units_import(data=read_upload(form.cleaned_data["file"]), actor=user)
        except ValidationFailed as exc:
            add_domain_error(form, exc)
    return render(
        request,
        "org/units_import.html",
        {
            "form": form,
            "report": report,
            "header": ",".join(UNIT_HEADER),
            "types": UnitType.choices,
        },
        status=400 if form.errors else 200,
    )


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
