"""Exhaustive core tests for the work-order state machine (pure: no Django, no database).

Run alone with:
    .venv/bin/python -m pytest -p no:django -p no:cacheprovider \
        postdesk/workorders/tests/test_flows.py

``EXPECTED`` below is written by hand, independently of the module's declarations: every
test compares the module's table against it, and every (type, status, action) combination
is checked.
"""

from __future__ import annotations

import ast
import itertools
import json
import os
import subprocess
import sys
from collections import deque
from pathlib import Path

import pytest

from postdesk.workorders import flows
from postdesk.workorders.flows import (
    TransitionRefused,
    allowed_actions,
    allowed_actions_for_roles,
    can_perform,
    next_status,
    open_statuses,
    payload_errors,
    required_fields,
    ruling_next,
    statuses_for,
    terminal_statuses,
)

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

_RULING_ACTIONS = {"set_ruling", "appeal", "decide_appeal"}

_SUGGESTION = {k: v for k, v in _COMPLAINT.items() if k[1] not in _RULING_ACTIONS}

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


def test_hand_written_sizes() -> None:
    # guards the derived hand-written lists above against silent edits
    assert {t: len(rows) for t, rows in EXPECTED.items()} == {
        "query": 9,
        "consultation": 9,
        "complaint": 34,
        "suggestion": 25,
        "tracing": 24,
        "pickup": 19,
        "booking": 8,
    }


# --------------------------------------------------------------------------- every combination


@pytest.mark.parametrize(
    ("wo_type", "status", "action"),
    list(itertools.product(TYPES, [*ALL_STATUSES, "no_such_status"], [*ALL_ACTIONS, "fly"])),
)
def test_every_type_status_action_combination(wo_type: str, status: str, action: str) -> None:
    expected = EXPECTED[wo_type].get((status, action))
    row = flows.find_transition(wo_type, status, action)
    if expected is None:
        assert row is None
        with pytest.raises(TransitionRefused) as info:
            next_status(wo_type, status, action)
        assert info.value.code == "invalid_transition"
        assert (info.value.work_order_type, info.value.status, info.value.action) == (
            wo_type,
            status,
            action,
        )
        for role in ROLES:
            assert not can_perform(
                wo_type, status, action, role, is_handling_unit_member=True, is_owner=True
            )
        return
    assert row is not None
    if isinstance(expected, str):
        assert next_status(wo_type, status, action) == expected
        assert next_status(wo_type, status, action, payload_hint="ignored") == expected
        assert row.preserves_status == (action in flows.STATUS_PRESERVING_ACTIONS)
        if row.preserves_status:
            assert expected == status
        return
    for hint, target in expected.items():
        assert next_status(wo_type, status, action, payload_hint=hint) == target
    with pytest.raises(TransitionRefused) as missing:
        next_status(wo_type, status, action)
    assert missing.value.code == "invalid_payload"
    assert list(missing.value.fields.values()) == ["required"]
    with pytest.raises(TransitionRefused) as wrong:
        next_status(wo_type, status, action, payload_hint="so-so")
    assert wrong.value.fields == {row.hint_field: "invalid_choice"}


@pytest.mark.parametrize("wo_type", TYPES)
def test_table_matches_the_hand_written_expectation_exactly(wo_type: str) -> None:
    declared: dict[tuple[str, str], Target] = {}
    for row in flows.transitions(wo_type):
        key = (row.from_status, row.action)
        assert key not in declared
        declared[key] = row.to_status if row.to_status is not None else dict(row.targets)
        # generated from the table: the declared target is what next_status gives
        if row.to_status is not None:
            assert next_status(wo_type, *key) == row.to_status
        else:
            for hint, target in row.targets:
                assert next_status(wo_type, *key, payload_hint=hint) == target
    assert declared == EXPECTED[wo_type]


def test_unknown_type_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="unknown work-order type"):
        next_status("parcel", "new", "dispatch")
    with pytest.raises(ValueError):
        allowed_actions("parcel", "new", "agent", is_handling_unit_member=False, is_owner=True)


# --------------------------------------------------------------------------- main paths

# (action, role, is_handling_unit_member, is_owner, payload_hint, expected status after)
Step = tuple[str, str, bool, bool, str | None, str]
AGENT_OWNER = ("agent", False, True)
HANDLER = ("handler", True, False)
LEAD = ("lead", False, False)

MAIN_PATHS: dict[str, tuple[str, list[Step]]] = {
    "complaint full loop with a dissatisfied follow-up": (
        "complaint",
        [
            ("dispatch", *AGENT_OWNER, None, "dispatched"),
            ("accept", *HANDLER, None, "processing"),
            ("feedback", *HANDLER, None, "fed_back"),
            ("reply", *AGENT_OWNER, None, "replied"),
            ("follow_up", "agent", False, False, "dissatisfied", "processing"),
            ("feedback", *HANDLER, None, "fed_back"),
            ("reply", *AGENT_OWNER, None, "replied"),
            ("follow_up", "agent", False, False, "basically_satisfied", "closed"),
        ],
    ),
    "complaint transferred, returned, re-dispatched, escalated and closed by the lead": (
        "complaint",
        [
            ("escalate", *AGENT_OWNER, None, "new"),
            ("dispatch", *LEAD, None, "dispatched"),
            ("transfer", *HANDLER, None, "dispatched"),
            ("accept", *HANDLER, None, "processing"),
            ("return", *HANDLER, None, "returned"),
            ("dispatch", *AGENT_OWNER, None, "dispatched"),
            ("accept", *HANDLER, None, "processing"),
            ("feedback", *HANDLER, None, "fed_back"),
            ("set_ruling", *LEAD, None, "fed_back"),
            ("appeal", *HANDLER, None, "fed_back"),
            ("decide_appeal", "director", False, False, None, "fed_back"),
            ("reopen", *AGENT_OWNER, None, "processing"),
            ("feedback", *HANDLER, None, "fed_back"),
            ("reply", *LEAD, None, "replied"),
            ("follow_up", *LEAD, "satisfied", "closed"),
            ("reopen", *LEAD, None, "processing"),
        ],
    ),
    "suggestion": (
        "suggestion",
        [
            ("dispatch", *AGENT_OWNER, None, "dispatched"),
            ("accept", *HANDLER, None, "processing"),
            ("feedback", *HANDLER, None, "fed_back"),
            ("reply", *AGENT_OWNER, None, "replied"),
            ("close", *AGENT_OWNER, None, "closed"),
        ],
    ),
    "pickup picked up": (
        "pickup",
        [
            ("dispatch", *AGENT_OWNER, None, "dispatched"),
            ("accept", *HANDLER, None, "processing"),
            ("feedback", *HANDLER, "picked_up", "fed_back"),
            ("close", *AGENT_OWNER, None, "closed"),
        ],
    ),
    "pickup failed": (
        "pickup",
        [
            ("dispatch", *AGENT_OWNER, None, "dispatched"),
            ("accept", *HANDLER, None, "processing"),
            ("feedback", *HANDLER, "failed", "fed_back"),
            ("close", *LEAD, None, "closed"),
        ],
    ),
    "tracing": (
        "tracing",
        [
            ("dispatch", *AGENT_OWNER, None, "dispatched"),
            ("accept", *HANDLER, None, "processing"),
            ("feedback", *HANDLER, None, "fed_back"),
            ("reply", *AGENT_OWNER, None, "replied"),
            ("close", *AGENT_OWNER, None, "closed"),
        ],
    ),
    "booking fulfilled": (
        "booking",
        [
            ("accept", "agent", False, False, None, "processing"),
            ("fulfil", "agent", False, False, "fulfilled", "fulfilled"),
            ("close", *AGENT_OWNER, None, "closed"),
        ],
    ),
    "booking failed": (
        "booking",
        [
            ("accept", *LEAD, None, "processing"),
            ("fulfil", *LEAD, "failed", "failed"),
            ("close", *LEAD, None, "closed"),
        ],
    ),
    "query answered at once": ("query", [("answer", *AGENT_OWNER, None, "closed")]),
    "consultation answered on a callback": (
        "consultation",
        [
            ("schedule_callback", *AGENT_OWNER, None, "pending_callback"),
            ("answer", "agent", False, False, None, "closed"),
        ],
    ),
    "query turned into a tracing inquiry": (
        "query",
        [("convert_to_tracing", *AGENT_OWNER, None, "closed")],
    ),
    "pickup cancelled by the customer": (
        "pickup",
        [
            ("dispatch", *AGENT_OWNER, None, "dispatched"),
            ("cancel", *AGENT_OWNER, None, "cancelled"),
        ],
    ),
}


@pytest.mark.parametrize("name", list(MAIN_PATHS))
def test_main_paths(name: str) -> None:
    wo_type, steps = MAIN_PATHS[name]
    status = "new"
    for action, role, member, owner, hint, expected in steps:
        offered = allowed_actions(
            wo_type, status, role, is_handling_unit_member=member, is_owner=owner
        )
        assert action in offered, (status, action, role, offered)
        status_after = next_status(wo_type, status, action, payload_hint=hint)
        assert status_after == expected, (status, action)
        status = status_after
    assert status in {"closed", "cancelled", "processing"}


# --------------------------------------------------------------------------- roles


def _offered(wo_type: str, status: str, role: str, *, member: bool, owner: bool) -> list[str]:
    return allowed_actions(wo_type, status, role, is_handling_unit_member=member, is_owner=owner)


@pytest.mark.parametrize(("wo_type", "status"), list(itertools.product(TYPES, ALL_STATUSES)))
def test_admin_and_outsiders_get_nothing(wo_type: str, status: str) -> None:
    for member, owner in itertools.product((False, True), repeat=2):
        assert _offered(wo_type, status, "admin", member=member, owner=owner) == []
    assert _offered(wo_type, status, "handler", member=False, owner=True) == []


@pytest.mark.parametrize(("wo_type", "status"), list(itertools.product(TYPES, ALL_STATUSES)))
def test_every_offered_action_is_a_valid_transition(wo_type: str, status: str) -> None:
    for role, member, owner in itertools.product(ROLES, (False, True), (False, True)):
        for action in _offered(wo_type, status, role, member=member, owner=owner):
            assert (status, action) in EXPECTED[wo_type]


def test_every_row_can_be_performed_by_someone_and_never_by_admin() -> None:
    for wo_type in TYPES:
        for row in flows.transitions(wo_type):
            perm = row.permission
            assert perm.roles and "admin" not in perm.roles
            assert perm.roles <= set(ROLES)
            assert ("handler" in perm.roles) == ("handler" in perm.unit_only)
            assert perm.owner_only <= {"agent"}


def test_handler_actions() -> None:
    handler = {"member": True, "owner": False}
    assert _offered("complaint", "dispatched", "handler", **handler) == [
        "accept",
        "transfer",
        "return",
    ]
    assert _offered("complaint", "processing", "handler", **handler) == [
        "transfer",
        "return",
        "feedback",
    ]
    assert _offered("complaint", "fed_back", "handler", **handler) == ["appeal"]
    assert _offered("complaint", "closed", "handler", **handler) == ["appeal"]
    assert _offered("suggestion", "fed_back", "handler", **handler) == []
    assert _offered("pickup", "dispatched", "handler", **handler) == [
        "accept",
        "transfer",
        "return",
    ]
    assert _offered("booking", "new", "handler", **handler) == []
    assert _offered("complaint", "new", "handler", **handler) == []
    assert _offered("complaint", "replied", "handler", **handler) == ["appeal"]


def test_agent_acts_on_own_orders_except_shared_queues() -> None:
    own = {"member": False, "owner": True}
    other = {"member": False, "owner": False}
    assert _offered("complaint", "new", "agent", **own) == ["dispatch", "cancel", "escalate"]
    assert _offered("complaint", "new", "agent", **other) == []
    assert _offered("complaint", "fed_back", "agent", **own) == ["reply", "reopen", "escalate"]
    assert _offered("complaint", "fed_back", "agent", **other) == []
    assert _offered("complaint", "replied", "agent", **own) == [
        "follow_up",
        "close",
        "reopen",
        "escalate",
    ]
    # the follow-up call is best made by someone other than the owner
    assert _offered("complaint", "replied", "agent", **other) == ["follow_up"]
    assert _offered("query", "new", "agent", **own) == [
        "answer",
        "schedule_callback",
        "convert_to_tracing",
        "cancel",
        "escalate",
    ]
    # a callback is answered by whoever is free
    assert _offered("query", "pending_callback", "agent", **other) == [
        "answer",
        "convert_to_tracing",
    ]
    assert _offered("booking", "new", "agent", **other) == ["accept"]
    assert _offered("booking", "processing", "agent", **other) == ["fulfil"]
    assert _offered("complaint", "dispatched", "agent", **own) == ["dispatch", "cancel", "escalate"]
    # agents never perform unit work or rulings
    for status in ALL_STATUSES:
        for action in _offered("complaint", status, "agent", member=True, owner=True):
            assert action not in {"accept", "feedback", "transfer", "return", "set_ruling",
                                  "appeal", "decide_appeal"}  # fmt: skip


def test_lead_and_director() -> None:
    lead = {"member": False, "owner": False}
    assert _offered("complaint", "fed_back", "lead", **lead) == [
        "reply",
        "reopen",
        "escalate",
        "set_ruling",
        "decide_appeal",
    ]
    assert _offered("complaint", "fed_back", "director", **lead) == [
        "reply",
        "reopen",
        "set_ruling",
        "decide_appeal",
    ]
    assert _offered("complaint", "dispatched", "lead", **lead) == ["dispatch", "cancel", "escalate"]
    assert "escalate" not in _offered("complaint", "new", "director", **lead)
    assert _offered("query", "new", "director", **lead) == ["cancel"]
    assert _offered("complaint", "cancelled", "lead", **lead) == []
    assert _offered("complaint", "closed", "lead", **lead) == [
        "reopen",
        "set_ruling",
        "decide_appeal",
    ]


def test_roles_union_and_can_perform() -> None:
    assert allowed_actions_for_roles(
        "complaint",
        "processing",
        ["handler", "lead"],
        is_handling_unit_member=True,
        is_owner=False,
    ) == ["transfer", "return", "feedback", "cancel", "escalate"]
    assert can_perform(
        "complaint", "dispatched", "accept", "handler", is_handling_unit_member=True, is_owner=False
    )
    assert not can_perform(
        "complaint", "dispatched", "accept", "handler", is_handling_unit_member=False, is_owner=True
    )
    assert not can_perform(
        "complaint", "dispatched", "accept", "lead", is_handling_unit_member=True, is_owner=True
    )
    with pytest.raises(ValueError, match="unknown role"):
        allowed_actions("complaint", "new", "caller", is_handling_unit_member=False, is_owner=True)


# --------------------------------------------------------------------------- graph


def _reachable(wo_type: str, start: str) -> set[str]:
    seen = {start}
    queue = deque([start])
    while queue:
        status = queue.popleft()
        for row in flows.transitions(wo_type):
            if row.from_status == status:
                for target in row.possible_targets:
                    if target not in seen:
                        seen.add(target)
                        queue.append(target)
    return seen


@pytest.mark.parametrize("wo_type", TYPES)
def test_every_status_is_reachable_from_new(wo_type: str) -> None:
    assert _reachable(wo_type, "new") == set(statuses_for(wo_type))


@pytest.mark.parametrize("wo_type", TYPES)
def test_every_non_terminal_status_has_a_path_to_closed(wo_type: str) -> None:
    for status in open_statuses(wo_type):
        assert "closed" in _reachable(wo_type, status), status


@pytest.mark.parametrize("wo_type", TYPES)
def test_terminal_and_open_statuses(wo_type: str) -> None:
    assert terminal_statuses(wo_type) == {"closed", "cancelled"}
    assert open_statuses(wo_type) == set(statuses_for(wo_type)) - {"closed", "cancelled"}
    assert "new" in open_statuses(wo_type)
    leaving_cancelled = [r for r in flows.transitions(wo_type) if r.from_status == "cancelled"]
    assert leaving_cancelled == []
    leaving_closed = {r.action for r in flows.transitions(wo_type) if r.from_status == "closed"}
    assert leaving_closed <= {"reopen"} | _RULING_ACTIONS


def test_statuses_per_type() -> None:
    assert statuses_for("query") == ("new", "pending_callback", "closed", "cancelled")
    assert statuses_for("booking") == (
        "new",
        "processing",
        "fulfilled",
        "failed",
        "closed",
        "cancelled",
    )
    assert "replied" not in statuses_for("pickup")
    assert terminal_statuses() == {"closed", "cancelled"}
    assert open_statuses() == set(ALL_STATUSES) - {"closed", "cancelled"}


def test_declarations_are_complete_and_used() -> None:
    used_actions = {r.action for t in TYPES for r in flows.transitions(t)}
    used_statuses = {s for t in TYPES for s in statuses_for(t)}
    assert used_actions == set(ALL_ACTIONS)
    assert used_statuses == set(ALL_STATUSES)
    assert {
        "dispatch", "accept", "feedback", "reply", "follow_up", "close", "reopen", "transfer",
        "return", "escalate",
    } == flows.API_ACTIONS <= set(ALL_ACTIONS)  # fmt: skip
    assert {"escalate", "set_ruling", "appeal", "decide_appeal"} == flows.STATUS_PRESERVING_ACTIONS
    assert [code for code, _, _ in flows.WORK_ORDER_TYPES] == TYPES
    assert [code for code, _, _ in flows.ROLES] == ROLES
    for table in (flows.STATUSES, flows.ACTIONS, flows.WORK_ORDER_TYPES, flows.ROLES):
        codes = [c for c, _, _ in table]
        assert len(codes) == len(set(codes))
        assert all(zh and en for _, zh, en in table)


@pytest.mark.parametrize("wo_type", TYPES)
def test_escalate_never_changes_the_status(wo_type: str) -> None:
    for status in open_statuses(wo_type):
        if (status, "escalate") in EXPECTED[wo_type]:
            assert next_status(wo_type, status, "escalate") == status


# --------------------------------------------------------------------------- payloads


def test_required_fields() -> None:
    assert required_fields("complaint", "dispatch") == ("unit",)
    assert required_fields("complaint", "transfer") == ("unit",)
    assert required_fields("complaint", "feedback") == ("text", "ruling")
    assert required_fields("suggestion", "feedback") == ("text",)
    assert required_fields("tracing", "feedback") == ("text",)
    assert required_fields("pickup", "feedback") == ("result",)
    assert required_fields("pickup", "feedback", "failed") == ("result", "reason")
    assert required_fields("complaint", "reply") == ("text",)
    assert required_fields("complaint", "follow_up", "satisfied") == ("satisfaction",)
    assert required_fields("complaint", "follow_up", "dissatisfied") == ("satisfaction", "text")
    for action in ("reopen", "return", "escalate", "cancel", "appeal"):
        assert required_fields("complaint", action) == ("reason",)
    assert required_fields("complaint", "accept") == ()
    assert required_fields("complaint", "close") == ()
    assert required_fields("booking", "fulfil", "failed") == ("result", "reason")
    assert required_fields("complaint", "decide_appeal", "overturned") == ("decision", "ruling")
    assert required_fields("query", "answer") == ("text",)
    assert required_fields("query", "convert_to_tracing") == ("waybill",)


def test_payload_errors() -> None:
    assert payload_errors("complaint", "feedback", {"text": "查明原因", "ruling": "partly"}) == {}
    assert payload_errors("complaint", "feedback", {"text": "  ", "ruling": "maybe"}) == {
        "text": "required",
        "ruling": "invalid_choice",
    }
    assert payload_errors("complaint", "feedback", {}) == {"text": "required", "ruling": "required"}
    assert payload_errors("suggestion", "feedback", {"text": "ok"}) == {}
    assert payload_errors("complaint", "follow_up", {"satisfaction": "satisfied"}) == {}
    assert payload_errors("complaint", "follow_up", {"satisfaction": "dissatisfied"}) == {
        "text": "required"
    }
    assert payload_errors("complaint", "follow_up", {"satisfaction": "meh"}) == {
        "satisfaction": "invalid_choice"
    }
    assert payload_errors("pickup", "feedback", {"result": "failed"}) == {"reason": "required"}
    assert payload_errors("pickup", "feedback", {"result": "picked_up"}) == {}
    assert payload_errors("pickup", "feedback", {"result": "lost"}) == {"result": "invalid_choice"}
    assert payload_errors("complaint", "dispatch", {"unit": ""}) == {"unit": "required"}
    assert payload_errors("complaint", "dispatch", {"unit": "330300"}) == {}
    assert payload_errors("complaint", "decide_appeal", {"decision": "overturned"}) == {
        "ruling": "required"
    }
    assert payload_errors("booking", "fulfil", {"result": "fulfilled"}) == {}


@pytest.mark.parametrize("wo_type", TYPES)
def test_conditional_targets_match_the_field_choices(wo_type: str) -> None:
    for row in flows.transitions(wo_type):
        if row.targets:
            assert row.hint_field == flows.hint_field(wo_type, row.action)
            assert row.hint_field is not None
            choices = {c for c, _, _ in flows.choices_for(wo_type, row.action, row.hint_field)}
            assert choices == {hint for hint, _ in row.targets}


# --------------------------------------------------------------------------- ruling appeal


def test_ruling_side_machine() -> None:
    state = "none"
    for action, expected in [
        ("feedback", "proposed"),
        ("set_ruling", "ruled"),
        ("set_ruling", "ruled"),
        ("appeal", "appealed"),
        ("feedback", "appealed"),
        ("decide_appeal", "final"),
        ("feedback", "final"),
    ]:
        state = ruling_next(state, action)
        assert state == expected
    for state, action in [
        ("none", "appeal"),
        ("proposed", "appeal"),
        ("ruled", "decide_appeal"),
        ("appealed", "appeal"),
        ("final", "appeal"),
        ("final", "set_ruling"),
        ("appealed", "set_ruling"),
        ("none", "set_ruling"),
    ]:
        with pytest.raises(TransitionRefused):
            ruling_next(state, action)
    assert {c for c, _, _ in flows.RULING_STATES} == {
        "none",
        "proposed",
        "ruled",
        "appealed",
        "final",
    }


def test_ruling_state_filters_offered_actions() -> None:
    def offered(role: str, ruling_state: str) -> list[str]:
        return allowed_actions(
            "complaint",
            "replied",
            role,
            is_handling_unit_member=True,
            is_owner=False,
            ruling_state=ruling_state,
        )

    assert offered("handler", "proposed") == []
    assert offered("handler", "ruled") == ["appeal"]
    assert offered("handler", "final") == []
    assert "set_ruling" in offered("lead", "proposed")
    assert "decide_appeal" not in offered("lead", "ruled")
    assert "decide_appeal" in offered("lead", "appealed")
    assert "set_ruling" not in offered("lead", "appealed")


# --------------------------------------------------------------------------- rendering


def test_flow_table_is_json_and_complete() -> None:
    table = flows.flow_table()
    text = json.dumps(table, ensure_ascii=False)
    assert "已办结" in text and "判责申诉" in text
    types = {t["code"]: t for t in table["types"]}  # type: ignore[attr-defined]
    assert list(types) == TYPES
    for wo_type in TYPES:
        rows = types[wo_type]["transitions"]
        assert len(rows) == len(EXPECTED[wo_type])
        for row in rows:
            expected = EXPECTED[wo_type][(row["from"], row["action"])]
            if isinstance(expected, str):
                assert row["to"] == expected and row["targets"] is None
            else:
                assert row["to"] is None and row["targets"] == expected
            assert row["required_fields"] == list(required_fields(wo_type, row["action"]))
    follow_up = next(r for r in types["complaint"]["transitions"] if r["action"] == "follow_up")
    assert follow_up["hint_field"] == "satisfaction"
    assert follow_up["roles"] == ["agent", "lead", "director"]
    accept = next(r for r in types["pickup"]["transitions"] if r["action"] == "accept")
    assert accept["label_zh"] == "确认揽收任务" and accept["unit_only"] == ["handler"]
    assert {s["code"] for s in table["statuses"] if s["terminal"]} == {"closed", "cancelled"}  # type: ignore[attr-defined]


def test_labels() -> None:
    assert flows.status_label("closed") == "已办结"
    assert flows.status_label("fed_back", "en") == "Fed back"
    assert flows.action_label("follow_up") == "回访"
    assert flows.action_label("accept", "en", "pickup") == "Confirm the pickup"
    assert flows.action_label("accept", "en", "complaint") == "Accept"
    with pytest.raises(ValueError):
        flows.status_label("lost")


def test_transition_refused_carries_what_the_api_needs() -> None:
    with pytest.raises(TransitionRefused) as info:
        next_status("complaint", "closed", "reply")
    err = info.value
    assert err.code == "invalid_transition"
    assert "reply" in err.message and "closed" in str(err)
    assert err.fields == {}
    assert isinstance(err, Exception)


# --------------------------------------------------------------------------- purity


def test_module_imports_without_django() -> None:
    here = Path(flows.__file__).parent
    for module in ("flows.py", "flow_data.py"):  # the machine and its declarations
        source = (here / module).read_text(encoding="utf-8")
        imported = {
            (node.module or "") if isinstance(node, ast.ImportFrom) else alias.name
            for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.Import | ast.ImportFrom)
            for alias in node.names
        } - {"postdesk.workorders.flow_data"}
        assert not any(name.startswith(("django", "postdesk")) for name in imported), imported
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    code = (
        "from postdesk.workorders import flows;"
        "print(flows.next_status('complaint', 'replied', 'follow_up', payload_hint='dissatisfied'))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "processing"


# --------------------------------------------------------------------------- clocks

# hand-written: the deadlines that run in each status (every other status runs none)
_CLOCKS: dict[str, tuple[str, ...]] = {
    "new": ("dispatch", "reply"),
    "returned": ("dispatch", "reply"),
    "pending_callback": ("dispatch", "reply"),
    "dispatched": ("accept", "feedback", "reply"),
    "processing": ("feedback", "reply"),
    "fed_back": ("reply",),
}


@pytest.mark.parametrize("status", ALL_STATUSES)
def test_the_running_deadline_of_every_status(status: str) -> None:
    """Every status × every set of stage deadlines present × replied or not: the soonest
    running one, the reply's only until replied; terminal and waiting statuses none."""
    from datetime import UTC, datetime, timedelta

    start = datetime(2026, 12, 1, 9, tzinfo=UTC)
    # distinct instants in an order unlike the fields' own (the minimum must be chosen)
    at = {"dispatch": 3, "accept": 1, "feedback": 4, "reply": 2}
    names = list(at)
    for present in itertools.product([False, True], repeat=len(names)):
        deadlines = {
            f"{name}_due_at": start + timedelta(hours=at[name]) if here else None
            for name, here in zip(names, present, strict=True)
        }
        for replied in (False, True):
            running = [
                deadlines[f"{name}_due_at"]
                for name in _CLOCKS.get(status, ())
                if not (replied and name == "reply")
            ]
            expected = min((d for d in running if d is not None), default=None)
            got = flows.running_deadline(status, deadlines, replied=replied)
            assert got == expected, (status, present, replied)
    if status in {"closed", "cancelled", "replied", "fulfilled", "failed"}:
        assert status not in flows.RUNNING_DEADLINES
    assert set(flows.RUNNING_DEADLINES) <= set(ALL_STATUSES)
    assert {f for fs in flows.RUNNING_DEADLINES.values() for f in fs} == set(flows.DEADLINE_FIELDS)


def test_an_unknown_status_is_refused_not_given_no_clock() -> None:
    with pytest.raises(ValueError):
        flows.running_deadline("lost", {}, replied=False)
