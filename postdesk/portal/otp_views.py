"""/public/follow/phone/: following by phone number on the page — the number, then the
SMS's code, then the list of that phone's requests (`portal.otp`, the API's rules).

The token the code earns is kept in an HttpOnly cookie scoped to /public/ for its 30
minutes, so the list survives a reload; "退出" drops it.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from postdesk.core.errors import DomainError, RateLimited
from postdesk.core.masking import mask_phone
from postdesk.core.request import client_ip
from postdesk.portal import otp, selectors

COOKIE = "pd_portal_phone"
COOKIE_PATH = "/public/"


def _phone_of_cookie(request: HttpRequest) -> str:
    try:
        return otp.phone_of_token(request.COOKIES.get(COOKIE, ""))
    except DomainError:
        return ""


def _render(
    request: HttpRequest, ctx: dict[str, Any], exc: DomainError | None = None
) -> HttpResponse:
    status = 200
    if exc is not None:
        status = exc.status
        ctx["error"] = str(exc.message)
        ctx["field_errors"] = {k: str(v) for k, v in exc.fields.items()}
        ctx["rate_limited"] = isinstance(exc, RateLimited)
    response = render(request, "portal/follow_phone.html", ctx, status=status)
    if exc is not None:
        for name, value in exc.headers().items():
            response[name] = value
    return response


@require_http_methods(["GET", "POST"])
def follow_phone(request: HttpRequest) -> HttpResponse:
    ctx: dict[str, Any] = {"step": "phone", "phone": "", "error": "", "field_errors": {}}
    if request.method == "GET":
        phone = _phone_of_cookie(request)
        if phone:
            ctx.update(
                step="list",
                masked=mask_phone(phone.removeprefix("+86")),
                last4=phone[-4:],
                requests=selectors.requests_of_phone(phone=phone),
            )
        return _render(request, ctx)
    step = request.POST.get("step", "")
    phone = request.POST.get("phone", "").strip()[:40]
    ctx["phone"] = phone
    if step == "leave":
        response = redirect("portal:follow_phone")
        response.delete_cookie(COOKIE, path=COOKIE_PATH)
        return response
    if step == "verify":
        ctx["step"] = "code"
        try:
            issued = otp.otp_verify(
                phone=phone, code=request.POST.get("code", "")[:10], ip=client_ip(request)
            )
        except DomainError as exc:
            return _render(request, ctx, exc)
        response = redirect("portal:follow_phone")
        response.set_cookie(
            COOKIE,
            issued.token,
            max_age=int(otp.TOKEN_TTL.total_seconds()),
            path=COOKIE_PATH,
            secure=request.is_secure(),
            httponly=True,
            samesite="Lax",
        )
        return response
    try:
        otp.otp_request(phone=phone, ip=client_ip(request))
    except DomainError as exc:
        if isinstance(exc, RateLimited) and step == "resend":
            ctx["step"] = "code"  # the code sent a moment ago still works
        return _render(request, ctx, exc)
    ctx["step"] = "code"
    ctx["sent"] = True
    return _render(request, ctx)
