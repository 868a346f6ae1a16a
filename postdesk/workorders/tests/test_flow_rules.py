"""The state machine's payload rules, the ruling appeal, its rendering, its purity and
the running deadline of every status (pure: no Django, no database); see test_flows.py.
"""

from __future__ import annotations

import ast
import itertools
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from postdesk.core.tests.python_source import parse as parse_python
from postdesk.workorders import flows
from postdesk.workorders.flows import (
    TransitionRefused,
    allowed_actions,
    next_status,
    payload_errors,
    required_fields,
    ruling_next,
)
from postdesk.workorders.tests.flow_expected import (
    ALL_STATUSES,
    EXPECTED,
    TYPES,
)

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
            for node in ast.walk(parse_python(source))
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
