"""The work-order state machine as we expect it, written by hand and independently of
`flows.py`'s declarations: the flow tests compare the module against this."""

from __future__ import annotations

from postdesk.workorders import flows

TYPES = ["query", "consultation", "complaint", "suggestion", "tracing", "pickup", "booking"]
ALL_STATUSES = [code for code, _, _ in flows.STATUSES]
ALL_ACTIONS = [code for code, _, _ in flows.ACTIONS]
ROLES = ["agent", "lead", "director", "handler", "admin"]

Target = str | dict[str, str]

# --------------------------------------------------------------------------- hand-written

_FOLLOW_UP = {"satisfied": "closed", "basically_satisfied": "closed", "dissatisfied": "processing"}

_QUERY: dict[tuple[str, str], Target] = {
    ("new", "answer"): "closed",
    ("new", "schedule_callback"): "pending_callback",
    ("new", "convert_to_tracing"): "closed",
    ("new", "cancel"): "cancelled",
    ("new", "escalate"): "new",
    ("pending_callback", "answer"): "closed",
    ("pending_callback", "convert_to_tracing"): "closed",
    ("pending_callback", "cancel"): "cancelled",
    ("pending_callback", "escalate"): "pending_callback",
}

_COMPLAINT: dict[tuple[str, str], Target] = {
    ("new", "dispatch"): "dispatched",
    ("new", "cancel"): "cancelled",
    ("new", "escalate"): "new",
    ("dispatched", "dispatch"): "dispatched",
    ("dispatched", "accept"): "processing",
    ("dispatched", "transfer"): "dispatched",
    ("dispatched", "return"): "returned",
    ("dispatched", "cancel"): "cancelled",
    ("dispatched", "escalate"): "dispatched",
    ("returned", "dispatch"): "dispatched",
    ("returned", "cancel"): "cancelled",
    ("returned", "escalate"): "returned",
    ("processing", "transfer"): "dispatched",
    ("processing", "return"): "returned",
    ("processing", "feedback"): "fed_back",
    ("processing", "cancel"): "cancelled",
    ("processing", "escalate"): "processing",
    ("fed_back", "reply"): "replied",
    ("fed_back", "reopen"): "processing",
    ("fed_back", "escalate"): "fed_back",
    ("fed_back", "set_ruling"): "fed_back",
    ("fed_back", "appeal"): "fed_back",
    ("fed_back", "decide_appeal"): "fed_back",
    ("replied", "follow_up"): _FOLLOW_UP,
    ("replied", "close"): "closed",
    ("replied", "reopen"): "processing",
    ("replied", "escalate"): "replied",
    ("replied", "set_ruling"): "replied",
    ("replied", "appeal"): "replied",
    ("replied", "decide_appeal"): "replied",
    ("closed", "reopen"): "processing",
    ("closed", "set_ruling"): "closed",
    ("closed", "appeal"): "closed",
    ("closed", "decide_appeal"): "closed",
}

RULING_ACTIONS = {"set_ruling", "appeal", "decide_appeal"}

_SUGGESTION = {k: v for k, v in _COMPLAINT.items() if k[1] not in RULING_ACTIONS}

_TRACING: dict[tuple[str, str], Target] = {
    **{k: v for k, v in _SUGGESTION.items() if k[1] != "follow_up"},
}

_PICKUP: dict[tuple[str, str], Target] = {
    **{
        k: v for k, v in _TRACING.items() if k[0] in {"new", "dispatched", "returned", "processing"}
    },
    ("fed_back", "close"): "closed",
    ("fed_back", "escalate"): "fed_back",
}

_BOOKING: dict[tuple[str, str], Target] = {
    ("new", "accept"): "processing",
    ("new", "cancel"): "cancelled",
    ("new", "escalate"): "new",
    ("processing", "fulfil"): {"fulfilled": "fulfilled", "failed": "failed"},
    ("processing", "cancel"): "cancelled",
    ("processing", "escalate"): "processing",
    ("fulfilled", "close"): "closed",
    ("failed", "close"): "closed",
}

EXPECTED: dict[str, dict[tuple[str, str], Target]] = {
    "query": _QUERY,
    "consultation": _QUERY,
    "complaint": _COMPLAINT,
    "suggestion": _SUGGESTION,
    "tracing": _TRACING,
    "pickup": _PICKUP,
    "booking": _BOOKING,
}
