"""The work-order state machine declared as data (pure: no Django, no database): the
vocabulary (types, statuses, actions, roles… as plain ``(code, zh, en)`` tuples), who
may act, the required payload fields and the transition rows per type. `flows` compiles
and answers from them (how to read them: its docstring) and is what the rest of the
project imports."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final, Literal

Label = tuple[str, str, str]  # (code, 简体中文, English)
Lang = Literal["zh", "en"]

# --------------------------------------------------------------------------- vocabulary

WORK_ORDER_TYPES: Final[tuple[Label, ...]] = (
    ("query", "查询", "Query"),
    ("consultation", "咨询", "Consultation"),
    ("complaint", "投诉", "Complaint"),
    ("suggestion", "建议", "Suggestion"),
    ("tracing", "查单", "Tracing inquiry"),
    ("pickup", "揽收", "Pickup request"),
    ("booking", "订票/预订", "Booking"),
)

COMPLAINT_SUBTYPES: Final[tuple[Label, ...]] = (
    ("delay", "延误", "Delay"),
    ("loss", "丢失", "Loss"),
    ("damage_shortage", "破损短少", "Damage or shortage"),
    ("attitude", "服务态度", "Service attitude"),
    ("other", "其他", "Other"),
)

STATUSES: Final[tuple[Label, ...]] = (
    ("new", "新建", "New"),
    ("pending_callback", "待回电", "Awaiting callback"),
    ("dispatched", "已派单", "Dispatched"),
    ("returned", "已退回", "Returned to the centre"),
    ("processing", "处理中", "Processing"),
    ("fed_back", "已反馈", "Fed back"),
    ("replied", "已回复", "Replied to customer"),
    ("fulfilled", "已办妥", "Fulfilled"),
    ("failed", "未办成", "Failed"),
    ("closed", "已办结", "Closed"),
    ("cancelled", "已撤销", "Cancelled"),
)

ACTIONS: Final[tuple[Label, ...]] = (
    ("answer", "答复办结", "Answer and close"),
    ("schedule_callback", "转回电", "Call back later"),
    ("convert_to_tracing", "转查单", "Turn into a tracing inquiry"),
    ("dispatch", "派单", "Dispatch"),
    ("accept", "接单", "Accept"),
    ("transfer", "转派", "Transfer"),
    ("return", "退回", "Return to the centre"),
    ("feedback", "反馈", "Feed back"),
    ("fulfil", "登记办理结果", "Record the result"),
    ("reply", "回复客户", "Reply to customer"),
    ("follow_up", "回访", "Follow-up call"),
    ("close", "办结", "Close"),
    ("reopen", "重新处理", "Reopen"),
    ("cancel", "撤销", "Cancel"),
    ("escalate", "升级", "Escalate"),
    ("set_ruling", "判责", "Rule on responsibility"),
    ("appeal", "判责申诉", "Appeal the ruling"),
    ("decide_appeal", "申诉裁定", "Decide the appeal"),
)

#: The actions the REST API contract names (all are declared above).
API_ACTIONS: Final = frozenset(
    {
        "dispatch",
        "accept",
        "feedback",
        "reply",
        "follow_up",
        "close",
        "reopen",
        "transfer",
        "return",
        "escalate",
    }
)

#: Actions that never change the status (they change a level, a ruling or an appeal).
STATUS_PRESERVING_ACTIONS: Final = frozenset({"escalate", "set_ruling", "appeal", "decide_appeal"})

ROLES: Final[tuple[Label, ...]] = (
    ("agent", "话务员", "Agent"),
    ("lead", "班长", "Team lead"),
    ("director", "主任", "Director"),
    ("handler", "承办人", "Unit handler"),
    ("admin", "管理员", "Administrator"),
)

RULINGS: Final[tuple[Label, ...]] = (
    ("responsible", "有责", "Responsible"),
    ("not_responsible", "无责", "Not responsible"),
    ("partly", "部分有责", "Partly responsible"),
)
SATISFACTION: Final[tuple[Label, ...]] = (
    ("satisfied", "满意", "Satisfied"),
    ("basically_satisfied", "基本满意", "Basically satisfied"),
    ("dissatisfied", "不满意", "Dissatisfied"),
)
PICKUP_RESULTS: Final[tuple[Label, ...]] = (
    ("picked_up", "已揽收", "Picked up"),
    ("failed", "揽收失败", "Failed"),
)
BOOKING_RESULTS: Final[tuple[Label, ...]] = (
    ("fulfilled", "已办妥", "Fulfilled"),
    ("failed", "未办成", "Failed"),
)
APPEAL_DECISIONS: Final[tuple[Label, ...]] = (
    ("upheld", "维持原判", "Ruling upheld"),
    ("overturned", "改判", "Ruling overturned"),
)
RULING_STATES: Final[tuple[Label, ...]] = (
    ("none", "未判责", "No ruling yet"),
    ("proposed", "单位自判", "Proposed by the unit"),
    ("ruled", "已判责", "Ruled by the centre"),
    ("appealed", "申诉中", "Under appeal"),
    ("final", "已裁定", "Final"),
)

#: Per-type wording of an action where the generic word would confuse.
_ACTION_LABEL_OVERRIDES: Final[Mapping[tuple[str, str], tuple[str, str]]] = {
    ("pickup", "accept"): ("确认揽收任务", "Confirm the pickup"),
    ("pickup", "feedback"): ("揽收反馈", "Report the pickup result"),
    ("booking", "accept"): ("开始办理", "Start"),
    ("tracing", "feedback"): ("查单反馈", "Report the tracing result"),
}

_TERMINAL: Final = frozenset({"closed", "cancelled"})
_STATUS_CODES: Final = tuple(s[0] for s in STATUSES)
_ACTION_CODES: Final = tuple(a[0] for a in ACTIONS)
_TYPE_CODES: Final = tuple(t[0] for t in WORK_ORDER_TYPES)
_ROLE_CODES: Final = tuple(r[0] for r in ROLES)


# --------------------------------------------------------------------------- declarations


@dataclass(frozen=True, slots=True)
class Permission:
    roles: frozenset[str]
    owner_only: frozenset[str] = frozenset()  # these roles must be the order's owner
    unit_only: frozenset[str] = frozenset()  # these roles must belong to the handling unit

    def allows(self, role: str, *, is_handling_unit_member: bool, is_owner: bool) -> bool:
        if role not in self.roles:
            return False
        if role in self.owner_only and not is_owner:
            return False
        return not (role in self.unit_only and not is_handling_unit_member)


def _perm(*roles: str, own: Iterable[str] = ("agent",)) -> Permission:
    rs = frozenset(roles)
    return Permission(rs, frozenset(own) & rs, frozenset({"handler"}) & rs)


_CENTRE = ("agent", "lead", "director")
_UNIT = _perm("handler")

_PERMISSIONS: Final[Mapping[str, Permission]] = {
    "answer": _perm("agent", "lead", own=()),
    "schedule_callback": _perm("agent", "lead"),
    "convert_to_tracing": _perm("agent", "lead", own=()),
    "dispatch": _perm(*_CENTRE),
    "accept": _UNIT,
    "transfer": _UNIT,
    "return": _UNIT,
    "feedback": _UNIT,
    "fulfil": _perm("agent", "lead", own=()),
    "reply": _perm(*_CENTRE),
    "follow_up": _perm(*_CENTRE, own=()),
    "close": _perm(*_CENTRE),
    "reopen": _perm(*_CENTRE),
    "cancel": _perm(*_CENTRE),
    "escalate": _perm("agent", "lead"),
    "set_ruling": _perm("lead", "director"),
    "appeal": _UNIT,
    "decide_appeal": _perm("lead", "director"),
}
_PERMISSION_OVERRIDES: Final[Mapping[tuple[str, str], Permission]] = {
    ("booking", "accept"): _perm("agent", "lead", own=()),  # the booking desk's shared queue
}

_REQUIRED: Final[Mapping[str, tuple[str, ...]]] = {
    "answer": ("text",),
    "convert_to_tracing": ("waybill",),
    "dispatch": ("unit",),
    "transfer": ("unit",),
    "return": ("reason",),
    "feedback": ("text",),
    "fulfil": ("result",),
    "reply": ("text",),
    "follow_up": ("satisfaction",),
    "reopen": ("reason",),
    "cancel": ("reason",),
    "escalate": ("reason",),
    "set_ruling": ("ruling",),
    "appeal": ("reason",),
    "decide_appeal": ("decision",),
}
_REQUIRED_OVERRIDES: Final[Mapping[tuple[str, str], tuple[str, ...]]] = {
    ("complaint", "feedback"): ("text", "ruling"),
    ("pickup", "feedback"): ("result",),
}
#: (type or "*", action) -> (hint field, hint value, extra required fields)
_CONDITIONAL_REQUIRED: Final[Mapping[tuple[str, str], tuple[str, str, tuple[str, ...]]]] = {
    ("pickup", "feedback"): ("result", "failed", ("reason",)),
    ("*", "fulfil"): ("result", "failed", ("reason",)),
    ("*", "follow_up"): ("satisfaction", "dissatisfied", ("text",)),
    ("*", "decide_appeal"): ("decision", "overturned", ("ruling",)),
}
#: (type or "*", action, field) -> allowed values
_CHOICES: Final[Mapping[tuple[str, str, str], tuple[Label, ...]]] = {
    ("complaint", "feedback", "ruling"): RULINGS,
    ("pickup", "feedback", "result"): PICKUP_RESULTS,
    ("*", "fulfil", "result"): BOOKING_RESULTS,
    ("*", "follow_up", "satisfaction"): SATISFACTION,
    ("*", "set_ruling", "ruling"): RULINGS,
    ("*", "decide_appeal", "decision"): APPEAL_DECISIONS,
    ("*", "decide_appeal", "ruling"): RULINGS,
}
#: Actions whose target status depends on one payload value.
_HINT_FIELDS: Final[Mapping[str, str]] = {"follow_up": "satisfaction", "fulfil": "result"}

_FOLLOW_UP: Final = {
    "satisfied": "closed",
    "basically_satisfied": "closed",
    "dissatisfied": "processing",
}
_FULFIL: Final = {"fulfilled": "fulfilled", "failed": "failed"}

_Target = str | Mapping[str, str]
_Row = tuple[str, str, _Target]

_DISPATCH_LOOP: Final[tuple[_Row, ...]] = (
    ("new", "dispatch", "dispatched"),
    ("returned", "dispatch", "dispatched"),
    ("dispatched", "dispatch", "dispatched"),  # the centre re-dispatches before acceptance
    ("dispatched", "accept", "processing"),
    ("dispatched", "transfer", "dispatched"),
    ("processing", "transfer", "dispatched"),  # the new unit must accept again
    ("dispatched", "return", "returned"),
    ("processing", "return", "returned"),
    ("processing", "feedback", "fed_back"),
    ("new", "cancel", "cancelled"),
    ("returned", "cancel", "cancelled"),
    ("dispatched", "cancel", "cancelled"),
    ("processing", "cancel", "cancelled"),
)
_QUERY: Final[tuple[_Row, ...]] = (
    ("new", "answer", "closed"),
    ("new", "schedule_callback", "pending_callback"),
    ("new", "convert_to_tracing", "closed"),
    ("new", "cancel", "cancelled"),
    ("pending_callback", "answer", "closed"),
    ("pending_callback", "convert_to_tracing", "closed"),
    ("pending_callback", "cancel", "cancelled"),
)
_COMPLAINT: Final[tuple[_Row, ...]] = (
    *_DISPATCH_LOOP,
    ("fed_back", "reply", "replied"),
    ("fed_back", "reopen", "processing"),  # the centre finds the feedback insufficient
    ("replied", "follow_up", _FOLLOW_UP),
    ("replied", "close", "closed"),  # e.g. the customer cannot be reached for follow-up
    ("replied", "reopen", "processing"),
    ("closed", "reopen", "processing"),
)
_TRACING: Final[tuple[_Row, ...]] = (
    *_DISPATCH_LOOP,
    ("fed_back", "reply", "replied"),
    ("fed_back", "reopen", "processing"),
    ("replied", "close", "closed"),
    ("replied", "reopen", "processing"),
    ("closed", "reopen", "processing"),
)
_PICKUP: Final[tuple[_Row, ...]] = (
    *_DISPATCH_LOOP,
    ("fed_back", "close", "closed"),
)
_BOOKING: Final[tuple[_Row, ...]] = (
    ("new", "accept", "processing"),
    ("processing", "fulfil", _FULFIL),
    ("fulfilled", "close", "closed"),
    ("failed", "close", "closed"),
    ("new", "cancel", "cancelled"),
    ("processing", "cancel", "cancelled"),
)

_UNIT_OPEN = frozenset({"new", "returned", "dispatched", "processing"})
_RULING_STATUSES = frozenset({"fed_back", "replied", "closed"})
_PRESERVING: Final[Mapping[str, Mapping[str, frozenset[str]]]] = {
    "query": {"escalate": frozenset({"new", "pending_callback"})},
    "consultation": {"escalate": frozenset({"new", "pending_callback"})},
    "complaint": {
        "escalate": _UNIT_OPEN | {"fed_back", "replied"},
        "set_ruling": _RULING_STATUSES,
        "appeal": _RULING_STATUSES,
        "decide_appeal": _RULING_STATUSES,
    },
    "suggestion": {"escalate": _UNIT_OPEN | {"fed_back", "replied"}},
    "tracing": {"escalate": _UNIT_OPEN | {"fed_back", "replied"}},
    "pickup": {"escalate": _UNIT_OPEN | {"fed_back"}},
    "booking": {"escalate": frozenset({"new", "processing"})},
}
_ROWS: Final[Mapping[str, tuple[_Row, ...]]] = {
    "query": _QUERY,
    "consultation": _QUERY,
    "complaint": _COMPLAINT,
    "suggestion": _COMPLAINT,
    "tracing": _TRACING,
    "pickup": _PICKUP,
    "booking": _BOOKING,
}

_RULING_FLOW: Final[Mapping[tuple[str, str], str]] = {
    ("none", "feedback"): "proposed",
    ("proposed", "feedback"): "proposed",
    ("ruled", "feedback"): "proposed",  # reopened and fed back again: a new proposal
    ("proposed", "set_ruling"): "ruled",
    ("ruled", "set_ruling"): "ruled",
    ("ruled", "appeal"): "appealed",
    ("appealed", "decide_appeal"): "final",
}
