"""/api/v1/public/otp, /otp/verify and /my-requests: following every request of a phone
with a one-time code sent to it by SMS (`portal.otp`).

    POST /api/v1/public/otp          {"phone"}          → 202 (for any valid mobile)
    POST /api/v1/public/otp/verify   {"phone", "code"}  → {"token", "expires_at"}
    GET  /api/v1/public/my-requests  Authorization: Bearer <token>   (or X-Portal-Token)
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import Field

from postdesk.core.request import client_ip
from postdesk.portal import otp, selectors
from postdesk.portal.filing_api import ErrorOut
from postdesk.portal.public_api import MilestoneOut

router = Router(auth=None, tags=["public"])

TOKEN_HEADER = "X-Portal-Token"


class OtpIn(Schema):
    phone: str = Field(max_length=40, description="The mobile number the requests were filed with")


class OtpSentOut(Schema):
    sent: bool = Field(description="Always true: a code is on its way if the number is a mobile")
    expires_in: int = Field(description="Seconds the code is good for")


class VerifyIn(Schema):
    phone: str = Field(max_length=40)
    code: str = Field(max_length=10, description="The 6 digits of the SMS")


class TokenOut(Schema):
    token: str = Field(
        description="Send it as `Authorization: Bearer <token>` (or `X-Portal-Token`) "
        "to GET /api/v1/public/my-requests"
    )
    expires_at: datetime


class MyRequestOut(Schema):
    reference: str
    type: str
    type_label: str
    status: str = Field(description="received · processing · replied · closed · cancelled")
    status_label: str
    created_at: datetime | None
    timeline: list[MilestoneOut]
    reply: str


class MyRequestsOut(Schema):
    requests: list[MyRequestOut]


def bearer(request: HttpRequest) -> str:
    """The token of `Authorization: Bearer …`, else of `X-Portal-Token`, else ""."""
    given = request.headers.get("Authorization", "")
    if given[:7].lower() == "bearer ":
        return given[7:].strip()
    return request.headers.get(TOKEN_HEADER, "").strip()


@router.post(
    "/otp",
    response={202: OtpSentOut, 400: ErrorOut, 429: ErrorOut},
    auth=None,
    summary="Send a one-time code by SMS to follow a phone's requests",
)
def otp_send(request: HttpRequest, payload: OtpIn) -> Status[dict[str, Any]]:
    otp.otp_request(phone=payload.phone, ip=client_ip(request))
    return Status(202, {"sent": True, "expires_in": int(otp.CODE_TTL.total_seconds())})


@router.post(
    "/otp/verify",
    response={200: TokenOut, 400: ErrorOut, 429: ErrorOut},
    auth=None,
    summary="Trade the SMS's code for a short-lived token",
)
def otp_verify(request: HttpRequest, payload: VerifyIn) -> dict[str, Any]:
    issued = otp.otp_verify(phone=payload.phone, code=payload.code, ip=client_ip(request))
    return {"token": issued.token, "expires_at": issued.expires_at}


def my_requests_public(phone: str) -> list[dict[str, Any]]:
    return [
        {
            "reference": found.reference,
            "type": found.type,
            "type_label": found.type_label,
            "status": found.status,
            "status_label": found.status_label,
            "created_at": found.created_at,
            "timeline": [{"at": m.at, "what": m.what} for m in found.timeline],
            "reply": found.reply,
        }
        for found in selectors.requests_of_phone(phone=phone)
    ]


@router.get(
    "/my-requests",
    response={200: MyRequestsOut, 401: ErrorOut},
    auth=None,
    summary="The requests of the last 12 months of the phone a token was issued for",
)
def my_requests(request: HttpRequest) -> dict[str, Any]:
    phone = otp.phone_of_token(bearer(request))
    return {"requests": my_requests_public(phone)}
