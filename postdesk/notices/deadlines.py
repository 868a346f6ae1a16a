"""Deadlines of notices per kind, on the unit's business calendar.

The policies are `NoticePolicy` rows (administrators edit them; `postdesk seed_demo`
writes the defaults below); the calendars and the arithmetic are the work orders'
(`workorders.sla.calendar_for`, `core.businesstime.compute_deadline`): one calendar.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

from postdesk.core.businesstime import DeadlineRule, DeadlineUnit, compute_deadline
from postdesk.notices import flows
from postdesk.notices.models import NoticePolicy
from postdesk.workorders.sla import calendar_for


@dataclass(frozen=True)
class Policy:
    ack: DeadlineRule | None
    feedback: DeadlineRule
    by_window_end: bool
    warn_before: timedelta


#: The issue's defaults: a pickup is acknowledged within 30 working minutes and fed back
#: by the end of the requested window (or within 4 working hours when none is given);
#: the delivery kinds are fed back within 1 working day.
DEFAULTS: dict[str, Policy] = {
    "pickup": Policy(
        DeadlineRule(30, "working_minutes"),
        DeadlineRule(4, "working_hours"),
        by_window_end=True,
        warn_before=timedelta(minutes=30),
    ),
    **{
        kind: Policy(
            None,
            DeadlineRule(1, "working_days"),
            by_window_end=False,
            warn_before=timedelta(minutes=60),
        )
        for kind, _zh, _en in flows.KINDS
        if kind != "pickup"
    },
}


def policy_for(kind: str) -> Policy:
    row = NoticePolicy.objects.filter(kind=kind).first()
    if row is None:
        return DEFAULTS[kind]
    ack = (
        DeadlineRule(row.ack_amount, cast(DeadlineUnit, row.ack_unit))
        if row.ack_amount is not None and row.ack_unit
        else None
    )
    return Policy(
        ack,
        DeadlineRule(row.feedback_amount, cast(DeadlineUnit, row.feedback_unit)),
        by_window_end=row.by_window_end,
        warn_before=timedelta(minutes=row.warn_before_minutes),
    )


@dataclass(frozen=True)
class Deadlines:
    ack_due_at: datetime | None
    due_at: datetime
    warn_at: datetime


def deadlines_for(
    *, kind: str, unit_id: int, start: datetime, window_end: datetime | None
) -> Deadlines:
    policy = policy_for(kind)
    calendar = calendar_for(unit_id=unit_id)
    ack = compute_deadline(calendar, start, policy.ack) if policy.ack else None
    if policy.by_window_end and window_end is not None and window_end > start:
        due = window_end
    else:
        due = compute_deadline(calendar, start, policy.feedback)
    return Deadlines(ack, due, due - policy.warn_before)


def policies_seed() -> int:
    """Write the default policy of every kind that has none (idempotent)."""
    created = 0
    for kind, policy in DEFAULTS.items():
        _row, made = NoticePolicy.objects.get_or_create(
            kind=kind,
            defaults={
                "ack_amount": policy.ack.amount if policy.ack else None,
                "ack_unit": policy.ack.unit if policy.ack else "",
                "feedback_amount": policy.feedback.amount,
                "feedback_unit": policy.feedback.unit,
                "by_window_end": policy.by_window_end,
                "warn_before_minutes": int(policy.warn_before.total_seconds() // 60),
            },
        )
        created += made
    return created
