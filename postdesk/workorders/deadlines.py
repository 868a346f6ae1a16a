"""Named deadlines 时限 of a work order: what each one is, how long is left, and how it ended.

One order carries up to four deadlines, each named for the step it asks for — dispatch by
(派单时限), accept by (接单时限), feed back by (反馈时限), reply by (回复时限). Each one is
in exactly one state (:class:`DeadlineState`), decided by the pure :func:`deadline_state`
from its due time, the time the step was done, the time the order ended and now:

- running / due soon / late while the step is still to be done;
- met or breached once it was done (on time or not);
- not reached when the order ended before the step was needed and before it fell due
  (ended after it fell due: breached).

Countdowns are whole minutes, formatted by :func:`format_span` the same way the page's
script (``workorders/deadlines.js``) keeps them live.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

#: (name, due field, done field) in the order the steps happen.
STEPS: tuple[tuple[str, str, str], ...] = (
    ("dispatch", "dispatch_due_at", "dispatched_at"),
    ("accept", "accept_due_at", "accepted_at"),
    ("feedback", "feedback_due_at", "fed_back_at"),
    ("reply", "reply_due_at", "replied_at"),
)

STEP_LABELS = {
    "dispatch": gettext_lazy("Dispatch by"),
    "accept": gettext_lazy("Accept by"),
    "feedback": gettext_lazy("Feed back by"),
    "reply": gettext_lazy("Reply by"),
}


class DeadlineState(StrEnum):
    RUNNING = "running"
    DUE_SOON = "due_soon"
    LATE = "late"
    MET = "met"
    BREACHED = "breached"
    NOT_REACHED = "not_reached"


STATE_LABELS = {
    DeadlineState.RUNNING: gettext_lazy("running"),
    DeadlineState.DUE_SOON: gettext_lazy("due soon"),
    DeadlineState.LATE: gettext_lazy("late"),
    DeadlineState.MET: gettext_lazy("met"),
    DeadlineState.BREACHED: gettext_lazy("missed"),
    DeadlineState.NOT_REACHED: gettext_lazy("not reached"),
}

#: The tag colour of each state (the stylesheet's tag classes).
STATE_TONES = {
    DeadlineState.RUNNING: "",
    DeadlineState.DUE_SOON: "amber",
    DeadlineState.LATE: "red",
    DeadlineState.MET: "green",
    DeadlineState.BREACHED: "red",
    DeadlineState.NOT_REACHED: "",
}

OPEN_STATES = frozenset({DeadlineState.RUNNING, DeadlineState.DUE_SOON, DeadlineState.LATE})


def deadline_state(
    *,
    due: datetime,
    done: datetime | None,
    ended: datetime | None,
    now: datetime,
    warn_before: timedelta,
) -> DeadlineState:
    """The state of one deadline (pure). ``done``: when its step was done; ``ended``: when
    the order reached an end state (None while it is open)."""
    if done is not None:
        return DeadlineState.MET if done <= due else DeadlineState.BREACHED
    if ended is not None:
        return DeadlineState.BREACHED if ended > due else DeadlineState.NOT_REACHED
    if now >= due:
        return DeadlineState.LATE
    if due - now <= warn_before:
        return DeadlineState.DUE_SOON
    return DeadlineState.RUNNING


def span_parts(seconds: float) -> tuple[int, int, int]:
    """(days, hours, minutes) of a non-negative span, minutes rounded up while time is left
    so that "0 min" is only shown at the due time itself."""
    minutes = int(-(-max(seconds, 0) // 60))
    return minutes // 1440, minutes % 1440 // 60, minutes % 60


def format_span(seconds: float) -> str:
    """A span as the two largest units: "2 天 3 小时", "3 小时 5 分", "12 分"."""
    days, hours, minutes = span_parts(seconds)
    day_u, hour_u, min_u = units()
    if days:
        return f"{days} {day_u} {hours} {hour_u}"
    if hours:
        return f"{hours} {hour_u} {minutes} {min_u}"
    return f"{minutes} {min_u}"


def units() -> tuple[str, str, str]:
    day_u, hour_u, min_u = _("d|h|min").split("|")
    return day_u, hour_u, min_u


def countdown_text(
    *, state: DeadlineState, due: datetime, done: datetime | None, now: datetime
) -> str:
    """The words beside a deadline: time left, time late, or by how much it was met/missed."""
    if state in (DeadlineState.RUNNING, DeadlineState.DUE_SOON):
        return _("%(span)s left") % {"span": format_span((due - now).total_seconds())}
    if state == DeadlineState.LATE:
        return _("%(span)s late") % {"span": format_span((now - due).total_seconds())}
    if state == DeadlineState.MET and done is not None:
        return _("done %(span)s early") % {"span": format_span((due - done).total_seconds())}
    if state == DeadlineState.BREACHED and done is not None:
        return _("done %(span)s late") % {"span": format_span((done - due).total_seconds())}
    return ""


class _Order(Protocol):
    status: str
    closed_at: datetime | None
    dispatch_due_at: datetime | None
    accept_due_at: datetime | None
    feedback_due_at: datetime | None
    reply_due_at: datetime | None
    dispatched_at: datetime | None
    accepted_at: datetime | None
    fed_back_at: datetime | None
    replied_at: datetime | None


@dataclass(frozen=True)
class Deadline:
    name: str
    due: datetime
    done: datetime | None
    state: DeadlineState
    text: str

    @property
    def label(self) -> str:
        return str(STEP_LABELS[self.name])

    @property
    def state_label(self) -> str:
        return str(STATE_LABELS[self.state])

    @property
    def tone(self) -> str:
        return STATE_TONES[self.state]

    @property
    def live(self) -> bool:
        return self.state in OPEN_STATES


def order_deadlines(
    order: _Order, *, now: datetime, warn_before: timedelta, terminal: Collection[str]
) -> list[Deadline]:
    """Every deadline the order has, named and in step order (pure: reads the row only)."""
    ended = (order.closed_at or now) if order.status in terminal else None
    result = []
    for name, due_field, done_field in STEPS:
        due = getattr(order, due_field)
        if due is None:
            continue
        done = getattr(order, done_field)
        state = deadline_state(due=due, done=done, ended=ended, now=now, warn_before=warn_before)
        text = countdown_text(state=state, due=due, done=done, now=now)
        result.append(Deadline(name, due, done, state, text))
    return result


def running_name(order: _Order) -> str:
    """The name of the step whose deadline is the order's running one (``due_at``), or ""."""
    due_at = getattr(order, "due_at", None)
    if due_at is None:
        return ""
    for name, due_field, done_field in STEPS:
        if getattr(order, due_field) == due_at and getattr(order, done_field) is None:
            return name
    return ""


def running_line(order: _Order) -> str:
    """The running deadline as one line for a message ("接单时限：2026年12月4日 10:30"), or ""."""
    name, due_at = running_name(order), getattr(order, "due_at", None)
    if not name or due_at is None:
        return ""
    due = timezone.localtime(due_at)
    return _("%(label)s: %(due)s") % {
        "label": STEP_LABELS[name],
        "due": date_format(due, "DATETIME_FORMAT"),
    }
