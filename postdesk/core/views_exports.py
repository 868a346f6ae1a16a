"""The "我的导出" page: the user's background exports with a progress bar (the page polls
`GET /api/v1/exports/{id}`) and the download link; and the form the list pages post to
start one with their current filters. Thin: `core/export_jobs.py` decides."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from postdesk.core import export_jobs
from postdesk.core.errors import DomainError
from postdesk.core.exportlists import export_lists
from postdesk.core.models import Export

RUNNING = (Export.Status.QUEUED, Export.Status.RUNNING)


@login_required
def exports_page(request: HttpRequest) -> HttpResponse:
    labels = {key: str(item.label) for key, item in export_lists().items()}
    rows = [
        {
            "export": export,
            "label": labels.get(export.list, export.list),
            "running": export.status in RUNNING,
            "download": reverse("api-v1:export_download", args=[export.pk])
            if export.status == Export.Status.DONE
            else "",
        }
        for export in export_jobs.exports_mine(user=request.user)
    ]
    return render(
        request,
        "core/exports.html",
        {"rows": rows, "keep_days": export_jobs.EXPORT_KEEP_DAYS},
    )


@login_required
@require_POST
def export_start(request: HttpRequest) -> HttpResponse:
    """Start an export from a list page: `list`, `format`, and the page's filters as the
    other fields (empty ones left out)."""
    skip = {"csrfmiddlewaretoken", "list", "format", "page"}
    filters = {k: v for k, v in request.POST.items() if k not in skip and v}
    try:
        export_jobs.export_request(
            actor=request.user,
            list_key=request.POST.get("list", ""),
            filters=filters,
            fmt=request.POST.get("format", "xlsx"),
        )
    except DomainError as exc:
        detail = "; ".join(str(text) for text in exc.fields.values())
        messages.error(request, f"{exc.message} {detail}".strip())
        return redirect(request.headers.get("Referer") or reverse("exports"))
    messages.success(request, _("The export has started; it appears below when it is ready."))
    return redirect("exports")
