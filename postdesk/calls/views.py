"""Pages of the calls app: the agent's workbench with its screen pop, the call log, the
team lead's wallboard, and the push stream (thread path; see streams.py)."""

from __future__ import annotations

from typing import cast
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from postdesk.calls import streams
from postdesk.calls.models import AgentState, Call
from postdesk.calls.selectors import (
    agent_active_call,
    agent_recent_calls,
    agent_state_of,
    agent_time_in_states,
    call_filters_parse,
    call_get,
    calls_list,
    is_supervisor,
    screen_pop,
    today_local,
    wallboard,
)
from postdesk.calls.services import agent_state_set, call_wrapup
from postdesk.core.errors import DomainError, PermissionDenied
from postdesk.org.models import User
from postdesk.workorders.flows import WORK_ORDER_TYPES


def _me(request: HttpRequest) -> User:
    return cast(User, request.user)


POP_TYPES = ("query", "complaint", "tracing", "pickup", "consultation", "booking")


def _state_context(request: HttpRequest, error: str = "") -> dict[str, object]:
    user = _me(request)
    state = agent_state_of(user=user)
    return {
        "state": state,
        "state_code": state.state if state else AgentState.State.LOGGED_OUT,
        "reasons": [r for r in AgentState.Reason.choices if r[0]],
        "times": {
            code: seconds
            for code, seconds in agent_time_in_states(user=user, day=today_local()).items()
            if seconds
        },
        "state_labels": dict(AgentState.State.choices),
        "error": error,
    }


@login_required
def workbench(request: HttpRequest) -> HttpResponse:
    user = _me(request)
    active = agent_active_call(user=user)
    context = {
        **_state_context(request),
        "active_call": active,
        "recent": agent_recent_calls(user=user),
    }
    return render(request, "calls/workbench.html", context)


@login_required
@require_POST
def state_set(request: HttpRequest) -> HttpResponse:
    error = ""
    try:
        agent_state_set(
            user=_me(request),
            state=request.POST.get("state", ""),
            reason=request.POST.get("reason", ""),
        )
    except DomainError as exc:
        error = " ".join(str(m) for m in exc.fields.values()) or str(exc.message)
    return render(request, "calls/_state.html", _state_context(request, error))


@login_required
@require_GET
def state_panel(request: HttpRequest) -> HttpResponse:
    return render(request, "calls/_state.html", _state_context(request))


def _work_order_links(pop_call: Call, number: str, customer_id: int | None) -> list[dict[str, str]]:
    labels = {code: zh for code, zh, _en in WORK_ORDER_TYPES}
    links = []
    for kind in POP_TYPES:
        params = {"phone": number, "call": pop_call.call_id, "type": kind}
        if customer_id:
            params["customer"] = str(customer_id)
        query = urlencode({k: v for k, v in params.items() if v})
        links.append(
            {"type": kind, "label": labels.get(kind, kind), "url": f"/workorders/new/?{query}"}
        )
    notice_query = urlencode(
        {k: v for k, v in {"phone": number, "call": pop_call.call_id}.items() if v}
    )
    links.append({"type": "notice", "label": "下发通知", "url": f"/notices/new/?{notice_query}"})
    return links


@login_required
@require_GET
def pop(request: HttpRequest, call_pk: int) -> HttpResponse:
    return _render_pop(request, call_get(user=_me(request), call_pk=call_pk))


@login_required
@require_GET
def pop_current(request: HttpRequest) -> HttpResponse:
    """The pop of the agent's current call, or the empty pop: what a workbench refetches
    after a gap in its push connection (a resync)."""
    active = agent_active_call(user=_me(request))
    if active is None:
        response = render(request, "calls/_pop_empty.html")
        response["X-Call"] = ""
        return response
    response = _render_pop(request, active)
    response["X-Call"] = str(active.pk)
    return response


def _render_pop(request: HttpRequest, call: Call) -> HttpResponse:
    data = screen_pop(user=_me(request), call=call)
    first_customer = data.candidates[0].card.id if len(data.candidates) == 1 else None
    candidates = [
        {"c": cand, "links": _work_order_links(call, data.caller_display, cand.card.id)}
        for cand in data.candidates
    ]
    return render(
        request,
        "calls/_pop.html",
        {
            "pop": data,
            "call": call,
            "candidates": candidates,
            "links": _work_order_links(call, data.caller_display, first_customer),
            "new_customer_url": "/customers/new/?" + urlencode({"phone": data.caller_display}),
            "can_wrapup": call.agent_id == _me(request).pk or is_supervisor(user=_me(request)),
        },
    )


@login_required
@require_POST
def wrapup(request: HttpRequest, call_pk: int) -> HttpResponse:
    call = call_get(user=_me(request), call_pk=call_pk)
    error = ""
    try:
        call = call_wrapup(
            actor=_me(request),
            call=call,
            code=request.POST.get("code", ""),
            note=request.POST.get("note", ""),
            finish=request.POST.get("finish", "1") == "1",
        )
    except DomainError as exc:
        error = " ".join(str(m) for m in exc.fields.values()) or str(exc.message)
    response = _render_pop(request, call) if not error else None
    if response is None:
        response = render(request, "calls/_wrapup_error.html", {"error": error})
        response["HX-Retarget"] = "#wrapup-error"
        response["HX-Reswap"] = "innerHTML"
    return response


@login_required
@require_GET
def call_log(request: HttpRequest) -> HttpResponse:
    filters = call_filters_parse({k: request.GET.get(k, "") for k in request.GET if k != "page"})
    day = filters.day
    try:
        page = max(int(request.GET.get("page", "1")), 1)
    except ValueError:
        page = 1
    total, rows = calls_list(user=_me(request), filters=filters, page=page)
    pages = Paginator(range(total), 50).num_pages
    return render(
        request,
        "calls/log.html",
        {
            "rows": rows,
            "total": total,
            "page": page,
            "pages": pages,
            "filters": filters,
            "day": day,
            "outcomes": Call.Outcome.choices[1:],
            "directions": Call.Direction.choices,
        },
    )


@login_required
def wallboard_page(request: HttpRequest) -> HttpResponse:
    if not is_supervisor(user=_me(request)):
        raise PermissionDenied()
    return render(request, "calls/wallboard.html", {"board": wallboard(user=_me(request))})


@login_required
@require_GET
def wallboard_panel(request: HttpRequest) -> HttpResponse:
    return render(request, "calls/_wallboard.html", {"board": wallboard(user=_me(request))})


@login_required
@require_GET
def home_panel(request: HttpRequest) -> HttpResponse:
    user = _me(request)
    return render(
        request,
        "calls/_home_panel.html",
        {
            **_state_context(request),
            "active_call": agent_active_call(user=user),
            "recent": agent_recent_calls(user=user, limit=5),
        },
    )


@never_cache
@require_GET
def stream(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """The push stream on a thread (servers other than `postdesk serve`)."""
    grant = streams.grant_for(_me(request), wallboard=request.GET.get("wallboard") == "1")
    if grant is None:
        return HttpResponse("sign in first\n", status=401, content_type="text/plain")
    if not streams.acquire_sync_slot():
        response = HttpResponse(
            "too many push connections\n", status=503, content_type="text/plain"
        )
        response["Retry-After"] = "5"
        return response
    streaming = StreamingHttpResponse(
        streams.sync_stream(grant), content_type="text/event-stream; charset=utf-8"
    )
    streaming["Cache-Control"] = "no-cache, no-store"
    streaming["X-Accel-Buffering"] = "no"
    return streaming
