from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from postdesk.core.csvimport import read_upload
from postdesk.core.errors import DomainError, PermissionDenied, ValidationFailed
from postdesk.core.forms import add_domain_error
from postdesk.core.models import AccessLogEntry
from postdesk.core.request import client_ip
from postdesk.org.models import UnitType
from postdesk.org.request import staff_user
from postdesk.org.rules import can_import_units, can_read_unit_tree, can_view_access_log
from postdesk.org.selectors import (
    SUBJECT_TYPES,
    AccessLogFilters,
    access_log_detail,
    access_log_filters,
    access_log_label,
    access_log_list,
    access_log_subject_type_label,
    units_visible,
)
from postdesk.org.services import (
    UNIT_HEADER,
    access_log_export,
    staff_set_language,
    units_import,
)


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


# ------------------------------------------------------------------ the access log

#: the access log's filters as the page's form and the API's query name them
FILTERS = ("user", "subject_type", "subject_id", "what", "from", "to")


def _filters_of(data: QueryDict) -> tuple[dict[str, str], AccessLogFilters]:
    raw = {name: data.get(name, "") for name in FILTERS}
    filters = access_log_filters(
        user=raw["user"],
        subject_type=raw["subject_type"],
        subject_id=raw["subject_id"],
        what=raw["what"],
        day_from=raw["from"],
        day_to=raw["to"],
    )
    return raw, filters


@login_required
@require_GET
def access_log_page(request: HttpRequest) -> HttpResponse:
    """访问日志: who saw or exported whose personal data in full, filtered and paged."""
    user = staff_user(request)
    if not can_view_access_log(user):
        raise PermissionDenied(_("Only administrators and auditors read the access log."))
    raw = {name: request.GET.get(name, "") for name in FILTERS}
    errors: dict[str, str] = {}
    result = None
    try:
        raw, filters = _filters_of(request.GET)
        try:
            page = int(request.GET.get("page", "1"))
        except ValueError:
            page = 1
        result = access_log_list(user=user, filters=filters, page=page)
    except ValidationFailed as exc:
        errors = {name: str(message) for name, message in exc.fields.items()}
    rows = [
        {
            "entry": entry,
            "subject_type": access_log_subject_type_label(entry.subject_type),
            "label": access_log_label(entry),
            "detail": access_log_detail(entry),
        }
        for entry in (result.results if result else [])
    ]
    pages = max(1, -(-result.count // result.page_size)) if result else 1
    return render(
        request,
        "org/access_log.html",
        {
            "raw": raw,
            "errors": errors,
            "result": result,
            "rows": rows,
            "pages": pages,
            "subject_types": [(code, str(label)) for code, label in SUBJECT_TYPES.items()],
            "whats": AccessLogEntry.What.choices,
        },
        status=400 if errors else 200,
    )


@login_required
@require_POST  # it writes to the access log: no link or image may trigger it
def access_log_export_view(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    if not can_view_access_log(user):
        raise PermissionDenied(_("Only administrators and auditors read the access log."))
    _raw, filters = _filters_of(request.POST)
    export = access_log_export(
        actor=user,
        filters=filters,
        format=request.POST.get("format", "csv"),
        ip=client_ip(request),
    )
    response = HttpResponse(export.content, content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    return response
