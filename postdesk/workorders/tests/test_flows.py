"""Exhaustive core tests for the work-order state machine (pure: no database).

``EXPECTED`` (flow_expected.py) is written by hand, independently of the module's
declarations: every test compares the module's table against it, and every (type, status,
action) combination is checked. Roles are in test_flow_roles.py; payloads, the ruling
appeal, rendering, purity and the running deadlines in test_flow_rules.py."""

from __future__ import annotations

import itertools
from collections import deque

import pytest

from postdesk.workorders import flows
from postdesk.workorders.flows import (
    TransitionRefused,
    allowed_actions,
    can_perform,
    next_status,
    open_statuses,
    statuses_for,
    terminal_statuses,
)
from postdesk.workorders.tests.flow_expected import (
    ALL_ACTIONS,
    ALL_STATUSES,
    EXPECTED,
    ROLES,
    RULING_ACTIONS,
    TYPES,
    Target,
)


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
    assert leaving_closed <= {"reopen"} | RULING_ACTIONS


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
