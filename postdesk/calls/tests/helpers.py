from __future__ import annotations

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.test import Client

SH = ZoneInfo("Asia/Shanghai")
T0 = datetime(2025, 3, 4, 9, 0, 0, tzinfo=SH)


def ts(seconds: float, base: datetime = T0) -> str:
    return (base + timedelta(seconds=seconds)).isoformat()


def post_event(client: Client, token: str, meta: dict | None = None, **body):
    """POST one event; `meta`: extra WSGI environ (REMOTE_ADDR, HTTP_… headers)."""
    if "from_" in body:
        body["from"] = body.pop("from_")
    return client.post(
        "/api/v1/cti/events",
        data=json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {token}",
        **(meta or {}),
    )


def inbound(
    client: Client,
    token: str,
    call_id: str,
    *,
    start: float,
    caller: str,
    answer: float | None = None,
    agent: str = "",
    hangup: float | None = None,
    wrapup: float | None = None,
    queue: str = "11185",
    cause: str = "normalClearing",
):
    """Post the events of one inbound call (times in seconds after T0)."""
    responses = [
        post_event(
            client,
            token,
            event="newCall",
            call_id=call_id,
            timestamp=ts(start),
            direction="in",
            from_=caller,
            to="11185",
            queue=queue,
        )
    ]
    if answer is not None:
        responses.append(
            post_event(
                client, token, event="answer", call_id=call_id, timestamp=ts(answer), agent=agent
            )
        )
    if hangup is not None:
        responses.append(
            post_event(
                client,
                token,
                event="hangup",
                call_id=call_id,
                timestamp=ts(hangup),
                cause=cause,
                **({"agent": agent} if agent else {}),
            )
        )
    if wrapup is not None:
        responses.append(
            post_event(
                client, token, event="wrapup", call_id=call_id, timestamp=ts(wrapup), agent=agent
            )
        )
    for response in responses:
        assert response.status_code == 200, response.content
    return responses
