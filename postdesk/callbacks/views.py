"""Pages of callbacks 回电任务: the agent's list (theirs first, then the team's, due
soonest first; overdue marked), a task's page with its attempts, and the actions —
start the call (the full number shown, logged), record the outcome, reassign (team
leads), cancel. Thin: parse, call one selector or service, render."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from postdesk.callbacks import display, flows, rules, selectors
from postdesk.callbacks.forms import CallbackForm, choices
from postdesk.callbacks.models import CallbackTask
from postdesk.callbacks.services import (
    CallbackInput,
    callback_assign,
    callback_attempt_record,
    callback_cancel,
    callback_create,
    callback_start,
)
from postdesk.core.errors import DomainError, NotFound, ValidationFailed
from postdesk.core.forms import add_domain_error
from postdesk.core.request import client_ip, post_or_redirect
from postdesk.org.models import User
from postdesk.org.request import staff_user

T = TypeVar("T")


def _detail_url(task_id: int) -> str:
    return reverse("callbacks:detail", args=[task_id])


def _row(user: User, task: CallbackTask, now: datetime) -> dict[str, Any]:
    return {
        "task": task,
        "reason": display.label(flows.REASONS, task.reason),
        "status": display.label(flows.STATUSES, task.status),
        "priority": display.label(flows.PRIORITIES, task.priority),
        "phone": display.masked_phone(task),
        "name": display.masked_name(task),
        "overdue": selectors.is_overdue(task, now),
        "minutes_left": display.minutes_left(task, now),
        "mine": task.assignee_id == user.pk,
        "can_work": rules.can_work_callback(user, task),
        "can_assign": rules.can_assign_callback(user, task),
        "can_take": rules.can_take_callback(user, task),
    }


@login_required
def callback_list(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    if not rules.can_read_callbacks(user):
        raise NotFound()
    error = None
    try:
        page = max(int(request.GET.get("page", "1")), 1)
    except ValueError:
        page = 1
    try:
        filters = selectors.clean_filters(
            status=request.GET.get("status", ""),
            assignee=request.GET.get("assignee", ""),
            due=request.GET.get("due", ""),
            page=page,
        )
    except ValidationFailed as exc:
        error, filters = exc, selectors.CallbackFilters()
    found = selectors.callback_list(user=user, filters=filters)
    now = timezone.now()
    rows = [_row(user, t, now) for t in found.results]
    return render(
        request,
        "callbacks/list.html",
        {
            "mine": [r for r in rows if r["mine"]],
            "team": [r for r in rows if not r["mine"]],
            "count": found.count,
            "overdue_count": sum(1 for r in rows if r["overdue"]),
            "filters": filters,
            "error": error,
            "statuses": choices(flows.STATUSES),
            "outcomes": choices(flows.OUTCOMES),
            "agents": selectors.team_agents(user=user) if rules.MANAGERS & {user.role} else [],
            "can_create": rules.can_create_callback(user),
            "page": found.page,
            "has_next": found.page * found.page_size < found.count,
        },
    )


def _render_detail(
    request: HttpRequest,
    user: User,
    task: CallbackTask,
    *,
    dial: str = "",
    error: DomainError | None = None,
    status: int = 200,
) -> HttpResponse:
    task = selectors.callback_get(user=user, task_id=task.pk)
    now = timezone.now()
    attempts = [
        {
            "attempt": a,
            "outcome": display.label(flows.OUTCOMES, a.outcome) if a.outcome else _("calling…"),
        }
        for a in selectors.callback_attempts(task=task)
    ]
    return render(
        request,
        "callbacks/detail.html",
        {
            "r": _row(user, task, now),
            "attempts": attempts,
            "dial": dial,
            "error": error,
            "outcomes": choices(flows.OUTCOMES),
            "agents": selectors.team_agents(user=user)
            if rules.can_assign_callback(user, task)
            else [],
            "can_cancel": rules.can_cancel_callback(user, task),
        },
        status=status,
    )


@login_required
def callback_detail(request: HttpRequest, task_id: int) -> HttpResponse:
    user = staff_user(request)
    return _render_detail(request, user, selectors.callback_get(user=user, task_id=task_id))


def _version(request: HttpRequest) -> int | None:
    raw = request.POST.get("version", "")
    return int(raw) if raw.isdigit() else None


Action = Callable[[User, CallbackTask], T]


def _act(request: HttpRequest, task_id: int, action: Action[T]) -> tuple[User, T | HttpResponse]:
    """Run one action on the reader's task: its result, or the task's page with the
    refusal beside it (a task out of scope stays a 404)."""
    user = staff_user(request)
    task = selectors.callback_get(user=user, task_id=task_id)
    try:
        return user, action(user, task)
    except DomainError as exc:
        if isinstance(exc, NotFound):
            raise
        return user, _render_detail(request, user, task, error=exc, status=exc.status)


@login_required
@post_or_redirect(lambda task_id: _detail_url(task_id))
def callback_start_view(request: HttpRequest, task_id: int) -> HttpResponse:
    """The full number, to dial (a POST: the view is logged)."""
    user, started = _act(
        request,
        task_id,
        lambda user, task: callback_start(
            actor=user, task=task, version=_version(request), ip=client_ip(request)
        ),
    )
    if isinstance(started, HttpResponse):
        return started
    return _render_detail(request, user, started.task, dial=display.dial_number(started.phone))


@login_required
@post_or_redirect(lambda task_id: _detail_url(task_id))
def callback_attempt_view(request: HttpRequest, task_id: int) -> HttpResponse:
    _actor, attempt = _act(
        request,
        task_id,
        lambda user, task: callback_attempt_record(
            actor=user,
            task=task,
            outcome=request.POST.get("outcome", ""),
            note=request.POST.get("note", ""),
            version=_version(request),
        ),
    )
    if isinstance(attempt, HttpResponse):
        return attempt
    messages.success(
        request,
        _("Outcome recorded: %(outcome)s.")
        % {"outcome": display.label(flows.OUTCOMES, attempt.outcome)},
    )
    return redirect("callbacks:list")


@login_required
@post_or_redirect(lambda task_id: _detail_url(task_id))
def callback_assign_view(request: HttpRequest, task_id: int) -> HttpResponse:
    _actor, assigned = _act(
        request,
        task_id,
        lambda user, task: callback_assign(
            actor=user,
            task=task,
            assignee=request.POST.get("assignee", "").strip() or None,
            team=request.POST.get("team", "").strip() or None,
            version=_version(request),
        ),
    )
    if isinstance(assigned, HttpResponse):
        return assigned
    messages.success(request, _("Callback reassigned."))
    if request.POST.get("next") == "detail":
        return redirect(_detail_url(task_id))
    return redirect("callbacks:list")


@login_required
@post_or_redirect(lambda task_id: _detail_url(task_id))
def callback_cancel_view(request: HttpRequest, task_id: int) -> HttpResponse:
    _actor, cancelled = _act(
        request,
        task_id,
        lambda user, task: callback_cancel(
            actor=user, task=task, reason=request.POST.get("reason", ""), version=_version(request)
        ),
    )
    if isinstance(cancelled, HttpResponse):
        return cancelled
    messages.success(request, _("Callback cancelled."))
    return redirect("callbacks:list")


@login_required
def callback_new(request: HttpRequest) -> HttpResponse:
    """A callback by hand: from a work order (`?work_order=`), a call (`?call=`) or the
    list."""
    user = staff_user(request)
    if not rules.can_create_callback(user):
        raise NotFound()
    order = call = None
    source = request.POST if request.method == "POST" else request.GET
    number = (source.get("work_order") or "").strip()
    if number:
        from postdesk.workorders.selectors import work_order_get

        order = work_order_get(user=user, number=number)
    call_id = (source.get("call") or "").strip()
    if call_id:
        from postdesk.calls.selectors import calls_visible

        call = calls_visible(user=user).filter(call_id=call_id).first()
        if call is None:
            raise NotFound()
    if request.method == "POST":
        form = CallbackForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                task = callback_create(
                    actor=user,
                    data=CallbackInput(
                        reason=data["reason"],
                        phone=data["phone"],
                        name=data["name"],
                        window_end=data["window_end"],
                        priority=data["priority"],
                        text=data["text"],
                        assignee=user.get_username(),
                    ),
                    work_order=order,
                    call_id=call.call_id if call else (order.call_id if order else ""),
                    customer=call.customer if call else None,
                )
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, _("Callback put on the list."))
                return redirect("callbacks:detail", task_id=task.pk)
    else:
        from postdesk.core.phones import display_phone

        phone = order.caller_phone if order else (call.caller_number if call else "")
        form = CallbackForm(
            initial={
                "reason": "work_order_callback" if order else "other",
                "phone": display_phone(phone) if phone else "",
                "name": order.caller_name if order else "",
                "work_order": number,
                "call": call_id,
                "priority": "normal",
            }
        )
    return render(request, "callbacks/new.html", {"form": form, "order": order, "call": call})


@login_required
def callback_panel(request: HttpRequest) -> HttpResponse:
    """The home page's panel: my open callbacks, due soonest first, and the team's
    unassigned ones."""
    user = staff_user(request)
    if not rules.can_read_callbacks(user):
        raise NotFound()
    now = timezone.now()
    mine = selectors.callback_list(
        user=user, filters=selectors.CallbackFilters(assignee="me"), page_size=5
    )
    waiting = selectors.callback_list(
        user=user, filters=selectors.CallbackFilters(assignee="none"), page_size=1
    )
    return render(
        request,
        "callbacks/_home_panel.html",
        {
            "rows": [_row(user, t, now) for t in mine.results],
            "mine": mine.count,
            "waiting": waiting.count,
        },
    )
