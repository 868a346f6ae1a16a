"""/api/v1/public/track and /api/v1/public/requests/{reference}: tracking and following for
anyone, public data only (see `portal.selectors`)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from django.http import HttpRequest
from ninja import Router, Schema

from postdesk.core.errors import NotFound
from postdesk.core.request import client_ip
from postdesk.portal import guard, selectors
from postdesk.workorders.models import WorkOrder

T = TypeVar("T")

router = Router(auth=None, tags=["public"])


class TrackEventOut(Schema):
    at: datetime
    code: str
    label: str
    office: str


class TrackOut(Schema):
    waybill: str
    status: str
    events: list[TrackEventOut]


class MilestoneOut(Schema):
    at: datetime
    what: str


class RequestOut(Schema):
    reference: str
    type: str
    status: str
    timeline: list[MilestoneOut]
    reply: str


@router.get("/track/{waybill}", response=TrackOut, auth=None)
def track(request: HttpRequest, waybill: str) -> dict[str, Any]:
    found = selectors.public_track(raw=waybill)
    return {
        "waybill": found.waybill,
        "status": found.status,
        "events": [
            {"at": e.at, "code": e.code, "label": e.label, "office": e.office} for e in found.events
        ],
    }


def _guarded(request: HttpRequest, reference: str, lookup: Callable[[], T]) -> T:
    """`lookup()` behind the follow limits: refused (429) once a reference or an address
    has tried too often; a miss (404) counts against both."""
    ip = client_ip(request)
    guard.follow_check(reference=reference[:40], ip=ip)
    try:
        return lookup()
    except NotFound:
        guard.follow_failed(reference=reference[:40], ip=ip)
        raise


def find_order(request: HttpRequest, reference: str, phone_last4: str) -> WorkOrder:
    """The guarded lookup shared by following and rating, the API and the pages."""
    return _guarded(
        request,
        reference,
        lambda: selectors.request_find(reference=reference, phone_last4=phone_last4),
    )


def follow(request: HttpRequest, reference: str, phone_last4: str) -> selectors.PublicRequest:
    """`public_request(find_order(...))`, reading only the columns the public sees."""
    return _guarded(
        request,
        reference,
        lambda: selectors.request_public(reference=reference, phone_last4=phone_last4),
    )


@router.get("/requests/{reference}", response=RequestOut, auth=None)
def request_get(request: HttpRequest, reference: str, phone_last4: str = "") -> dict[str, Any]:
    found = follow(request, reference, phone_last4)
    return {
        "reference": found.reference,
        "type": found.type,
        "status": found.status,
        "timeline": [{"at": m.at, "what": m.what} for m in found.timeline],
        "reply": found.reply,
    }
