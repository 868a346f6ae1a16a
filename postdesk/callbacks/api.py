"""REST API of callbacks 回电 (/api/v1/callbacks/): thin — parse, call one service or
selector, shape the answer. Phones and names are masked; the full number is in the
answer of `start` only (the agent dials it; the view is logged)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from pydantic import Field

from postdesk.callbacks import display, flows, selectors
from postdesk.callbacks.models import CallbackAttempt, CallbackTask
from postdesk.callbacks.services import (
    CallbackInput,
    callback_assign,
    callback_attempt_record,
    callback_cancel,
    callback_create,
    callback_start,
)
from postdesk.core.auth import STAFF_AUTH
from postdesk.core.errors import NotFound, ValidationFailed
from postdesk.core.request import client_ip
from postdesk.org.request import staff_user

router = Router(auth=STAFF_AUTH, tags=["callbacks"])


class ErrorOut(Schema):
    code: str
    message: str
    fields: dict[str, str]


class CallbackIn(Schema):
    reason: str = Field(max_length=30)
    phone: str = Field("", max_length=40)
    name: str = Field("", max_length=100)
    window_start: datetime | None = None
    window_end: datetime | None = None
    priority: str = Field("normal", max_length=10)
    text: str = Field("", max_length=500)
    assignee: str | None = Field(None, max_length=150)
    team: str | None = Field(None, max_length=20)
    max_attempts: int | None = None
    work_order: str | None = Field(None, max_length=20)
    call: str = Field("", max_length=100)


class AttemptIn(Schema):
    outcome: str = Field(max_length=20)
    note: str = Field("", max_length=500)
    call: str = Field("", max_length=100)
    version: int | None = None


class AssignIn(Schema):
    assignee: str | None = Field(None, max_length=150)
    team: str | None = Field(None, max_length=20)
    version: int | None = None


class CancelIn(Schema):
    reason: str = Field("", max_length=500)
    version: int | None = None


class StartIn(Schema):
    version: int | None = None


class AttemptOut(Schema):
    id: int
    agent: str
    started_at: str
    at: str | None
    outcome: str
    note: str
    call: str | None


class CallbackOut(Schema):
    id: int
    reason: str
    status: str
    priority: str
    phone: str
    name: str
    contact_masked: bool
    work_order: str | None
    notice: str | None
    call: str
    text: str
    window_start: str
    window_end: str
    overdue: bool
    assignee: str | None
    team: str
    attempts: int
    max_attempts: int
    created_at: str
    closed_at: str | None
    version: int


class CallbackDetailOut(CallbackOut):
    allowed_actions: list[str]
    attempt_log: list[AttemptOut]


class CallbackListOut(Schema):
    count: int
    page: int
    page_size: int
    results: list[CallbackOut]


class StartOut(Schema):
    callback: CallbackDetailOut
    attempt: AttemptOut
    dial: str


def _iso(value: datetime | None) -> str | None:
    return timezone.localtime(value).isoformat() if value else None


def _summary(task: CallbackTask, now: datetime) -> dict[str, Any]:
    return {
        "id": task.pk,
        "reason": task.reason,
        "status": task.status,
        "priority": task.priority,
        "phone": display.masked_phone(task),
        "name": display.masked_name(task),
        "contact_masked": True,
        "work_order": task.work_order.number if task.work_order else None,
        "notice": task.notice.number if task.notice else None,
        "call": task.call_id,
        "text": task.text,
        "window_start": _iso(task.window_start),
        "window_end": _iso(task.window_end),
        "overdue": selectors.is_overdue(task, now),
        "assignee": task.assignee.get_username() if task.assignee else None,
        "team": task.team.code,
        "attempts": task.attempts_count,
        "max_attempts": task.max_attempts,
        "created_at": _iso(task.created_at),
        "closed_at": _iso(task.closed_at),
        "version": task.version,
    }


def _attempt(a: CallbackAttempt) -> dict[str, Any]:
    return {
        "id": a.pk,
        "agent": a.agent.get_username(),
        "started_at": _iso(a.started_at),
        "at": _iso(a.at),
        "outcome": a.outcome,
        "note": a.note,
        "call": a.call.call_id if a.call else None,
    }


def _detail(request: HttpRequest, task_id: int) -> dict[str, Any]:
    user = staff_user(request)
    task = selectors.callback_get(user=user, task_id=task_id)
    data = _summary(task, timezone.now())
    data["allowed_actions"] = flows.allowed_actions(task.status)
    data["attempt_log"] = [_attempt(a) for a in selectors.callback_attempts(task=task)]
    return data


def _task(request: HttpRequest, task_id: int) -> CallbackTask:
    return selectors.callback_get(user=staff_user(request), task_id=task_id)


_ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


@router.get("/", response={200: CallbackListOut, 400: ErrorOut, 403: ErrorOut}, summary="Callbacks")
def list_callbacks(
    request: HttpRequest,
    status: str = "",
    assignee: str = "",
    due: str = "",
    team: str = "",
    page: int = 1,
) -> dict[str, Any]:
    """The reader's callbacks: their own first, then the team's, due soonest first.
    `status`: a status, `active` (default: open or in progress) or `all`; `assignee`:
    `me`, `none` or a username; `due`: `overdue`, `today` or `soon`."""
    user = staff_user(request)
    filters = selectors.clean_filters(
        status=status, assignee=assignee, due=due, team=team, page=page
    )
    found = selectors.callback_list(user=user, filters=filters)
    now = timezone.now()
    return {
        "count": found.count,
        "page": found.page,
        "page_size": found.page_size,
        "results": [_summary(t, now) for t in found.results],
    }


@router.post(
    "/", response={201: CallbackDetailOut, 400: ErrorOut, 403: ErrorOut}, summary="New callback"
)
def create(request: HttpRequest, payload: CallbackIn) -> Status[dict[str, Any]]:
    user = staff_user(request)
    order = call = None
    if payload.work_order:
        from postdesk.workorders.selectors import work_order_get

        try:
            order = work_order_get(user=user, number=payload.work_order)
        except NotFound:
            raise ValidationFailed(fields={"work_order": _("Unknown work order.")}) from None
    if payload.call:
        from postdesk.calls.selectors import calls_visible

        call = calls_visible(user=user).filter(call_id=payload.call).first()
        if call is None:
            raise ValidationFailed(fields={"call": _("Unknown call.")})
    phone = (
        payload.phone
        or (order.caller_phone if order else "")
        or (call.caller_number if call else "")
    )
    name = payload.name or (order.caller_name if order else "")
    task = callback_create(
        actor=user,
        data=CallbackInput(
            reason=payload.reason,
            phone=phone,
            name=name,
            window_start=payload.window_start,
            window_end=payload.window_end,
            priority=payload.priority,
            text=payload.text,
            assignee=payload.assignee,
            team=payload.team,
            max_attempts=payload.max_attempts,
        ),
        work_order=order,
        call_id=call.call_id if call else (order.call_id if order else ""),
        customer=call.customer if call and call.customer_id else None,
    )
    return Status(201, _detail(request, task.pk))


@router.get("/{task_id}/", response={200: CallbackDetailOut, 404: ErrorOut}, summary="A callback")
def detail(request: HttpRequest, task_id: int) -> dict[str, Any]:
    return _detail(request, task_id)


@router.post("/{task_id}/start/", response={200: StartOut, **_ERRORS}, summary="Start the call")
def start(request: HttpRequest, task_id: int, payload: StartIn) -> dict[str, Any]:
    """Opens an attempt and answers the full number to dial (logged as a full view)."""
    started = callback_start(
        actor=staff_user(request),
        task=_task(request, task_id),
        version=payload.version,
        ip=client_ip(request),
    )
    return {
        "callback": _detail(request, task_id),
        "attempt": _attempt(started.attempt),
        "dial": display.dial_number(started.phone),
    }


@router.post(
    "/{task_id}/attempts/",
    response={201: CallbackDetailOut, **_ERRORS},
    summary="Record a call's outcome",
)
def attempts(request: HttpRequest, task_id: int, payload: AttemptIn) -> Status[dict[str, Any]]:
    """`outcome`: reached, no_answer, busy, wrong_number, voicemail; `call`: the CTI's
    call id (optional: else the agent's outbound call to the number since the attempt
    began is linked)."""
    callback_attempt_record(
        actor=staff_user(request),
        task=_task(request, task_id),
        outcome=payload.outcome,
        note=payload.note,
        call_id=payload.call,
        version=payload.version,
    )
    return Status(201, _detail(request, task_id))


@router.post("/{task_id}/assign/", response={200: CallbackDetailOut, **_ERRORS}, summary="Reassign")
def assign(request: HttpRequest, task_id: int, payload: AssignIn) -> dict[str, Any]:
    callback_assign(
        actor=staff_user(request),
        task=_task(request, task_id),
        assignee=payload.assignee,
        team=payload.team,
        version=payload.version,
    )
    return _detail(request, task_id)


@router.post("/{task_id}/cancel/", response={200: CallbackDetailOut, **_ERRORS}, summary="Cancel")
def cancel(request: HttpRequest, task_id: int, payload: CancelIn) -> dict[str, Any]:
    callback_cancel(
        actor=staff_user(request),
        task=_task(request, task_id),
        reason=payload.reason,
        version=payload.version,
    )
    return _detail(request, task_id)
