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
from postdesk.org.models import Unit
from postdesk.reports.sections import most_overdue_units, percentile, work_order_breakdowns
from postdesk.reports.selectors import month_report, quality_targets, targets_compared
from postdesk.workorders.channels import CHANNELS, channel_of
from postdesk.workorders.flows import terminal_statuses
from postdesk.workorders.models import WorkOrder
from postdesk.workorders.selectors import complaint_headline, complaint_kpis
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


def test_most_overdue_units_as_the_plain_way(random_month, staff):
    """Every status a row can hold, overdue or not, some created after as-of: the
    partial index's filter counts what the plain exclude counted."""
    rng = random.Random(5)
    codes = [code for code, _label in WorkOrder._meta.get_field("status").choices]
    units = list(Unit.objects.values_list("pk", flat=True))
    as_of = timezone.now()
    for order in WorkOrder.objects.all():
        WorkOrder.objects.filter(pk=order.pk).update(
            status=rng.choice(codes),
            breached=rng.random() < 0.6,
            handling_unit_id=rng.choice([None, *units[:4]]),
            created_at=as_of + timedelta(minutes=rng.choice([-600, -1, 0, 5])),
        )
    closed = set(terminal_statuses())
    plain = Counter(
        o.handling_unit_id
        for o in WorkOrder.objects.all()
        if o.breached and o.created_at <= as_of and o.status not in closed
    )
    got = most_overdue_units(user=staff["director1"], as_of=as_of)
    names = Unit.objects.in_bulk([k for k in plain if k])
    # five groups (no unit, four units): all shown; where a tie's no-unit row goes is
    # the database's NULL order
    pairs = [(r["unit"] or "", r["overdue"]) for r in got]
    assert sorted(pairs) == sorted((names[k].code if k else "", n) for k, n in plain.items())
    assert [n for _u, n in pairs] == sorted((n for _u, n in pairs), reverse=True)
    assert sum(plain.values()) > 0


@pytest.mark.parametrize("reader", ["director1", "ra_lead1"])
def test_complaint_headline_is_complaint_kpis_headline(random_month, staff, reader):
    user = staff[reader]
    for month in (MONTH, MONTH.shift(-1)):
        full = complaint_kpis(user=user, month=month)
        keys = ("complaints", "replied", "reply_rate", "timely", "timely_rate")
        assert complaint_headline(user=user, month=month) == {k: full[k] for k in keys}
    as_of = timezone.now()
    kpis = complaint_kpis(user=user, month=MONTH)
    assert kpis["complaints"] > 0 or reader != "director1"
    given = quality_targets(user=user, month=MONTH, as_of=as_of, complaints=kpis)
    assert given == quality_targets(user=user, month=MONTH, as_of=as_of)
    report = month_report(user=user, month=MONTH, as_of=as_of)
    assert report["targets"] == targets_compared(user=user, month=MONTH, as_of=as_of)
