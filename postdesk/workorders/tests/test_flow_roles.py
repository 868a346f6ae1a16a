"""Who may take which action in the work-order state machine (pure: no Django, no
database); the rest of the machine's exhaustive tests are in test_flows.py.
"""

from __future__ import annotations

import itertools

import pytest

from postdesk.workorders import flows
from postdesk.workorders.flows import (
    allowed_actions,
    allowed_actions_for_roles,
    can_perform,
)
from postdesk.workorders.tests.flow_expected import (
    ALL_STATUSES,
    EXPECTED,
    ROLES,
    TYPES,
)

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
