from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Field, Router, Schema

from postdesk.core.auth import STAFF_AUTH
from postdesk.notify.selectors import notifications_recent, notifications_unread_count
from postdesk.notify.services import notification_mark_read
from postdesk.notify.sms.services import (
    sms_push_authenticate,
    sms_receipts_record,
    sms_replies_record,
)
from postdesk.org.request import staff_user

router = Router(auth=STAFF_AUTH, tags=["notifications"])


class ErrorOut(Schema):
    code: str
    message: str
    fields: dict[str, str]


class NotificationOut(Schema):
    id: int
    title: str
    body: str
    link: str
    level: str
    created_at: datetime
    read_at: datetime | None


class NotificationsOut(Schema):
    unread: int
    results: list[NotificationOut]


class ReadIn(Schema):
    ids: list[int] | None = None


class MarkedOut(Schema):
    marked: int


@router.get("/", response=NotificationsOut, summary="My latest notifications")
def list_notifications(request: HttpRequest) -> dict[str, object]:
    user = staff_user(request)
    return {
        "unread": notifications_unread_count(user=user),
        "results": notifications_recent(user=user, limit=50),
    }


@router.post("/read", response=MarkedOut, summary="Mark notifications read (all when no ids)")
def mark_read(request: HttpRequest, payload: ReadIn) -> dict[str, int]:
    return {"marked": notification_mark_read(user=staff_user(request), ids=payload.ids)}


# --------------------------------------------------------------------------- SMS pushes

sms_router = Router(auth=None, tags=["sms"])


class PushOut(Schema):
    code: int = Field(0, description="0: received (what Alibaba Cloud expects)")
    msg: str = "成功"
    received: int
    new: int
    changed: int


def _push_token(request: HttpRequest) -> str:
    header = request.headers.get("Authorization", "")
    scheme, _sep, raw = header.partition(" ")
    if scheme.lower() in {"token", "bearer"} and raw.strip():
        return raw.strip()
    return request.headers.get("X-Sms-Token", "") or request.GET.get("token", "")


#: The gateway's push is in the provider's own format, read raw by its adapter: the
#: common Chinese provider's is a JSON array of receipts (phone_number, success,
#: err_code, biz_id, out_id, report_time); the generic HTTP adapter's is configured.
PROVIDER_PUSH = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": {"oneOf": [{"type": "array"}, {"type": "object"}]}},
            "application/x-www-form-urlencoded": {"schema": {"type": "object"}},
        },
    }
}


@sms_router.post(
    "/receipts/{provider}",
    response={200: PushOut, 400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 429: ErrorOut},
    openapi_extra=PROVIDER_PUSH,
    summary="Delivery receipts pushed by the SMS gateway (its own token)",
)
def sms_receipts(request: HttpRequest, provider: str) -> dict[str, object]:
    sms_push_authenticate(provider=provider, token=_push_token(request))
    result = sms_receipts_record(provider=provider, body=request.body)
    return {"code": 0, "msg": "成功", **result.as_dict()}


@sms_router.post(
    "/inbound/{provider}",
    response={200: PushOut, 400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 429: ErrorOut},
    openapi_extra=PROVIDER_PUSH,
    summary="Customers' SMS replies pushed by the gateway (its own token)",
)
def sms_inbound(request: HttpRequest, provider: str) -> dict[str, object]:
    sms_push_authenticate(provider=provider, token=_push_token(request))
    result = sms_replies_record(provider=provider, body=request.body)
    return {"code": 0, "msg": "成功", **result.as_dict()}
