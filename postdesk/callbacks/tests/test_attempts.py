"""Attempts on a callback: up to the limit, the outcome that ends it, and the link to the
CTI's record of the outbound call (real events posted to the CTI API)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from postdesk.callbacks.models import CallbackAttempt
from postdesk.callbacks.services import callback_attempt_record, callback_start
from postdesk.calls.models import Call
from postdesk.core.errors import InvalidTransition, PermissionDenied, ValidationFailed
from postdesk.core.models import AccessLogEntry

pytestmark = pytest.mark.django_db


def _cti(token: str, **body):
    if "from_" in body:
        body["from"] = body.pop("from_")
    r = Client().post(
        "/api/v1/cti/events",
        data=json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {token}",
    )
    assert r.status_code == 200, r.content
    return r


def _outbound(token: str, call_id: str, *, ext: str, to: str, at, talk: int = 40):
    _cti(
        token,
        event="newCall",
        call_id=call_id,
        timestamp=at.isoformat(),
        direction="out",
        from_=ext,
        to=to,
        agent=ext,
    )
    _cti(
        token,
        event="answer",
        call_id=call_id,
        timestamp=(at + timedelta(seconds=5)).isoformat(),
        agent=ext,
    )
    _cti(
        token,
        event="hangup",
        call_id=call_id,
        timestamp=(at + timedelta(seconds=5 + talk)).isoformat(),
        cause="normalClearing",
        agent=ext,
    )


def test_unanswered_attempts_up_to_the_limit_fail_the_task(task_for, staff):
    task = task_for(max_attempts=3)
    agent = staff["agent1"]
    for n, outcome in enumerate(["no_answer", "busy"], start=1):
        callback_attempt_record(actor=agent, task=task, outcome=outcome)
        task.refresh_from_db()
        assert (task.status, task.attempts_count) == ("in_progress", n)
    callback_attempt_record(actor=agent, task=task, outcome="voicemail")
    task.refresh_from_db()
    assert (task.status, task.attempts_count) == ("failed", 3) and task.closed_at
    with pytest.raises(InvalidTransition):
        callback_attempt_record(actor=agent, task=task, outcome="reached")
    assert CallbackAttempt.objects.filter(task=task).count() == 3


def test_reaching_the_customer_completes_the_task(task_for, staff):
    task = task_for()
    callback_attempt_record(actor=staff["agent1"], task=task, outcome="no_answer")
    callback_attempt_record(actor=staff["agent1"], task=task, outcome="reached", note="已告知")
    task.refresh_from_db()
    assert (task.status, task.attempts_count) == ("done", 2)


def test_a_wrong_number_ends_the_task_at_once(task_for, staff):
    task = task_for(max_attempts=5)
    callback_attempt_record(actor=staff["agent1"], task=task, outcome="wrong_number")
    task.refresh_from_db()
    assert task.status == "failed"


def test_start_opens_an_attempt_shows_the_number_and_logs_it(task_for, staff):
    task = task_for(by="lead1", team="WZ-11185-HW")
    assert task.assignee is None
    started = callback_start(actor=staff["agent2"], task=task)
    assert started.phone == "+8613900001111" and started.task.assignee == staff["agent2"]
    assert started.task.status == "in_progress" and started.attempt.outcome == ""
    again = callback_start(actor=staff["agent2"], task=task)
    assert again.attempt.pk == started.attempt.pk  # one open attempt per agent
    entries = AccessLogEntry.objects.filter(subject_type="callback", subject_id=str(task.pk))
    assert entries.count() == 2 and entries.first().actor_username == "agent2"


def test_the_outbound_call_from_the_agents_extension_is_linked(task_for, staff, cti_token):
    task = task_for()
    started = callback_start(actor=staff["agent1"], task=task)
    now = timezone.now()
    # another agent's call to the number, and agent1's call to someone else: not these
    _outbound(cti_token, "x-other-agent", ext="8002", to="13900001111", at=now)
    _outbound(cti_token, "x-other-number", ext="8001", to="13700002222", at=now)
    _outbound(cti_token, "cb-1", ext="8001", to="13900001111", at=now + timedelta(seconds=1))
    assert Call.objects.get(call_id="cb-1").direction == "out"
    attempt = callback_attempt_record(actor=staff["agent1"], task=task, outcome="reached")
    assert attempt.pk == started.attempt.pk and attempt.call.call_id == "cb-1"
    assert attempt.call.talk_seconds == 40


def test_a_call_before_the_attempt_began_is_not_linked(task_for, staff, cti_token):
    task = task_for()
    _outbound(
        cti_token, "old", ext="8001", to="13900001111", at=timezone.now() - timedelta(hours=1)
    )
    callback_start(actor=staff["agent1"], task=task)
    attempt = callback_attempt_record(actor=staff["agent1"], task=task, outcome="no_answer")
    assert attempt.call is None


def test_a_named_call_is_checked(task_for, staff, cti_token):
    task = task_for()
    now = timezone.now()
    _outbound(cti_token, "wrong-number", ext="8001", to="13700002222", at=now)
    _outbound(cti_token, "right", ext="8001", to="13900001111", at=now)
    with pytest.raises(ValidationFailed) as exc:
        callback_attempt_record(
            actor=staff["agent1"], task=task, outcome="reached", call_id="wrong-number"
        )
    assert "call" in exc.value.fields
    with pytest.raises(ValidationFailed):
        callback_attempt_record(actor=staff["agent1"], task=task, outcome="reached", call_id="nope")
    task.refresh_from_db()
    assert task.attempts_count == 0 and not CallbackAttempt.objects.exists()  # nothing written
    attempt = callback_attempt_record(
        actor=staff["agent1"], task=task, outcome="reached", call_id="right"
    )
    assert attempt.call.call_id == "right"


def test_a_call_is_linked_to_one_attempt_only(task_for, staff, cti_token):
    first, second = task_for(), task_for()
    _outbound(cti_token, "once", ext="8001", to="13900001111", at=timezone.now())
    callback_attempt_record(actor=staff["agent1"], task=first, outcome="reached", call_id="once")
    with pytest.raises(ValidationFailed):
        callback_attempt_record(
            actor=staff["agent1"], task=second, outcome="reached", call_id="once"
        )
    assert callback_attempt_record(actor=staff["agent1"], task=second, outcome="busy").call is None


def test_someone_elses_task_cannot_be_worked(task_for, staff):
    task = task_for(by="agent1", assignee="agent1")
    with pytest.raises(PermissionDenied):
        callback_attempt_record(actor=staff["agent2"], task=task, outcome="reached")
    with pytest.raises(PermissionDenied):
        callback_start(actor=staff["agent2"], task=task)
    callback_attempt_record(actor=staff["lead1"], task=task, outcome="busy")  # a lead may
