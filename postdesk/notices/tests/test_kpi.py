"""The fourth target: the reference rules on a hand-computed month, and the SQL selector
against the reference (both databases), the command and the month report."""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from postdesk.core.periods import Month
from postdesk.notices.kpi_rules import NoticeFacts, notice_kpi_reference
from postdesk.notices.models import Notice
from postdesk.notices.selectors import notice_kpi

SH = ZoneInfo("Asia/Shanghai")
NOV = Month(2026, 11)


def at(day: int, hour: int = 10, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=SH)


AS_OF = at(30, 18)
# The hand-computed month (November 2026, as of the 30th 18:00):
HAND = [
    # number, kind, unit, issued, due, first feedback, cancelled
    ("on-time", "pickup", "A", at(2), at(2, 14), at(2, 12), None),
    ("late", "pickup", "A", at(3), at(3, 14), at(4, 9), None),  # fed back, not in time
    ("wrong-unit", "redelivery", "A", at(5), at(6), at(5, 15), None),  # counts as feedback
    ("none-yet", "redelivery", "B", at(10), at(11), None, None),  # issued, no feedback
    ("after-as-of", "hold", "B", at(20), at(21), at(30, 19), None),  # feedback not known yet
    ("cancelled-early", "hold", "B", at(12), at(13), None, at(12, 11)),  # excluded
    ("cancelled-late", "hold", "B", at(14), at(15), None, at(16)),  # after its deadline: counts
    ("cancel-after-as-of", "pickup", "A", at(29), at(30, 20), None, at(30, 19)),  # counts
    ("october", "pickup", "A", at(31, 10, 10), at(31, 14, 10), at(31, 11, 10), None),  # not Nov
    ("december", "pickup", "A", at(1, 10, 12), at(1, 14, 12), None, None),  # not Nov
    ("deadline-exact", "intercept", "B", at(25), at(25, 15), at(25, 15), None),  # in time
]
EXPECTED = {
    "month": "2026-11",
    "issued": 8,
    "fed_back": 4,
    "fed_back_in_time": 3,
    "rate": 0.5,
    "timely_rate": 0.375,
    "by_unit": [
        {
            "unit": "A",
            "issued": 4,
            "fed_back": 3,
            "fed_back_in_time": 2,
            "rate": 0.75,
            "timely_rate": 0.5,
        },
        {
            "unit": "B",
            "issued": 4,
            "fed_back": 1,
            "fed_back_in_time": 1,
            "rate": 0.25,
            "timely_rate": 0.25,
        },
    ],
    "by_kind": [
        {
            "kind": "hold",
            "issued": 2,
            "fed_back": 0,
            "fed_back_in_time": 0,
            "rate": 0.0,
            "timely_rate": 0.0,
        },
        {
            "kind": "intercept",
            "issued": 1,
            "fed_back": 1,
            "fed_back_in_time": 1,
            "rate": 1.0,
            "timely_rate": 1.0,
        },
        {
            "kind": "pickup",
            "issued": 3,
            "fed_back": 2,
            "fed_back_in_time": 1,
            "rate": 2 / 3,
            "timely_rate": 1 / 3,
        },
        {
            "kind": "redelivery",
            "issued": 2,
            "fed_back": 1,
            "fed_back_in_time": 1,
            "rate": 0.5,
            "timely_rate": 0.5,
        },
    ],
}


def facts(rows):
    return [NoticeFacts(n, k, u, i, d, f, c) for n, k, u, i, d, f, c in rows]


def test_the_reference_on_the_hand_computed_month():
    got = notice_kpi_reference(
        facts(HAND), month="2026-11", start=NOV.start, end=NOV.end, as_of=AS_OF
    )
    assert got == EXPECTED


def test_an_empty_month_has_no_rates():
    got = notice_kpi_reference([], month="2026-11", start=NOV.start, end=NOV.end, as_of=AS_OF)
    assert got["issued"] == 0 and got["rate"] is None and got["timely_rate"] is None
    assert got["by_unit"] == [] and got["by_kind"] == []


def test_naive_times_are_refused():
    with pytest.raises(ValueError):
        NoticeFacts("x", "pickup", "A", datetime(2026, 11, 1), at(2))


def store(rows, org, units):
    """The facts as notice rows (units A and B are two demo branches)."""
    for index, (number, kind, unit, issued, due, fed, cancelled) in enumerate(rows):
        u = org[units[unit]]
        Notice.objects.create(
            number=f"T{index:06d}{number[:10]}",
            kind=kind,
            unit=u,
            issued_unit=u,
            status="cancelled" if cancelled else ("fed_back" if fed else "issued"),
            issued_at=issued,
            due_at=due,
            leg_due_at=due,
            first_feedback_at=fed,
            fed_back_at=fed,
            result="done" if fed else "",
            cancelled_at=cancelled,
        )


UNITS = {"A": "WZ-LC01", "B": "WZ-LW01"}


def coded(expected):
    """The expectation with the demo units' codes for A and B."""
    doc = json.loads(json.dumps(expected))
    for row in doc["by_unit"]:
        row["unit"] = UNITS[row["unit"]]
    return doc


@pytest.mark.django_db
def test_the_sql_selector_answers_the_hand_computed_month(org, staff):
    store(HAND, org, UNITS)
    assert notice_kpi(user=staff["director1"], month=NOV, as_of=AS_OF) == coded(EXPECTED)
    # a handler sees its own unit only
    mine = notice_kpi(user=staff["branch1"], month=NOV, as_of=AS_OF)
    assert mine["issued"] == 4 and [u["unit"] for u in mine["by_unit"]] == ["WZ-LC01"]


@pytest.mark.django_db
def test_the_sql_selector_equals_the_reference_on_random_months(org, staff):
    rng = random.Random(15)
    kinds = ["pickup", "redelivery", "appointment", "address_change", "hold", "intercept", "other"]
    rows = []
    for n in range(400):
        issued = NOV.start + timedelta(minutes=rng.randint(-3000, 46000))
        due = issued + timedelta(hours=rng.choice([1, 4, 24, 30]))
        fed = issued + timedelta(hours=rng.uniform(0, 40)) if rng.random() < 0.8 else None
        cancelled = (
            issued + timedelta(hours=rng.uniform(0, 40))
            if fed is None and rng.random() < 0.3
            else None
        )
        rows.append((f"r{n}", rng.choice(kinds), rng.choice("AB"), issued, due, fed, cancelled))
    store(rows, org, UNITS)
    for as_of in (
        NOV.start + timedelta(days=10),
        NOV.end - timedelta(hours=3),
        NOV.end + timedelta(days=5),
    ):
        expected = notice_kpi_reference(
            facts(rows), month="2026-11", start=NOV.start, end=NOV.end, as_of=as_of
        )
        got = notice_kpi(user=staff["admin"], month=NOV, as_of=as_of)
        assert got == coded(expected)


@pytest.mark.django_db
def test_the_command_prints_the_same(org, staff):
    store(HAND, org, UNITS)
    out = StringIO()
    call_command(
        "notice_kpi", "--month", "2026-11", "--as-of", AS_OF.isoformat(), "--json", stdout=out
    )
    printed = json.loads(out.getvalue())
    assert printed.pop("as_of") == AS_OF.isoformat()
    assert printed == coded(EXPECTED)
    text = StringIO()
    call_command("notice_kpi", "--month", "2026-11", "--as-of", AS_OF.isoformat(), stdout=text)
    assert "8 issued" in text.getvalue() and "50.00%" in text.getvalue()
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("notice_kpi", "--month", "2026-13")
