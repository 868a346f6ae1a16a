"""/api/v1/public/challenge, POST /api/v1/public/requests and
POST /api/v1/public/requests/{reference}/rating: filing and rating for anyone.

A filing carries a solved proof of work (`portal.challenge`): GET the challenge, find
a solution, send both with the request. The portal's page does this in the browser
(`static/portal/pow.js`); an API client does the same.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from pydantic import Field

from postdesk.core.errors import PayloadTooLarge
from postdesk.core.idempotency import idempotent
from postdesk.core.request import client_ip
from postdesk.portal import challenge, services
from postdesk.portal.public_api import find_order
from postdesk.portal.selectors import PUBLIC_STATUS
from postdesk.portal.selectors_filed import filed_summary
from postdesk.workorders.public_ref import format_public_ref

router = Router(auth=None, tags=["public"])

MAX_BODY = 16 * 1024  # a filing's fields fit in a few kilobytes


class ErrorOut(Schema):
    code: str
    message: str
    fields: dict[str, str]


class ChallengeOut(Schema):
    challenge: str = Field(description="The signed challenge: send it back as `challenge`.")
    bits: int = Field(description="Leading zero bits the SHA-256 must have.")
    algorithm: Literal["sha256"]
    expires_at: datetime


class FileIn(Schema):
    type: str = Field(max_length=20, description="complaint · suggestion · consultation · pickup")
    subtype: str = Field(
        "",
        max_length=30,
        description="A complaint's sub-type: delay · loss · damage_shortage · attitude · "
        "other (only a complaint has one)",
    )
    phone: str = Field(max_length=40, description="The caller's phone (mobile or landline)")
    name: str = Field(max_length=50)
    text: str = Field(max_length=2000, description="What happened, or what is needed")
    waybill_no: str = Field("", max_length=40, description="The item's waybill, where it applies")
    address: str = Field("", max_length=200, description="A pickup's address (pickup only)")
    window_start: datetime | None = Field(
        None, description="A pickup's time window (pickup only); without an offset: Asia/Shanghai"
    )
    window_end: datetime | None = None
    challenge: str = Field(
        "", max_length=300, description="The challenge from GET /api/v1/public/challenge"
    )
    solution: str = Field(
        "",
        max_length=32,
        description="1–32 visible ASCII characters such that SHA-256(UTF-8(challenge + ':' + "
        "solution)) starts with `bits` zero bits",
    )
    website: str = Field(
        "", max_length=200, description="Leave empty (a field only scripts fill in)"
    )


class FiledOut(Schema):
    reference: str = Field(description="The public reference: follow the request with it")
    type: str
    status: str = Field(description="received · processing · replied · closed · cancelled")
    due_at: datetime | None = Field(description="By when the public hears from us")


class RateIn(Schema):
    phone_last4: str = Field(max_length=10)
    satisfaction: str = Field(
        max_length=30, description="satisfied · basically_satisfied · dissatisfied"
    )
    comment: str = Field("", max_length=500, description="Required when dissatisfied")


class RatedOut(Schema):
    reference: str
    status: str
    satisfaction: str


@router.get("/challenge", response=ChallengeOut, auth=None, summary="A proof-of-work challenge")
def challenge_get(request: HttpRequest) -> dict[str, object]:
    issued = challenge.issue(bits=settings.POSTDESK_PORTAL_POW_BITS)
    return {
        "challenge": issued.token,
        "bits": issued.bits,
        "algorithm": "sha256",
        "expires_at": issued.expires_at,
    }


@router.post(
    "/requests",
    response={201: FiledOut, 400: ErrorOut, 413: ErrorOut, 429: ErrorOut},
    auth=None,
    summary="File a complaint, suggestion, consultation or pickup request",
)
@idempotent
def request_file(request: HttpRequest, payload: FileIn) -> Status[dict[str, object]]:
    if len(request.body) > MAX_BODY:
        raise PayloadTooLarge(_("The request is too large."))
    order = services.public_request_file(
        data=payload.dict(),
        challenge_token=payload.challenge,
        solution=payload.solution,
        honeypot=payload.website,
        ip=client_ip(request),
    )
    filed = filed_summary(order)
    return Status(
        201,
        {
            "reference": filed.reference,
            "type": filed.type,
            "status": filed.status,
            "due_at": filed.due_at,
        },
    )


@router.post(
    "/requests/{reference}/rating",
    response={200: RatedOut, 400: ErrorOut, 404: ErrorOut, 409: ErrorOut, 429: ErrorOut},
    auth=None,
    summary="Rate the reply to a request (once)",
)
def request_rate(request: HttpRequest, reference: str, payload: RateIn) -> dict[str, str]:
    order = find_order(request, reference, payload.phone_last4)
    order = services.public_request_rate(
        order=order, satisfaction=payload.satisfaction, comment=payload.comment
    )
    return {
        "reference": format_public_ref(order.public_ref),
        "status": PUBLIC_STATUS.get(order.status, ("processing",))[0],
        "satisfaction": order.satisfaction,
    }
