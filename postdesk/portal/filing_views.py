"""The public's filing pages (/public/file/): choose what to file, the form of that type
(with the page's proof of work, `static/portal/pow.js`), and the answer page (the
reference, what happens next, by when). Rating from the follow page posts here too.
The rules are the API's: `portal.services`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from postdesk.core.errors import DomainError, NotFound, page_errors
from postdesk.core.request import client_ip, post_or_redirect
from postdesk.portal import challenge, selectors, services
from postdesk.portal.filing import MAX, TYPES
from postdesk.portal.public_api import find_order
from postdesk.portal.selectors_filed import filed_by_reference
from postdesk.workorders.flows import COMPLAINT_SUBTYPES
from postdesk.workorders.labels import lang

DONE_SALT = "postdesk.portal.filed"
DONE_MAX_AGE = 24 * 60 * 60
FIELDS = ("subtype", "phone", "name", "text", "waybill_no", "address")
WINDOW_FIELDS = ("window_date", "window_from", "window_to")


def _local(day: str, clock: str) -> datetime | str:
    """The local instant of a date and a time as the form's inputs send them; the
    raw text when it is not one (the service names the field)."""
    try:
        moment = datetime.strptime(f"{day} {clock}", "%Y-%m-%d %H:%M")
    except ValueError:
        return f"{day} {clock}".strip()
    return timezone.make_aware(moment)


def _subtypes() -> list[tuple[str, str]]:
    zh = lang() == "zh"
    return [(code, zh_label if zh else en) for code, zh_label, en in COMPLAINT_SUBTYPES]


def _form_context(kind: str, values: dict[str, str], errors: dict[str, Any]) -> dict[str, Any]:
    issued = challenge.issue(bits=settings.POSTDESK_PORTAL_POW_BITS)
    return {
        "type": kind,
        "type_label": selectors.type_label(kind),
        "values": values,
        "subtypes": _subtypes() if kind == "complaint" else [],
        "challenge": issued,
        "max": MAX,
        "today": timezone.localdate().isoformat(),
        **errors,
    }


@require_http_methods(["GET", "POST"])
def file_page(request: HttpRequest) -> HttpResponse:
    source = request.POST if request.method == "POST" else request.GET
    kind = source.get("type", "")
    if kind not in TYPES:
        return render(request, "portal/file_choose.html", {"types": TYPES})
    if request.method == "GET":
        return render(request, "portal/file_form.html", _form_context(kind, {}, {}))
    values = {name: source.get(name, "")[: MAX.get(name, 20) + 1] for name in FIELDS}
    values.update({name: source.get(name, "")[:10] for name in WINDOW_FIELDS})
    data: dict[str, Any] = {"type": kind, **{name: values[name] for name in FIELDS}}
    if kind == "pickup" and any(values[name] for name in WINDOW_FIELDS):
        data["window_start"] = _local(values["window_date"], values["window_from"])
        data["window_end"] = _local(values["window_date"], values["window_to"])
    if kind != "complaint":
        data["subtype"] = ""
    try:
        order = services.public_request_file(
            data=data,
            challenge_token=source.get("challenge", "")[:300],
            solution=source.get("solution", "")[:40],
            honeypot=source.get("website", ""),
            ip=client_ip(request),
        )
    except DomainError as exc:
        response = render(
            request,
            "portal/file_form.html",
            _form_context(kind, values, page_errors(exc)),
            status=exc.status,
        )
        for name, value in exc.headers().items():
            response[name] = value
        return response
    token = signing.dumps(order.public_ref, salt=DONE_SALT)
    return redirect(f"{reverse('portal:file_done')}?t={token}")


@require_GET
def file_done(request: HttpRequest) -> HttpResponse:
    try:
        reference = signing.loads(request.GET.get("t", ""), salt=DONE_SALT, max_age=DONE_MAX_AGE)
        filed = filed_by_reference(reference=str(reference))
    except (signing.BadSignature, NotFound):
        return redirect("portal:file")
    return render(request, "portal/file_done.html", {"filed": filed})


@post_or_redirect(lambda: reverse("portal:follow"))
def rate_page(request: HttpRequest) -> HttpResponse:
    """The follow page's rating form: the same lookup, then the follow page again."""
    reference = request.POST.get("reference", "").strip()[:40]
    last4 = request.POST.get("phone_last4", "").strip()[:10]
    ctx: dict[str, Any] = {"reference": reference, "phone_last4": last4, "found": None}
    status = 200
    headers: dict[str, str] = {}
    try:
        order = find_order(request, reference, last4)
    except DomainError as exc:
        ctx["error"] = "rate_limited" if exc.status == 429 else "not_found"
        status, headers = exc.status, exc.headers()
    else:
        try:
            services.public_request_rate(
                order=order,
                satisfaction=request.POST.get("satisfaction", ""),
                comment=request.POST.get("comment", "")[:1000],
            )
            ctx["rated_now"] = True
        except DomainError as exc:
            ctx.update({f"rate_{k}": v for k, v in page_errors(exc).items()})
            ctx["rate_values"] = {
                "satisfaction": request.POST.get("satisfaction", ""),
                "comment": request.POST.get("comment", "")[:1000],
            }
            status = exc.status
        order.refresh_from_db()
        ctx["found"] = selectors.public_request(order)
    response = render(request, "portal/follow.html", ctx, status=status)
    for name, value in headers.items():
        response[name] = value
    return response
