"""The work-order state machine, declared once, as data (pure: no Django, no database).

Everything that shows, offers or performs a transition reads this module: the one service
that writes ``WorkOrder.status``, the API's "allowed actions", the templates' buttons and
the admin (:func:`flow_table`). Labels are plain ``(code, zh, en)`` tuples so the module
imports without Django settings; views translate by picking the column.

How to read the table
---------------------
* Per work-order type, ``(from_status, action) -> to_status``. Some actions choose their
  target from one payload value (the *hint*): ``follow_up`` by ``satisfaction``
  (satisfied / basically satisfied -> closed, dissatisfied -> processing, i.e. reopened
  with the unit) and ``fulfil`` by ``result`` (fulfilled / failed).
* *Status-preserving* actions (:data:`STATUS_PRESERVING_ACTIONS`: ``escalate``,
  ``set_ruling``, ``appeal``, ``decide_appeal``) are declared per type with the statuses
  in which they are allowed; :func:`next_status` returns the current status for them. The
  service still audits them like any transition (from == to).
* Permissions are per (type, action): the roles that may act, the roles that must be the
  order's first-contact owner 首问负责 (agents act on their own orders, except answering a
  callback, converting a query, a follow-up call, which should be made by someone other
  than the owner, and booking work, which the booking desk shares), and the roles that must
  belong to the handling unit (handlers act only on their unit's orders). ``admin`` runs
  the system and performs no work-order action. A user holding several roles may do the
  union (:func:`allowed_actions_for_roles`).
* ``terminal`` statuses (closed, cancelled) are the finished ones: no clock runs and they
  are out of the open queues. ``cancelled`` is final; a ``closed`` complaint, suggestion or
  tracing inquiry can still be reopened (with a reason) and its ruling can still be appealed.

Responsibility ruling 判责 (complaints only): the unit's feedback carries its proposed
ruling; the centre confirms or changes it with ``set_ruling``; the unit may ``appeal`` the
centre's ruling once; a lead or director decides (upheld / overturned, with the new
ruling), and the decision is final. That small side machine is :func:`ruling_next`, state
values :data:`RULING_STATES`; pass ``ruling_state`` to :func:`allowed_actions` to filter.

A 12305 regulator appeal is a complaint (same flow) with its reference and its own due date;
a query converted to a tracing inquiry closes, and the service opens the linked tracing order.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Final, Literal

__all__ = [
    "ACTIONS",
    "API_ACTIONS",
    "DEADLINE_FIELDS",
    "ROLES",
    "RULING_STATES",
    "RUNNING_DEADLINES",
    "STATUSES",
    "STATUS_PRESERVING_ACTIONS",
    "WORK_ORDER_TYPES",
    "Permission",
    "Transition",
    "TransitionRefused",
    "action_label",
    "allowed_actions",
    "allowed_actions_for_roles",
    "can_perform",
    "choices_for",
    "find_transition",
    "flow_table",
    "hint_field",
    "next_status",
    "open_statuses",
    "payload_errors",
    "required_fields",
    "ruling_next",
    "running_deadline",
    "status_label",
    "statuses_for",
    "terminal_statuses",
    "transitions",
]

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


# --------------------------------------------------------------------------- errors


class TransitionRefused(Exception):
    """An action that the table does not allow now (maps to HTTP 409 ``invalid_transition``).

    ``code`` is ``"invalid_transition"`` for a disallowed (status, action) pair and
    ``"invalid_payload"`` when the action's target depends on a payload value (see
    :func:`hint_field`) that is missing or not one of its choices (maps to HTTP 400);
    ``fields`` then names the field.
    """

    def __init__(
        self,
        message: str,
        *,
        code: str = "invalid_transition",
        work_order_type: str = "",
        status: str = "",
        action: str = "",
        fields: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.work_order_type = work_order_type
        self.status = status
        self.action = action
        self.fields = dict(fields or {})


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


# --------------------------------------------------------------------------- compiled table


@dataclass(frozen=True, slots=True)
class Transition:
    """One row of the table. ``targets`` is non-empty when the target depends on a hint."""

    work_order_type: str
    from_status: str
    action: str
    to_status: str | None
    targets: tuple[tuple[str, str], ...]
    hint_field: str | None
    preserves_status: bool
    permission: Permission

    @property
    def possible_targets(self) -> tuple[str, ...]:
        if self.to_status is not None:
            return (self.to_status,)
        return tuple(dict.fromkeys(status for _, status in self.targets))


def _compile() -> dict[str, dict[tuple[str, str], Transition]]:
    table: dict[str, dict[tuple[str, str], Transition]] = {}
    for wo_type in _TYPE_CODES:
        rows: dict[tuple[str, str], Transition] = {}
        entries: list[tuple[str, str, _Target, bool]] = [(*row, False) for row in _ROWS[wo_type]]
        for action, statuses in _PRESERVING[wo_type].items():
            entries += [(s, action, s, True) for s in _STATUS_CODES if s in statuses]
        for from_status, action, target, preserving in entries:
            if from_status not in _STATUS_CODES or action not in _ACTION_CODES:
                raise RuntimeError(
                    f"undeclared status or action in {wo_type}: {from_status}/{action}"
                )
            if (from_status, action) in rows:
                raise RuntimeError(f"duplicate row {wo_type}: {from_status} --{action}-->")
            if preserving != (action in STATUS_PRESERVING_ACTIONS):
                raise RuntimeError(f"{action} must be declared as status-preserving or not")
            hint = _HINT_FIELDS.get(action) if isinstance(target, Mapping) else None
            if isinstance(target, Mapping) and hint is None:
                raise RuntimeError(f"{action} has conditional targets but no hint field")
            rows[(from_status, action)] = Transition(
                work_order_type=wo_type,
                from_status=from_status,
                action=action,
                to_status=target if isinstance(target, str) else None,
                targets=tuple(target.items()) if isinstance(target, Mapping) else (),
                hint_field=hint,
                preserves_status=preserving,
                permission=_PERMISSION_OVERRIDES.get((wo_type, action), _PERMISSIONS[action]),
            )
        table[wo_type] = dict(
            sorted(
                rows.items(),
                key=lambda kv: (_STATUS_CODES.index(kv[0][0]), _ACTION_CODES.index(kv[0][1])),
            )
        )
    return table


_TABLE: Final = _compile()


def _rows(work_order_type: str) -> dict[tuple[str, str], Transition]:
    try:
        return _TABLE[work_order_type]
    except KeyError:
        raise ValueError(f"unknown work-order type {work_order_type!r}") from None


def _check_role(role: str) -> None:
    if role not in _ROLE_CODES:
        raise ValueError(f"unknown role {role!r}; roles are {_ROLE_CODES}")


# --------------------------------------------------------------------------- queries


def transitions(work_order_type: str) -> tuple[Transition, ...]:
    """All rows of one type, ordered by status then action declaration order."""
    return tuple(_rows(work_order_type).values())


def find_transition(work_order_type: str, status: str, action: str) -> Transition | None:
    return _rows(work_order_type).get((status, action))


def statuses_for(work_order_type: str) -> tuple[str, ...]:
    """The statuses an order of this type can be in, in declaration order."""
    used = {"new"}
    for row in _rows(work_order_type).values():
        used.add(row.from_status)
        used.update(row.possible_targets)
    return tuple(s for s in _STATUS_CODES if s in used)


def terminal_statuses(work_order_type: str | None = None) -> frozenset[str]:
    """Finished statuses (no clock, not in open queues): closed and cancelled."""
    if work_order_type is None:
        return _TERMINAL
    return _TERMINAL & frozenset(statuses_for(work_order_type))


def open_statuses(work_order_type: str | None = None) -> frozenset[str]:
    """Statuses of an unfinished order (of one type, or of any type)."""
    types = _TYPE_CODES if work_order_type is None else (work_order_type,)
    return frozenset(s for t in types for s in statuses_for(t)) - _TERMINAL


def hint_field(work_order_type: str, action: str) -> str | None:
    """The payload field whose value picks the target (``follow_up`` -> ``satisfaction``)."""
    for row in _rows(work_order_type).values():
        if row.action == action and row.hint_field:
            return row.hint_field
    return None


def next_status(
    work_order_type: str, status: str, action: str, *, payload_hint: str | None = None
) -> str:
    """The status after ``action``; raises :class:`TransitionRefused` if not allowed now.

    ``payload_hint`` is the value of :func:`hint_field` (e.g. the satisfaction of a
    follow-up); it is required for those actions and ignored for the others. Unknown
    statuses and actions are refused like disallowed ones; an unknown type is a ValueError.
    """
    row = _rows(work_order_type).get((status, action))
    if row is None:
        raise TransitionRefused(
            f"{action!r} is not allowed on a {work_order_type} work order in status {status!r}",
            work_order_type=work_order_type,
            status=status,
            action=action,
        )
    if row.to_status is not None:
        return row.to_status
    field = row.hint_field or "hint"
    targets = dict(row.targets)
    if payload_hint not in targets:
        problem = "required" if payload_hint is None else "invalid_choice"
        raise TransitionRefused(
            f"{action!r} needs {field} to be one of {sorted(targets)}",
            code="invalid_payload",
            work_order_type=work_order_type,
            status=status,
            action=action,
            fields={field: problem},
        )
    return targets[payload_hint]


def can_perform(
    work_order_type: str,
    status: str,
    action: str,
    role: str,
    *,
    is_handling_unit_member: bool,
    is_owner: bool,
    ruling_state: str | None = None,
) -> bool:
    """Whether ``role`` may perform ``action`` now (the table allows it and the role may)."""
    return action in allowed_actions(
        work_order_type,
        status,
        role,
        is_handling_unit_member=is_handling_unit_member,
        is_owner=is_owner,
        ruling_state=ruling_state,
    )


def allowed_actions(
    work_order_type: str,
    status: str,
    role: str,
    *,
    is_handling_unit_member: bool,
    is_owner: bool,
    ruling_state: str | None = None,
) -> list[str]:
    """The actions ``role`` may perform now, in declaration order (for buttons and the API).

    ``ruling_state`` (complaints) additionally filters the ruling/appeal actions through
    :func:`ruling_next`; without it they are offered whenever the status allows them.
    """
    _check_role(role)
    result: list[str] = []
    for (from_status, action), row in _rows(work_order_type).items():
        if from_status != status:
            continue
        if not row.permission.allows(
            role, is_handling_unit_member=is_handling_unit_member, is_owner=is_owner
        ):
            continue
        if (
            ruling_state is not None
            and action in {"set_ruling", "appeal", "decide_appeal"}
            and (ruling_state, action) not in _RULING_FLOW
        ):
            continue
        result.append(action)
    return result


def allowed_actions_for_roles(
    work_order_type: str,
    status: str,
    roles: Iterable[str],
    *,
    is_handling_unit_member: bool,
    is_owner: bool,
    ruling_state: str | None = None,
) -> list[str]:
    """The union of :func:`allowed_actions` over a user's roles, in declaration order."""
    allowed: set[str] = set()
    for role in roles:
        allowed.update(
            allowed_actions(
                work_order_type,
                status,
                role,
                is_handling_unit_member=is_handling_unit_member,
                is_owner=is_owner,
                ruling_state=ruling_state,
            )
        )
    return [a for a in _ACTION_CODES if a in allowed]


def ruling_next(state: str, action: str) -> str:
    """The responsibility-ruling side machine (complaints): new state after ``action``.

    ``feedback`` in ``appealed``/``final`` leaves the state alone (a reopened order's new
    feedback does not reopen a ruling under or after appeal); other actions not in the
    table raise :class:`TransitionRefused`.
    """
    if action == "feedback" and state in {"appealed", "final"}:
        return state
    try:
        return _RULING_FLOW[(state, action)]
    except KeyError:
        raise TransitionRefused(
            f"{action!r} is not allowed while the ruling is {state!r}", status=state, action=action
        ) from None


# --------------------------------------------------------------------------- clocks

#: The stage deadlines an order carries (its fields), set at intake and by the actions.
DEADLINE_FIELDS: Final = ("dispatch_due_at", "accept_due_at", "feedback_due_at", "reply_due_at")

#: The stage deadlines that run in each status: the order's running deadline is the
#: soonest of them that is set (the reply's only until the customer was replied to).
#: Every status not listed runs no clock: replied (awaiting the follow-up call),
#: fulfilled, failed, and the terminal ones.
RUNNING_DEADLINES: Final[Mapping[str, tuple[str, ...]]] = {
    "new": ("dispatch_due_at", "reply_due_at"),
    "returned": ("dispatch_due_at", "reply_due_at"),
    "pending_callback": ("dispatch_due_at", "reply_due_at"),
    "dispatched": ("accept_due_at", "feedback_due_at", "reply_due_at"),
    "processing": ("feedback_due_at", "reply_due_at"),
    "fed_back": ("reply_due_at",),
}


def running_deadline(
    status: str, deadlines: Mapping[str, datetime | None], *, replied: bool
) -> datetime | None:
    """The deadline that runs in ``status``: the soonest of :data:`RUNNING_DEADLINES`
    ``[status]`` among ``deadlines`` (field -> value), leaving the reply's out once
    ``replied``; None when no clock runs."""
    if status not in _STATUS_CODES:
        raise ValueError(f"unknown status {status!r}")
    running = [
        deadlines.get(name)
        for name in RUNNING_DEADLINES.get(status, ())
        if not (replied and name == "reply_due_at")
    ]
    present = [due for due in running if due is not None]
    return min(present) if present else None


# --------------------------------------------------------------------------- payloads


def required_fields(
    work_order_type: str, action: str, payload_hint: str | None = None
) -> tuple[str, ...]:
    """Payload fields ``action`` needs; ``payload_hint`` is the value of its deciding field
    (pickup feedback ``result``, booking ``result``, ``satisfaction``, appeal ``decision``)."""
    _rows(work_order_type)
    fields = _REQUIRED_OVERRIDES.get((work_order_type, action), _REQUIRED.get(action, ()))
    cond = _CONDITIONAL_REQUIRED.get((work_order_type, action)) or _CONDITIONAL_REQUIRED.get(
        ("*", action)
    )
    if cond is not None and payload_hint == cond[1]:
        fields = fields + tuple(f for f in cond[2] if f not in fields)
    return fields


def choices_for(work_order_type: str, action: str, field: str) -> tuple[Label, ...]:
    """The allowed values of an enumerated payload field (empty tuple: free text)."""
    return _CHOICES.get((work_order_type, action, field)) or _CHOICES.get(("*", action, field), ())


def _deciding_field(work_order_type: str, action: str) -> str | None:
    cond = _CONDITIONAL_REQUIRED.get((work_order_type, action)) or _CONDITIONAL_REQUIRED.get(
        ("*", action)
    )
    return cond[0] if cond else None


def payload_errors(
    work_order_type: str, action: str, payload: Mapping[str, object]
) -> dict[str, str]:
    """Field problems of an action's payload: ``{"field": "required" | "invalid_choice"}``.

    Checks presence (non-blank) of :func:`required_fields` and the choices of enumerated
    fields that are present. An empty dict means the payload is acceptable.
    """
    deciding = _deciding_field(work_order_type, action)
    hint = payload.get(deciding) if deciding else None
    errors: dict[str, str] = {}
    for name in required_fields(work_order_type, action, hint if isinstance(hint, str) else None):
        value = payload.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            errors[name] = "required"
    for name, value in payload.items():
        options = choices_for(work_order_type, action, name)
        if options and name not in errors and value not in {c[0] for c in options}:
            errors[name] = "invalid_choice"
    return errors


# --------------------------------------------------------------------------- labels & table


def _label(table: tuple[Label, ...], code: str, lang: Lang) -> str:
    for c, zh, en in table:
        if c == code:
            return zh if lang == "zh" else en
    raise ValueError(f"unknown code {code!r}")


def status_label(code: str, lang: Lang = "zh") -> str:
    return _label(STATUSES, code, lang)


def action_label(code: str, lang: Lang = "zh", work_order_type: str | None = None) -> str:
    override = _ACTION_LABEL_OVERRIDES.get((work_order_type or "", code))
    if override is not None:
        return override[0] if lang == "zh" else override[1]
    return _label(ACTIONS, code, lang)


def _labels(table: tuple[Label, ...]) -> list[dict[str, str]]:
    return [{"code": c, "zh": zh, "en": en} for c, zh, en in table]


def flow_table() -> dict[str, object]:
    """The whole declaration as JSON-ready data (templates, the API and the admin read it)."""
    types: list[dict[str, object]] = []
    for code, zh, en in WORK_ORDER_TYPES:
        rows = []
        for row in transitions(code):
            rows.append(
                {
                    "from": row.from_status,
                    "action": row.action,
                    "to": row.to_status,
                    "targets": dict(row.targets) or None,
                    "hint_field": row.hint_field,
                    "preserves_status": row.preserves_status,
                    "roles": [r for r in _ROLE_CODES if r in row.permission.roles],
                    "owner_only": sorted(row.permission.owner_only),
                    "unit_only": sorted(row.permission.unit_only),
                    "required_fields": list(required_fields(code, row.action)),
                    "label_zh": action_label(row.action, "zh", code),
                    "label_en": action_label(row.action, "en", code),
                }
            )
        types.append(
            {
                "code": code,
                "zh": zh,
                "en": en,
                "statuses": list(statuses_for(code)),
                "open_statuses": [s for s in statuses_for(code) if s in open_statuses(code)],
                "terminal_statuses": [s for s in statuses_for(code) if s in _TERMINAL],
                "transitions": rows,
            }
        )
    return {
        "roles": _labels(ROLES),
        "statuses": [
            {"code": c, "zh": zh, "en": en, "terminal": c in _TERMINAL} for c, zh, en in STATUSES
        ],
        "actions": [
            {"code": c, "zh": zh, "en": en, "preserves_status": c in STATUS_PRESERVING_ACTIONS}
            for c, zh, en in ACTIONS
        ],
        "types": types,
        "choices": {
            "complaint_subtype": _labels(COMPLAINT_SUBTYPES),
            "ruling": _labels(RULINGS),
            "satisfaction": _labels(SATISFACTION),
            "pickup_result": _labels(PICKUP_RESULTS),
            "booking_result": _labels(BOOKING_RESULTS),
            "appeal_decision": _labels(APPEAL_DECISIONS),
        },
        "ruling_states": _labels(RULING_STATES),
        "ruling_flow": [{"from": s, "action": a, "to": t} for (s, a), t in _RULING_FLOW.items()],
    }
