"""The notice's state machine, declared once, as data (pure: no Django, no database).

A notice 通知 asks a unit to act for a customer (a pickup, a re-delivery, …) and to feed
back what it did. ``services.notice_act`` is the only writer of its status and asks this
module first; the pages, the API's allowed actions and the tests read the same table.

::

    issued ──acknowledge──▶ acknowledged
      │  └──────feedback(done | failed)──────▶ fed_back        (final)
      │                 feedback(wrong_unit)──▶ rerouting ──reroute──▶ issued
      └──cancel──▶ cancelled (final; also from acknowledged and rerouting)

``feedback`` is allowed from ``issued`` too: a handler acknowledges and feeds back in
one step. ``reroute`` is also how the centre corrects the unit of a notice that has had
no feedback yet (from ``issued`` or ``acknowledged``). A ``wrong_unit`` feedback is a
feedback for the target (the unit answered), and the notice's deadline for the target
does not restart when it is routed again.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

Label = tuple[str, str, str]  # (code, 简体中文, English)

KINDS: Final[tuple[Label, ...]] = (
    ("pickup", "揽收", "Pickup"),
    ("redelivery", "再投", "Re-delivery"),
    ("appointment", "预约投递", "Delivery appointment"),
    ("address_change", "改址", "Change of address"),
    ("hold", "留局待取", "Hold at the office"),
    ("intercept", "撤回/拦截", "Intercept"),
    ("other", "其他", "Other"),
)
#: Every kind but these names an item: its waybill number is required.
WAYBILL_OPTIONAL: Final = frozenset({"pickup", "other"})
DELIVERY_KINDS: Final = frozenset(k for k, _zh, _en in KINDS) - {"pickup", "other"}

STATUSES: Final[tuple[Label, ...]] = (
    ("issued", "已下发", "Issued"),
    ("acknowledged", "已确认", "Acknowledged"),
    ("fed_back", "已反馈", "Fed back"),
    ("rerouting", "待重新分派", "To be routed again"),
    ("cancelled", "已撤销", "Cancelled"),
)
OPEN: Final = frozenset({"issued", "acknowledged", "rerouting"})
FINAL: Final = frozenset({"fed_back", "cancelled"})

ACTIONS: Final[tuple[Label, ...]] = (
    ("acknowledge", "确认收到", "Acknowledge"),
    ("feedback", "反馈", "Feed back"),
    ("reroute", "重新分派", "Route to another unit"),
    ("cancel", "撤销", "Cancel"),
)
RESULTS: Final[tuple[Label, ...]] = (
    ("done", "已办妥", "Done"),
    ("failed", "未办成", "Failed"),
    ("wrong_unit", "非本单位", "Not our unit"),
)
REASONS: Final[tuple[Label, ...]] = (
    ("customer_absent", "客户不在", "Customer absent"),
    ("address_wrong", "地址错误", "Address wrong"),
    ("refused", "客户拒绝", "Refused"),
    ("no_item", "无此邮件", "No such item"),
    ("other", "其他", "Other"),
)

ROLES: Final = frozenset({"agent", "lead", "director", "handler", "admin"})
CENTRE: Final = frozenset({"agent", "lead", "director"})


@dataclass(frozen=True)
class Row:
    from_status: str
    action: str
    roles: frozenset[str]


_TABLE: Final[tuple[Row, ...]] = (
    Row("issued", "acknowledge", CENTRE | {"handler"}),
    Row("issued", "feedback", CENTRE | {"handler"}),
    Row("acknowledged", "feedback", CENTRE | {"handler"}),
    Row("issued", "reroute", CENTRE),
    Row("acknowledged", "reroute", CENTRE),
    Row("rerouting", "reroute", CENTRE),
    Row("issued", "cancel", CENTRE),
    Row("acknowledged", "cancel", CENTRE),
    Row("rerouting", "cancel", CENTRE),
)
_BY_KEY: Final[Mapping[tuple[str, str], Row]] = {(r.from_status, r.action): r for r in _TABLE}
_TARGET: Final[Mapping[str, str]] = {
    "acknowledge": "acknowledged",
    "reroute": "issued",
    "cancel": "cancelled",
}
_FEEDBACK_TARGET: Final[Mapping[str, str]] = {
    "done": "fed_back",
    "failed": "fed_back",
    "wrong_unit": "rerouting",
}

_CODES: Final = {
    "kind": frozenset(k for k, _zh, _en in KINDS),
    "status": frozenset(s for s, _zh, _en in STATUSES),
    "action": frozenset(a for a, _zh, _en in ACTIONS),
    "result": frozenset(r for r, _zh, _en in RESULTS),
    "reason": frozenset(r for r, _zh, _en in REASONS),
}


class TransitionRefused(Exception):
    def __init__(self, code: str, fields: Mapping[str, str] | None = None) -> None:
        super().__init__(code)
        self.code = code  # "invalid_transition" | "permission" | "invalid_payload"
        self.fields = dict(fields or {})


def is_code(vocabulary: str, value: object) -> bool:
    return isinstance(value, str) and value in _CODES[vocabulary]


def needs_waybill(kind: str) -> bool:
    return kind not in WAYBILL_OPTIONAL


def payload_errors(action: str, payload: Mapping[str, object]) -> dict[str, str]:
    """Field -> problem ("required" | "choice") for an action's payload."""
    problems: dict[str, str] = {}

    def text(name: str) -> str:
        value = payload.get(name)
        return value.strip() if isinstance(value, str) else ""

    if action == "feedback":
        result = text("result")
        if not result:
            problems["result"] = "required"
        elif not is_code("result", result):
            problems["result"] = "choice"
        if result == "failed":
            reason = text("reason")
            if not reason:
                problems["reason"] = "required"
            elif not is_code("reason", reason):
                problems["reason"] = "choice"
        elif text("reason") and not is_code("reason", text("reason")):
            problems["reason"] = "choice"
    elif action == "cancel" and not text("reason"):
        problems["reason"] = "required"
    elif action == "reroute" and not text("unit"):
        problems["unit"] = "required"
    return problems


def next_status(status: str, action: str, *, role: str | None, result: str | None = None) -> str:
    """The status after `action` by `role`; TransitionRefused("invalid_transition") when
    the table has no such row, ("permission") when the role may not, ("invalid_payload")
    for a feedback without a known result. `role=None`: who may act was decided by the
    rules of the linked work order (its transition drives the notice's)."""
    if status not in _CODES["status"] or action not in _CODES["action"]:
        raise TransitionRefused("invalid_transition")
    row = _BY_KEY.get((status, action))
    if row is None:
        raise TransitionRefused("invalid_transition")
    if role is not None and role not in row.roles:
        raise TransitionRefused("permission")
    if action == "feedback":
        if result is None or result not in _FEEDBACK_TARGET:
            raise TransitionRefused("invalid_payload", {"result": "choice"})
        return _FEEDBACK_TARGET[result]
    return _TARGET[action]


def allowed_actions(status: str, role: str) -> list[str]:
    """The actions `role` may take in `status`, in the table's order of ACTIONS."""
    return [
        code
        for code, _zh, _en in ACTIONS
        if (row := _BY_KEY.get((status, code))) is not None and role in row.roles
    ]


def label(vocabulary: tuple[Label, ...], code: str, lang: str = "zh") -> str:
    for value, zh, en in vocabulary:
        if value == code:
            return zh if lang == "zh" else en
    return code


#: Which customer SMS a notice sends, and when: (kind, moment) -> template. Moments:
#: "issued", "acknowledged", "done", "failed".
CUSTOMER_SMS: Final[Mapping[tuple[str, str], str]] = {
    ("pickup", "acknowledged"): "pickup_confirmed",
    ("pickup", "failed"): "pickup_failed",
    ("redelivery", "issued"): "redelivery_scheduled",
    ("appointment", "issued"): "appointment_confirm",
    ("redelivery", "done"): "notice_done",
    ("address_change", "done"): "notice_done",
    ("hold", "done"): "notice_done",
    ("intercept", "done"): "notice_done",
}
