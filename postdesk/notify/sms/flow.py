"""The life of one SMS message, as data (pure: no Django, no database).

A message's status only moves forward::

    created ──accepted──▶ sent ──receipt_ok──▶ delivered
       │                   ├──receipt_failed─▶ failed
       │                   └──expire─────────▶ expired
       ├──rejected / receipt_failed──▶ failed      (a permanent refusal)
       ├──receipt_ok──▶ delivered                  (the receipt overtook the send's answer)
       └──expire──▶ expired                        (held or unconfirmed past its lifetime)

``delivered``, ``failed`` and ``expired`` are final: whatever arrives later (a second
receipt, a receipt out of order, the gateway's late answer) changes nothing. Temporary
failures are not events of the message: the outbox retries them with backoff while the
message stays ``created``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final, Literal

Status = Literal["created", "sent", "delivered", "failed", "expired"]
Event = Literal["accepted", "rejected", "receipt_ok", "receipt_failed", "expire"]

STATUSES: Final[tuple[tuple[str, str, str], ...]] = (
    ("created", "待发送", "Created"),
    ("sent", "已发送", "Sent"),
    ("delivered", "已送达", "Delivered"),
    ("failed", "发送失败", "Failed"),
    ("expired", "已过期", "Expired"),
)
EVENTS: Final[tuple[Event, ...]] = (
    "accepted",
    "rejected",
    "receipt_ok",
    "receipt_failed",
    "expire",
)
FINAL: Final = frozenset({"delivered", "failed", "expired"})

_TABLE: Final[Mapping[tuple[str, str], str]] = {
    ("created", "accepted"): "sent",
    ("created", "rejected"): "failed",
    ("created", "receipt_ok"): "delivered",
    ("created", "receipt_failed"): "failed",
    ("created", "expire"): "expired",
    ("sent", "accepted"): "sent",
    ("sent", "rejected"): "sent",  # an answer that contradicts an earlier acceptance: kept
    ("sent", "receipt_ok"): "delivered",
    ("sent", "receipt_failed"): "failed",
    ("sent", "expire"): "expired",
}


def advance(status: str, event: str) -> str:
    """The status after `event`; a final status absorbs every event. ValueError for an
    unknown status or event (a programming error)."""
    if status not in {s[0] for s in STATUSES}:
        raise ValueError(f"unknown SMS status {status!r}")
    if event not in EVENTS:
        raise ValueError(f"unknown SMS event {event!r}")
    if status in FINAL:
        return status
    return _TABLE[(status, event)]


def moves_from(event: str) -> dict[str, str]:
    """For one event, every status it changes and the status it changes it to (what a
    conditional UPDATE needs: `WHERE status IN (…)`)."""
    return {
        status: target
        for (status, ev), target in _TABLE.items()
        if ev == event and target != status
    }


def status_label(status: str, lang: str = "zh") -> str:
    for code, zh, en in STATUSES:
        if code == status:
            return zh if lang == "zh" else en
    return status
