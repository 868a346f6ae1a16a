"""Named deadlines: the state of each one, its countdown words, and the order's list
(pure code, every branch; the page is in test_browser_deadlines.py)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from postdesk.workorders.deadlines import (
    DeadlineState,
    countdown_text,
    deadline_state,
    format_span,
    order_deadlines,
    running_name,
    span_parts,
)

SH = ZoneInfo("Asia/Shanghai")
DUE = datetime(2026, 12, 3, 15, 0, tzinfo=SH)
WARN = timedelta(hours=1)
M = timedelta(minutes=1)
S = DeadlineState


def state(done=None, ended=None, now=DUE):
    return deadline_state(due=DUE, done=done, ended=ended, now=now, warn_before=WARN)


@pytest.mark.parametrize(
    "now, expected",
    [
        (DUE - WARN - M, S.RUNNING),
        (DUE - WARN, S.DUE_SOON),
        (DUE - M, S.DUE_SOON),
        (DUE, S.LATE),
        (DUE + timedelta(days=3), S.LATE),
    ],
)
def test_open_step_runs_then_warns_then_is_late(now, expected):
    assert state(now=now) is expected


@pytest.mark.parametrize(
    "done, expected", [(DUE - timedelta(days=2), S.MET), (DUE, S.MET), (DUE + M, S.BREACHED)]
)
def test_done_step_is_met_up_to_the_due_minute_and_breached_after(done, expected):
    # whatever now is and whether the order has ended, the step's own time decides
    for now, ended in itertools.product([DUE - WARN, DUE, DUE + WARN], [None, DUE + WARN]):
        assert state(done=done, ended=ended, now=now) is expected


@pytest.mark.parametrize(
    "ended, expected", [(DUE - M, S.NOT_REACHED), (DUE, S.NOT_REACHED), (DUE + M, S.BREACHED)]
)
def test_order_ended_without_the_step(ended, expected):
    for now in (DUE - WARN, DUE + WARN):
        assert state(ended=ended, now=now) is expected


def test_every_state_is_reachable():
    seen = {
        state(done=d, ended=e, now=n)
        for d, e, n in itertools.product(
            [None, DUE - M, DUE + M], [None, DUE - M, DUE + M], [DUE - 2 * WARN, DUE - M, DUE + M]
        )
    }
    assert seen == set(DeadlineState)


@pytest.mark.parametrize(
    "seconds, parts",
    [
        (-5, (0, 0, 0)),
        (0, (0, 0, 0)),
        (1, (0, 0, 1)),
        (60, (0, 0, 1)),
        (61, (0, 0, 2)),
        (3599, (0, 1, 0)),
        (3600 + 5 * 60, (0, 1, 5)),
        (86400, (1, 0, 0)),
        (2 * 86400 + 3 * 3600 + 59, (2, 3, 1)),
    ],
)
def test_span_parts_round_minutes_up(seconds, parts):
    assert span_parts(seconds) == parts


@pytest.mark.parametrize(
    "lang, seconds, text",
    [
        ("zh-hans", 2 * 86400 + 3 * 3600, "2 天 3 小时"),
        ("zh-hans", 3 * 3600 + 5 * 60, "3 小时 5 分"),
        ("zh-hans", 12 * 60, "12 分"),
        ("en", 2 * 86400 + 3 * 3600, "2 d 3 h"),
        ("en", 12 * 60, "12 min"),
    ],
)
def test_format_span_two_largest_units(lang, seconds, text):
    with translation.override(lang):
        assert format_span(seconds) == text


@pytest.mark.parametrize(
    "st, done, now, text",
    [
        (S.RUNNING, None, DUE - timedelta(hours=3), "剩余 3 小时 0 分"),
        (S.DUE_SOON, None, DUE - 20 * M, "剩余 20 分"),
        (S.LATE, None, DUE + timedelta(days=1, hours=2), "已超时 1 天 2 小时"),
        (S.MET, DUE - 90 * M, DUE, "提前 1 小时 30 分完成"),
        (S.BREACHED, DUE + 5 * M, DUE, "超时 5 分完成"),
        (S.NOT_REACHED, None, DUE, ""),
        (S.BREACHED, None, DUE, ""),
    ],
)
def test_countdown_words_in_chinese(st, done, now, text):
    with translation.override("zh-hans"):
        assert countdown_text(state=st, due=DUE, done=done, now=now) == text


@dataclass
class Row:
    status: str = "processing"
    closed_at: datetime | None = None
    due_at: datetime | None = None
    dispatch_due_at: datetime | None = None
    accept_due_at: datetime | None = None
    feedback_due_at: datetime | None = None
    reply_due_at: datetime | None = None
    dispatched_at: datetime | None = None
    accepted_at: datetime | None = None
    fed_back_at: datetime | None = None
    replied_at: datetime | None = None


def names_states(row, now):
    found = order_deadlines(row, now=now, warn_before=WARN, terminal=("closed", "cancelled"))
    return [(d.name, d.state) for d in found]


def test_order_lists_only_set_deadlines_in_step_order():
    row = Row(
        dispatch_due_at=DUE - timedelta(hours=6),
        dispatched_at=DUE - timedelta(hours=7),
        accept_due_at=DUE - timedelta(hours=2),
        accepted_at=DUE - timedelta(hours=1),
        feedback_due_at=DUE + 30 * M,
        reply_due_at=DUE + timedelta(days=5),
    )
    assert names_states(row, DUE) == [
        ("dispatch", S.MET),
        ("accept", S.BREACHED),
        ("feedback", S.DUE_SOON),
        ("reply", S.RUNNING),
    ]
    assert names_states(Row(), DUE) == []


def test_closed_order_says_met_breached_or_not_reached_never_running():
    row = Row(
        status="closed",
        closed_at=DUE + timedelta(hours=2),
        dispatch_due_at=DUE - timedelta(hours=6),
        dispatched_at=DUE - timedelta(hours=7),
        feedback_due_at=DUE,  # never fed back, closed after it fell due
        reply_due_at=DUE + timedelta(days=5),  # never replied, closed long before
    )
    got = names_states(row, DUE + timedelta(days=9))
    assert got == [("dispatch", S.MET), ("feedback", S.BREACHED), ("reply", S.NOT_REACHED)]


def test_running_name_is_the_step_whose_deadline_runs():
    row = Row(feedback_due_at=DUE, reply_due_at=DUE + timedelta(days=2), due_at=DUE)
    assert running_name(row) == "feedback"
    row.fed_back_at, row.due_at = DUE - M, row.reply_due_at
    assert running_name(row) == "reply"
    assert running_name(Row()) == ""
