"""The month summary's sections that count in the database what the plain way counted
in Python (Hot paths in ARCHITECTURE.md) answer what the plain way answers: each is
checked here against the plain way written out over the same orders, on random
set-ups (the same file runs on SQLite and PostgreSQL)."""

from __future__ import annotations

import random
from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone

from postdesk.core.periods import Month
from postdesk.reports.sections import percentile, work_order_breakdowns
from postdesk.workorders.channels import CHANNELS, channel_of
from postdesk.workorders.flows import terminal_statuses
from postdesk.workorders.models import WorkOrder
from postdesk.workorders.tests.conftest import make_order  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db
MONTH = Month.current()
DETAILS = [{}, {"channel": "web"}, {"channel": "sms"}, {"channel": "other"}, {"channel": 5}]
DETAILS += [{"channel": ["phone"]}, {"channel": "bogus"}, {"channel": "walk_in"}, {"x": 1}]


@pytest.fixture
def random_month(make_order):  # noqa: F811
    """24 orders of the month with random channels, references, calls, statuses and
    reply times (some exactly equal, some replied after as-of), two outside it."""
    rng = random.Random(17)
    start = MONTH.start + timedelta(hours=2)
    closed = sorted(terminal_statuses())
    for i in range(26):
        order = make_order(rng.choice(["complaint", "consultation", "suggestion"]))
        created = start + timedelta(minutes=rng.randrange(0, 600))
        if i >= 24:
            created = MONTH.start - timedelta(days=2)
        reply = rng.choice([None, 3600, 3600, 7200.5, rng.randrange(60, 400_000)])
        WorkOrder.objects.filter(pk=order.pk).update(
            details=rng.choice(DETAILS),
            regulator_ref=rng.choice(["", "", f"12305-{i}"]),
            call_id=rng.choice(["", f"CALL-{i}", f"CALL-{i}"]),
            created_at=created,
            replied_at=None if reply is None else created + timedelta(seconds=reply),
            breached=rng.random() < 0.3,
            status=rng.choice([*closed, "processing", "new"]),
            closed_at=created + timedelta(hours=rng.choice([1, 2000])),
        )


def plain(as_of):
    """The plain way: every order of the month read, counted in Python."""
    closed = set(terminal_statuses())
    channels: dict[str, Counter] = {k: Counter() for k in CHANNELS}
    hours = []
    for o in WorkOrder.objects.filter(created_at__gte=MONTH.start, created_at__lt=MONTH.end):
        raw = o.details.get("channel") if isinstance(o.details, dict) else None
        key = channel_of(
            details_channel=raw if isinstance(raw, str) else None,
            regulator_ref=o.regulator_ref,
            call_id=o.call_id,
        )
        done = o.status in closed and o.closed_at is not None and o.closed_at <= as_of
        channels[key].update(created=1, closed=int(done), overdue=int(o.breached))
        if o.replied_at is not None and o.replied_at <= as_of:
            hours.append((o.replied_at - o.created_at).total_seconds() / 3600)
    by_channel = {
        k: {
            "created": c["created"],
            "closed": c["closed"],
            "open": c["created"] - c["closed"],
            "overdue": c["overdue"],
        }
        for k, c in channels.items()
    }
    median, p90 = percentile(hours, 0.5), percentile(hours, 0.9)
    reply_time = {
        "replied": len(hours),
        "median_hours": None if median is None else round(median, 2),
        "p90_hours": None if p90 is None else round(p90, 2),
    }
    return by_channel, reply_time


@pytest.mark.parametrize("hours_after", [1, 50, 3000])
def test_channels_and_reply_times_as_the_plain_way(random_month, staff, hours_after):
    as_of = MONTH.start + timedelta(hours=hours_after)
    as_of = min(as_of, timezone.now() + timedelta(days=400))
    wo = work_order_breakdowns(user=staff["director1"], month=MONTH, as_of=as_of)
    by_channel, reply_time = plain(as_of)
    got = {
        r["channel"]: {k: r[k] for k in ("created", "closed", "open", "overdue")}
        for r in wo["by_channel"]
    }
    assert got == by_channel
    assert sum(c["created"] for c in got.values()) == 24
    assert wo["reply_time"] == reply_time


def test_no_orders(staff):
    wo = work_order_breakdowns(user=staff["director1"], month=MONTH, as_of=timezone.now())
    assert wo["reply_time"] == {"replied": 0, "median_hours": None, "p90_hours": None}
    assert all(r["created"] == 0 for r in wo["by_channel"])
