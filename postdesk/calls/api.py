"""The CTI API (mounted at /api/v1/cti/) and the call-metrics report
(`reports_router`, mounted at /api/v1/reports/)."""

from __future__ import annotations

import json
from typing import Any, cast

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Router
from ninja.params.functions import Query
from ninja.security import APIKeyHeader

from postdesk.calls.events import (
    CtiEvent,
    EventInvalid,
    parse_cti_json,
    parse_zammad,
    zammad_form,
)
from postdesk.calls.schemas import ZAMMAD_BODY, CallReportOut, EventStoredOut, ZammadReplyOut
from postdesk.calls.selectors import call_metrics, call_metrics_for_days
from postdesk.calls.services import (
    cti_token_authenticate,
    number_is_blocked,
    zammad_event_resolve,
)
from postdesk.calls.writer import cti_event_store
from postdesk.core.api_contract import ErrorOut
from postdesk.core.auth import STAFF_AUTH
from postdesk.core.errors import AuthenticationFailed, ValidationFailed
from postdesk.core.periods import parse_day
from postdesk.core.request import client_ip
from postdesk.org.models import User

MAX_BODY = 64 * 1024


class CtiTokenAuth(APIKeyHeader):
    """`Authorization: Token <CTI integration token>` (`postdesk cti_token --create NAME`)."""

    param_name = "Authorization"
    openapi_description = "Authorization: Token <key> (postdesk cti_token --create NAME)"

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        if not key:
            return None
        scheme, _sep, raw = key.partition(" ")
        ip = client_ip(request) or "unknown"
        if scheme.lower() not in {"token", "bearer"} or not raw.strip():
            return cti_token_authenticate(raw="", ip=ip)  # counts as a wrong token
        return cti_token_authenticate(raw=raw.strip(), ip=ip)


cti_auth = CtiTokenAuth()
router = Router(auth=STAFF_AUTH, tags=["cti"])
reports_router = Router(auth=STAFF_AUTH, tags=["reports"])

EVENT_SCHEMA = {
    "type": "object",
    "required": ["event", "call_id", "timestamp"],
    "properties": {
        "event": {
            "type": "string",
            "enum": ["newCall", "answer", "hangup", "wrapup", "hold", "unhold"],
        },
        "call_id": {"type": "string"},
        "timestamp": {"type": "string", "format": "date-time"},
        "direction": {"type": "string", "enum": ["in", "out"]},
        "from": {"type": "string"},
        "to": {"type": "string"},
        "queue": {"type": "string"},
        "agent": {"type": "string", "description": "the agent's extension"},
        "cause": {"type": "string"},
        "recording_url": {"type": "string"},
    },
}


def _invalid(exc: EventInvalid) -> ValidationFailed:
    messages = {
        "required": _("This field is required."),
        "unknown event": _("Unknown event."),
        "must be in or out": _("Must be “in” or “out”."),
        "must be a string": _("Must be a string."),
        "too long": _("This value is too long."),
        "not an ISO 8601 date and time": _("Enter an ISO 8601 date and time."),
        "needs a UTC offset": _("The time needs its UTC offset, e.g. +08:00."),
        "must be a JSON object": _("The body must be a JSON object."),
        "must be an http(s) URL": _("Enter an http(s) address."),
        "control characters": _("Control characters are not allowed."),
        "not a phone number": _("Enter a phone number: digits, or “anonymous”."),
        "out of range": _("Give a time between the years 1900 and 9998."),
        "too many": _("Too many values."),
    }
    return ValidationFailed(fields={exc.field: messages.get(exc.message, exc.message)})


@router.post(
    "/events",
    auth=cti_auth,
    summary="Receive one CTI event",
    response=EventStoredOut,
    openapi_extra={
        "requestBody": {"content": {"application/json": {"schema": EVENT_SCHEMA}}, "required": True}
    },
)
def cti_events(request: HttpRequest) -> dict[str, Any]:
    """Idempotent: the same (call_id, event, timestamp) twice is stored once and answered
    200 both times (`"status": "duplicate"` the second time). Under every server this
    operation is answered by `calls.middleware.CtiEventsMiddleware` with the same code."""
    return cti_event_receive(request.body)


def cti_event_answer(request: HttpRequest) -> dict[str, Any]:
    """`POST /api/v1/cti/events` for `CtiEventsMiddleware`: the token, then
    `cti_event_receive`; raises DomainError (401, 400) as the API view would."""
    if cti_auth.authenticate(request, request.headers.get("Authorization")) is None:
        raise AuthenticationFailed()
    return cti_event_receive(request.body)


def cti_event_receive(raw: bytes) -> dict[str, Any]:
    """Parse, then store one CTI event through the process's group-commit writer;
    raises DomainError for bad input (its messages translated when shown)."""
    if len(raw) > MAX_BODY:
        raise ValidationFailed(fields={"body": _("The body is too large.")})
    try:
        body = json.loads(raw or b"null")
    except (ValueError, UnicodeDecodeError):
        raise ValidationFailed(fields={"body": _("The body is not valid JSON.")}) from None
    try:
        event = parse_cti_json(body)
    except EventInvalid as exc:
        raise _invalid(exc) from None
    result = cti_event_store(event=event)
    return {"status": "stored" if result.created else "duplicate", "call_id": event.call_id}


def _zammad_form(request: HttpRequest) -> dict[str, list[str]]:
    if request.content_type == "application/json":
        if len(request.body) > MAX_BODY:
            raise ValidationFailed(fields={"body": _("The body is too large.")})
        try:
            return zammad_form(json.loads(request.body or b"null"))
        except (ValueError, UnicodeDecodeError):
            raise ValidationFailed(fields={"body": _("The body is not valid JSON.")}) from None
    return {key: request.POST.getlist(key) for key in request.POST}


def cti_zammad_receive(request: HttpRequest, token: str) -> dict[str, Any]:
    if cti_token_authenticate(raw=token, ip=client_ip(request) or "unknown") is None:
        raise AuthenticationFailed()
    try:
        event = parse_zammad(_zammad_form(request), received_at=timezone.now())
    except EventInvalid as exc:
        raise _invalid(exc) from None
    cti_event_store(event=zammad_event_resolve(event))
    return zammad_reply(event)


def zammad_reply(event: CtiEvent) -> dict[str, Any]:
    """What Zammad's generic CTI answers a PBX: for a new inbound call from a number on
    the block list `{"action": "reject", "reason": "busy"}` (the PBX hangs up; the call
    is logged as any other); for a new outbound call, when POSTDESK_CTI_OUTBOUND_CALLER_ID
    is set, `{"action": "dial", "caller_id": <it>, "number": <to>}` (the PBX dials out
    showing the centre's number); else `{}`."""
    if event.event != "newCall":
        return {}
    if event.direction == "in" and number_is_blocked(event.from_number):
        return {"action": "reject", "reason": "busy"}
    caller_id = str(getattr(settings, "POSTDESK_CTI_OUTBOUND_CALLER_ID", "") or "")
    if event.direction == "out" and caller_id and event.to_number:
        return {"action": "dial", "caller_id": caller_id, "number": event.to_number}
    return {}


@router.post(
    "/zammad/{token}",
    auth=None,
    response={200: ZammadReplyOut, 401: ErrorOut, 429: ErrorOut},  # a wrong token: 401, then 429
    exclude_none=True,
    openapi_extra=ZAMMAD_BODY,
    summary="Zammad generic CTI push",
)
def cti_zammad(request: HttpRequest, token: str) -> dict[str, Any]:
    """Zammad's generic CTI format (form-encoded or JSON), so a PBX script written for
    it works unchanged."""
    return cti_zammad_receive(request, token)


@router.post(
    "/{token}",
    auth=None,
    response={200: ZammadReplyOut, 401: ErrorOut, 429: ErrorOut},  # a wrong token: 401, then 429
    exclude_none=True,
    openapi_extra=ZAMMAD_BODY,
    summary="Zammad generic CTI push (Zammad's own path)",
)
def cti_zammad_own_path(request: HttpRequest, token: str) -> dict[str, Any]:
    """The same as `/api/v1/cti/zammad/{token}`, at the path Zammad itself answers, which
    is the only one a published Zammad client knows."""
    return cti_zammad_receive(request, token)


@reports_router.get(
    "/calls", response=CallReportOut, by_alias=True, summary="Call metrics of a day or a period"
)
def calls_report(
    request: HttpRequest,
    date: str | None = None,
    from_: str | None = Query(None, alias="from"),
    to: str | None = None,
    sl: float | None = None,
    short: float | None = None,
) -> dict[str, Any]:
    """`?date=YYYY-MM-DD`, or `?from=YYYY-MM-DD&to=YYYY-MM-DD` (both days included);
    local (Asia/Shanghai) days. Optional `sl` and `short`: the service-level threshold
    and the short-abandon time in seconds."""
    if date:
        first = last = parse_day(date, field="date")
    elif from_ or to:
        if not from_ or not to:
            raise ValidationFailed(
                fields={"from" if not from_ else "to": _("Give both from and to, or date.")}
            )
        first, last = parse_day(from_, field="from"), parse_day(to, field="to")
        if last < first:
            raise ValidationFailed(fields={"to": _("The period ends before it begins.")})
        if (last - first).days > 366:
            raise ValidationFailed(fields={"to": _("At most one year at a time.")})
    else:
        raise ValidationFailed(fields={"date": _("Give a date, or from and to.")})
    for name, value in (("sl", sl), ("short", short)):
        if value is not None and not 0 <= value <= 3600:
            raise ValidationFailed(fields={name: _("Enter seconds between 0 and 3600.")})
    return call_metrics_for_days(
        user=cast(User, request.user),
        first=first,
        last=last,
        service_level_seconds=sl,
        short_abandon_seconds=short,
    )


__all__ = ["call_metrics", "reports_router", "router"]
