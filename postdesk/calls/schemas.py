"""Typed answers of the calls API (the OpenAPI document names every field)."""

from __future__ import annotations

from typing import Literal

from ninja import Schema
from pydantic import Field


class EventStoredOut(Schema):
    status: Literal["stored", "duplicate"]
    call_id: str


class ZammadReplyOut(Schema):
    """Zammad's generic CTI answer: `{}`, a reject (block list) or a dial (outbound)."""

    action: Literal["reject", "dial"] | None = None
    reason: str | None = None
    caller_id: str | None = None
    number: str | None = None


class MetricsOut(Schema):
    offered: int
    answered: int
    abandoned: int
    short_abandoned: int
    answered_within_threshold: int
    service_level: float | None
    abandonment_rate: float | None
    asa_seconds: float | None
    aht_seconds: float | None


class ThresholdsOut(Schema):
    service_level_seconds: float
    short_abandon_seconds: float


class CallReportOut(MetricsOut):
    """A day's or a period's figures, with breakdowns keyed by local day, half hour
    (``YYYY-MM-DDTHH:MM``), queue, extension and user."""

    answered_per_agent: dict[str, int]
    thresholds: ThresholdsOut
    by_day: dict[str, MetricsOut] = {}
    by_half_hour: dict[str, MetricsOut] = {}
    by_queue: dict[str, MetricsOut] = {}
    by_extension: dict[str, MetricsOut] = {}
    by_user: dict[str, MetricsOut] = {}
    from_: str = Field(alias="from")  # the route dumps by alias: the key is "from"
    to: str


_ZAMMAD_FIELDS = {
    "type": "object",
    "properties": {
        "event": {"type": "string", "enum": ["newCall", "answer", "hangup"]},
        "direction": {"type": "string", "enum": ["in", "out"]},
        "callId": {"type": "string"},
        "from": {"type": "string", "description": "the caller's number"},
        "to": {"type": "string", "description": "the number or extension called"},
        "user": {
            "type": "array",
            "items": {"type": "string"},
            "description": "who answered: extension, login or phone (`user[]` in a form)",
        },
        "answeringNumber": {"type": "string", "description": "extension, login or phone"},
        "cause": {"type": "string", "description": "hangup: normalClearing, busy, cancel…"},
    },
    "required": ["event", "callId"],
}

#: The request body of the Zammad generic CTI push, as the endpoint reads it (it parses
#: the raw body itself: a form, or the same fields as JSON).
ZAMMAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/x-www-form-urlencoded": {"schema": _ZAMMAD_FIELDS},
            "application/json": {"schema": _ZAMMAD_FIELDS},
        },
    }
}
