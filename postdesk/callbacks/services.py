"""Every write on callbacks 回电/外呼. `callback_act`-style checks in each service, in
this order: scope (404) → version (409 `conflict`) → the status table (409
`invalid_transition`) → who may (403) → payload (400); the status, the attempt and the
audit event are written in one transaction.

The link to the CTI: a call is made on the agent's own phone (the PBX reports it as an
outbound call: `direction=out`, the agent's extension, the customer's number), so when
the agent records the attempt's outcome the attempt takes the outbound call from their
extension (or as them) to the task's number that began since the attempt was started
(`call_for_attempt`); or the call named in the request, checked the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from postdesk.callbacks import flows, rules
from postdesk.callbacks.models import CallbackAttempt, CallbackEvent, CallbackTask
from postdesk.calls.models import Call
from postdesk.core.errors import (
    Conflict,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from postdesk.core.phones import try_normalize_phone
from postdesk.core.services import access_log_record
from postdesk.customers.models import Customer
from postdesk.notices.models import Notice
from postdesk.org.models import Role, Unit, User
from postdesk.org.selectors import scope_for
from postdesk.workorders.models import WorkOrder

MAX_NOTE = 500
#: A call may begin a little before "start" was pressed (the agent dials first).
CALL_LEEWAY = timedelta(minutes=2)


def default_max_attempts() -> int:
    return int(settings.POSTDESK_CALLBACK_MAX_ATTEMPTS)


@dataclass(frozen=True)
class CallbackInput:
    reason: str
    phone: str
    name: str = ""
    window_start: datetime | None = None
    window_end: datetime | None = None
    priority: str = "normal"
    text: str = ""
    assignee: str | None = None  # username
    team: str | None = None  # unit code
    max_attempts: int | None = None


def visible(user: User, task: CallbackTask) -> bool:
    if not rules.can_read_callbacks(user):
        return False
    return scope_for(user=user).allows_unit(task.team_id)


def _phone(raw: str) -> str:
    number = try_normalize_phone(raw or "", default_area_code=settings.POSTDESK_DEFAULT_AREA_CODE)
    if number is None:
        raise ValidationFailed(fields={"phone": _("This is not a phone number.")})
    return number


def _agent(username: str, *, actor: User) -> User:
    user = User.objects.filter(
        username=username, is_active=True, role__in=[Role.AGENT, Role.LEAD]
    ).first()
    if user is None or user.unit_id is None or not scope_for(user=actor).allows_unit(user.unit_id):
        raise ValidationFailed(fields={"assignee": _("Unknown agent.")})
    return user


def _team(code: str, *, actor: User) -> Unit:
    unit = Unit.objects.filter(code=code, is_active=True).first()
    if unit is None or not scope_for(user=actor).allows_unit(unit.pk):
        raise ValidationFailed(fields={"team": _("Unknown or inactive unit.")})
    return unit


def _event(
    task: CallbackTask, *, actor: User | None, action: str, before: str, now: datetime, **data: Any
) -> None:
    CallbackEvent.objects.create(
        task=task,
        at=now,
        actor=actor,
        action=action,
        from_status=before,
        to_status=task.status,
        data=data,
    )


def _move(task: CallbackTask, to_status: str, now: datetime) -> None:
    task.status = to_status
    task.version += 1
    if to_status in flows.FINAL:
        task.closed_at = now


def callback_create(
    *,
    actor: User,
    data: CallbackInput,
    work_order: WorkOrder | None = None,
    notice: Notice | None = None,
    call_id: str = "",
    customer: Customer | None = None,
    now: datetime | None = None,
) -> CallbackTask:
    """A task made by hand (from a work order, a call, or the list)."""
    if not rules.can_create_callback(actor):
        raise PermissionDenied(_("Only agents and team leads put callbacks on the list."))
    problems: dict[str, str] = {}
    if not flows.is_code(flows.REASONS, data.reason):
        problems["reason"] = _("This value is not one of the allowed choices.")
    if not flows.is_code(flows.PRIORITIES, data.priority):
        problems["priority"] = _("This value is not one of the allowed choices.")
    if len(data.text) > MAX_NOTE:
        problems["text"] = _("This value is too long.")
    if data.max_attempts is not None and not 1 <= data.max_attempts <= 10:
        problems["max_attempts"] = _("Between 1 and 10 attempts.")
    now = now or timezone.now()
    start = data.window_start or now
    end = data.window_end or start + timedelta(hours=2)
    if end <= start:
        problems["window_end"] = _("The window must end after it starts.")
    if problems:
        raise ValidationFailed(fields=problems)
    phone = _phone(data.phone)
    assignee = _agent(data.assignee, actor=actor) if data.assignee else None
    if assignee is not None and actor.role == Role.AGENT and assignee.pk != actor.pk:
        raise PermissionDenied(_("Only a team lead assigns a callback to someone else."))
    if data.team:
        team = _team(data.team, actor=actor)
    else:
        unit = (assignee or actor).unit
        if unit is None:
            raise ValidationFailed(fields={"team": _("This field is required.")})
        team = unit
    with transaction.atomic():
        task = CallbackTask.objects.create(
            reason=data.reason,
            priority=data.priority,
            phone=phone,
            name=data.name.strip()[:100],
            customer=customer or (work_order.customer if work_order else None),
            work_order=work_order,
            notice=notice,
            call_id=call_id[:100],
            text=data.text.strip(),
            window_start=start,
            window_end=end,
            assignee=assignee,
            team=team,
            max_attempts=data.max_attempts or default_max_attempts(),
            created_by=actor,
            created_at=now,
        )
        _event(task, actor=actor, action="create", before="", now=now)
    return task


def callback_auto_create(
    *,
    source: str,
    reason: str,
    phone: str,
    name: str,
    team: Unit,
    window_start: datetime,
    window_end: datetime,
    assignee: User | None = None,
    actor: User | None = None,
    work_order: WorkOrder | None = None,
    notice: Notice | None = None,
    text: str = "",
    priority: str = "normal",
) -> CallbackTask | None:
    """A task the centre's own flow puts on the list (a failed pickup, a work order
    awaiting a callback or a follow-up), inside the caller's transaction; once per
    `source`; nothing when there is no number to call."""
    number = try_normalize_phone(phone or "", default_area_code=settings.POSTDESK_DEFAULT_AREA_CODE)
    if number is None:
        return None
    existing = CallbackTask.objects.filter(source=source).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            task = CallbackTask.objects.create(
                source=source,
                reason=reason,
                priority=priority,
                phone=number,
                name=name[:100],
                customer=work_order.customer if work_order else None,
                work_order=work_order,
                notice=notice,
                call_id=(work_order.call_id if work_order else notice.call_id if notice else "")[
                    :100
                ],
                text=text[:MAX_NOTE],
                window_start=window_start,
                window_end=max(window_end, window_start + timedelta(minutes=1)),
                assignee=assignee,
                team=team,
                max_attempts=default_max_attempts(),
                created_by=actor,
                created_at=window_start,
            )
            _event(task, actor=actor, action="create", before="", now=window_start, source=source)
    except IntegrityError:  # the same source, created by a concurrent transaction
        return CallbackTask.objects.filter(source=source).first()
    return task


def callbacks_settle(
    *, work_order: WorkOrder, reasons: set[str], done: bool, actor: User | None, now: datetime
) -> int:
    """The order's open tasks of these reasons end with it: done (the customer was
    answered or followed up otherwise) or cancelled. Returns how many."""
    tasks = list(
        CallbackTask.objects.select_for_update().filter(
            work_order=work_order, reason__in=reasons, status__in=flows.OPEN
        )
    )
    for task in tasks:
        before = task.status
        _move(task, flows.next_status(before, "complete" if done else "cancel"), now)
        task.save()
        _event(task, actor=actor, action="complete" if done else "cancel", before=before, now=now)
    return len(tasks)


def _locked(task: CallbackTask, actor: User, version: int | None) -> CallbackTask:
    locked = CallbackTask.objects.select_for_update().filter(pk=task.pk).first()
    if locked is None or not visible(actor, locked):
        raise NotFound()
    if version is not None and version != locked.version:
        raise Conflict()
    return locked


def _refused(task: CallbackTask, action: str) -> InvalidTransition:
    return InvalidTransition(
        _("“%(action)s” is not allowed on this callback while it is “%(status)s”.")
        % {
            "action": flows.label(flows.ACTIONS, action),
            "status": flows.label(flows.STATUSES, task.status),
        }
    )


def _table(task: CallbackTask, action: str) -> None:
    if action not in flows.allowed_actions(task.status):
        raise _refused(task, action)


@dataclass(frozen=True)
class Started:
    task: CallbackTask
    attempt: CallbackAttempt
    phone: str  # in full: the agent dials it (the view is logged)


def callback_start(
    *,
    actor: User,
    task: CallbackTask,
    version: int | None = None,
    ip: str | None = None,
    now: datetime | None = None,
) -> Started:
    """The agent begins a call: an attempt opens (until its outcome is recorded), the
    task is theirs if it was the team's, and the full number is shown (logged)."""
    now = now or timezone.now()
    with transaction.atomic():
        task = _locked(task, actor, version)
        _table(task, "start")
        if not rules.can_work_callback(actor, task):
            raise PermissionDenied(_("This callback is someone else's."))
        before = task.status
        attempt = (
            CallbackAttempt.objects.filter(task=task, agent=actor, outcome="")
            .order_by("-started_at")
            .first()
        )
        if attempt is None:
            attempt = CallbackAttempt.objects.create(task=task, agent=actor, started_at=now)
        if task.assignee_id is None:
            task.assignee = actor
        _move(task, flows.next_status(before, "start"), now)
        task.save()
        _event(task, actor=actor, action="start", before=before, now=now, attempt=attempt.pk)
        access_log_record(
            actor=actor,
            subject_type="callback",
            subjects=[(str(task.pk), task.name or str(task.pk))],
            what="phone",
            detail=_("outbound call"),
            ip=ip,
        )
    return Started(task=task, attempt=attempt, phone=task.phone)


def _call_matches(call: Call, *, task: CallbackTask, agent: User) -> bool:
    by_agent = call.agent_id == agent.pk or (
        bool(agent.extension) and call.agent_extension == agent.extension
    )
    return call.direction == Call.Direction.OUT and call.caller_number == task.phone and by_agent


def call_for_attempt(*, attempt: CallbackAttempt, now: datetime) -> Call | None:
    """The outbound call from the attempt's agent (extension or user) to the task's
    number that began within the attempt (from its start to now, give or take
    `CALL_LEEWAY` for the PBX's clock), not linked to another attempt; the latest one."""
    agent = attempt.agent
    by_agent = Q(agent=agent)
    if agent.extension:
        by_agent |= Q(agent_extension=agent.extension)
    taken = CallbackAttempt.objects.filter(call__isnull=False).exclude(pk=attempt.pk)
    return (
        Call.objects.filter(
            by_agent,
            direction=Call.Direction.OUT,
            caller_number=attempt.task.phone,
            started_at__gte=attempt.started_at - CALL_LEEWAY,
            started_at__lte=now + CALL_LEEWAY,  # the PBX's clock may run ahead
        )
        .exclude(pk__in=taken.values("call_id"))
        .order_by("-started_at", "-id")
        .first()
    )


def callback_attempt_record(
    *,
    actor: User,
    task: CallbackTask,
    outcome: str,
    note: str = "",
    call_id: str = "",
    version: int | None = None,
    now: datetime | None = None,
) -> CallbackAttempt:
    """The outcome of the agent's call; after `max_attempts` unsuccessful ones the task
    has failed, `reached` completes it."""
    now = now or timezone.now()
    with transaction.atomic():
        task = _locked(task, actor, version)
        _table(task, "record")
        if not rules.can_work_callback(actor, task):
            raise PermissionDenied(_("This callback is someone else's."))
        problems: dict[str, str] = {}
        if not flows.is_code(flows.OUTCOMES, outcome):
            problems["outcome"] = _("This value is not one of the allowed choices.")
        if len(note) > MAX_NOTE:
            problems["note"] = _("This value is too long.")
        call: Call | None = None
        if call_id:
            call = Call.objects.filter(call_id=call_id).first()
            if call is None or not _call_matches(call, task=task, agent=actor):
                problems["call"] = _("No outbound call from you to this customer has that call id.")
            elif CallbackAttempt.objects.filter(call=call).exists():
                problems["call"] = _("That call is already linked to an attempt.")
        if problems:
            raise ValidationFailed(fields=problems)
        attempt = (
            CallbackAttempt.objects.filter(task=task, agent=actor, outcome="")
            .order_by("-started_at")
            .first()
        ) or CallbackAttempt(task=task, agent=actor, started_at=now)
        attempt.task = task
        attempt.outcome, attempt.note, attempt.at = outcome, note.strip(), now
        attempt.call = call or call_for_attempt(attempt=attempt, now=now)
        attempt.save()
        before = task.status
        task.attempts_count += 1
        _move(
            task,
            flows.next_status(
                before,
                "record",
                outcome=outcome,
                attempts=task.attempts_count,
                max_attempts=task.max_attempts,
            ),
            now,
        )
        if task.assignee_id is None:
            task.assignee = actor
        task.save()
        _event(
            task,
            actor=actor,
            action="record",
            before=before,
            now=now,
            attempt=attempt.pk,
            outcome=outcome,
            call=attempt.call.call_id if attempt.call else None,
        )
    return attempt


def callback_assign(
    *,
    actor: User,
    task: CallbackTask,
    assignee: str | None = None,
    team: str | None = None,
    version: int | None = None,
    now: datetime | None = None,
) -> CallbackTask:
    """A team lead gives the task to an agent (or back to a team: `assignee` empty);
    an agent takes an unassigned task of their team (`assignee` = themselves)."""
    now = now or timezone.now()
    with transaction.atomic():
        task = _locked(task, actor, version)
        _table(task, "assign")
        taking = assignee == actor.get_username() and not team
        if not (
            rules.can_assign_callback(actor, task)
            or (taking and rules.can_take_callback(actor, task))
        ):
            raise PermissionDenied(_("Only a team lead reassigns callbacks."))
        if not assignee and not team:
            raise ValidationFailed(fields={"assignee": _("Name an agent or a team.")})
        user = _agent(assignee, actor=actor) if assignee else None
        unit = _team(team, actor=actor) if team else (user.unit if user else task.team)
        assert unit is not None
        before = task.status
        task.assignee, task.team = user, unit
        task.version += 1
        task.save()
        _event(
            task,
            actor=actor,
            action="assign",
            before=before,
            now=now,
            assignee=user.get_username() if user else None,
            team=unit.code,
        )
    return task


def callback_cancel(
    *,
    actor: User,
    task: CallbackTask,
    reason: str,
    version: int | None = None,
    now: datetime | None = None,
) -> CallbackTask:
    now = now or timezone.now()
    with transaction.atomic():
        task = _locked(task, actor, version)
        _table(task, "cancel")
        if not rules.can_cancel_callback(actor, task):
            raise PermissionDenied(_("Only a team lead or the assignee cancels a callback."))
        reason = reason.strip()
        if not reason:
            raise ValidationFailed(fields={"reason": _("This field is required.")})
        if len(reason) > MAX_NOTE:
            raise ValidationFailed(fields={"reason": _("This value is too long.")})
        before = task.status
        _move(task, flows.next_status(before, "cancel"), now)
        task.save()
        CallbackAttempt.objects.filter(task=task, outcome="").delete()  # calls never made
        _event(task, actor=actor, action="cancel", before=before, now=now, reason=reason)
    return task
