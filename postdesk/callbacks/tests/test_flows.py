"""The callback status machine against a hand-written expectation, every status ×
action × outcome × count."""

from __future__ import annotations

import itertools

import pytest

from postdesk.callbacks import flows

STATUSES = [code for code, _zh, _en in flows.STATUSES]
ACTIONS = [code for code, _zh, _en in flows.ACTIONS]
OUTCOMES = [code for code, _zh, _en in flows.OUTCOMES]

# written out by hand: (status, action) -> target, for every action but record
EXPECTED = {
    ("open", "start"): "in_progress",
    ("in_progress", "start"): "in_progress",
    ("open", "assign"): "open",
    ("in_progress", "assign"): "in_progress",
    ("open", "complete"): "done",
    ("in_progress", "complete"): "done",
    ("open", "cancel"): "cancelled",
    ("in_progress", "cancel"): "cancelled",
}


def expected_record(status: str, outcome: str, attempts: int, max_attempts: int) -> str | None:
    if status not in {"open", "in_progress"}:
        return None
    if outcome == "reached":
        return "done"
    if outcome == "wrong_number":
        return "failed"
    return "failed" if attempts >= max_attempts else "in_progress"


@pytest.mark.parametrize(("status", "action"), list(itertools.product(STATUSES, ACTIONS)))
def test_every_status_and_action(status, action):
    if action == "record":
        return  # below, with every outcome and count
    expected = EXPECTED.get((status, action))
    if expected is None:
        with pytest.raises(flows.TransitionRefused):
            flows.next_status(status, action)
    else:
        assert flows.next_status(status, action) == expected


@pytest.mark.parametrize(
    ("status", "outcome", "attempts", "max_attempts"),
    list(itertools.product(STATUSES, OUTCOMES, range(1, 5), range(1, 4))),
)
def test_every_recorded_outcome(status, outcome, attempts, max_attempts):
    expected = expected_record(status, outcome, attempts, max_attempts)
    if expected is None:
        with pytest.raises(flows.TransitionRefused):
            flows.next_status(
                status, "record", outcome=outcome, attempts=attempts, max_attempts=max_attempts
            )
    else:
        got = flows.next_status(
            status, "record", outcome=outcome, attempts=attempts, max_attempts=max_attempts
        )
        assert got == expected


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("outcome", [None, "", "hung_up", "REACHED"])
def test_an_unknown_outcome_is_refused(status, outcome):
    with pytest.raises(flows.TransitionRefused):
        flows.next_status(status, "record", outcome=outcome, attempts=1, max_attempts=3)


def test_unknown_actions_and_statuses_are_refused():
    for status, action in [("open", "dial"), ("nowhere", "start"), ("done", "reopen")]:
        with pytest.raises(flows.TransitionRefused):
            flows.next_status(status, action)


@pytest.mark.parametrize("status", STATUSES)
def test_allowed_actions_agree_with_the_table(status):
    allowed = set(flows.allowed_actions(status))
    for action in ACTIONS:
        try:
            flows.next_status(status, action, outcome="busy", attempts=1, max_attempts=3)
        except flows.TransitionRefused:
            assert action not in allowed
        else:
            assert action in allowed
    assert (not allowed) == (status in flows.FINAL)


def test_final_and_open_split_the_statuses():
    assert set(STATUSES) == flows.FINAL | flows.OPEN and not flows.FINAL & flows.OPEN


def test_labels_chinese_and_english():
    assert flows.label(flows.REASONS, "failed_pickup") == "揽收失败回访"
    assert flows.label(flows.OUTCOMES, "no_answer", "en") == "No answer"
    assert flows.label(flows.STATUSES, "nope") == "nope"
