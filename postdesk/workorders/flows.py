"""The work-order state machine, declared once, as data (pure: no Django, no database).
The declarations live in :mod:`flow_data` and are re-exported here; this module compiles
them and answers every question about them.

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
from typing import Final

__all__ = [
    "ACTIONS",
    "API_ACTIONS",
    "APPEAL_DECISIONS",
    "BOOKING_RESULTS",
    "COMPLAINT_SUBTYPES",
    "DEADLINE_FIELDS",
    "PICKUP_RESULTS",
    "ROLES",
    "RULINGS",
    "RULING_STATES",
    "RUNNING_DEADLINES",
    "SATISFACTION",
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

from postdesk.workorders.flow_data import (  # the declarations, re-exported
    _ACTION_CODES,
    _ACTION_LABEL_OVERRIDES,
    _CHOICES,
    _CONDITIONAL_REQUIRED,
    _HINT_FIELDS,
    _PERMISSION_OVERRIDES,
    _PERMISSIONS,
    _PRESERVING,
    _REQUIRED,
    _REQUIRED_OVERRIDES,
    _ROLE_CODES,
    _ROWS,
    _RULING_FLOW,
    _STATUS_CODES,
    _TERMINAL,
    _TYPE_CODES,
    ACTIONS,
    API_ACTIONS,
    APPEAL_DECISIONS,
    BOOKING_RESULTS,
    COMPLAINT_SUBTYPES,
    PICKUP_RESULTS,
    ROLES,
    RULING_STATES,
    RULINGS,
    SATISFACTION,
    STATUS_PRESERVING_ACTIONS,
    STATUSES,
    WORK_ORDER_TYPES,
    Label,
    Lang,
    Permission,
    _Target,
)

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
