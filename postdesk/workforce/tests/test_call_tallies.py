"""The call tallies give the forecast the same history as the calls themselves: for every
reader's scope, tallied or not, partly tallied, after a re-tally (both vendors)."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from postdesk.calls.models import Call
from postdesk.core.errors import ValidationFailed
from postdesk.org.models import Role
from postdesk.org.services import staff_create
from postdesk.workforce.models import CallTally, TalliedDay
from postdesk.workforce.selectors import call_history
from postdesk.workforce.services.tallies import call_tallies_nightly, call_tallies_refresh

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
FIRST = date(2026, 11, 2)
DAYS = 6
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=SH)


def _figures(history):
    return {k: (v.offered, v.handled, round(v.handle_seconds, 6)) for k, v in history.slots.items()}


@pytest.fixture
def calls(org, staff):
    """Random inbound calls over six days: answered by agents of two units, by a user
    without a unit, or unanswered in a unit's queue; a few outbound ones (not counted)."""
    rng = random.Random(18)
    county_agent = staff_create(
        username="agent_ra", password=None, role=Role.AGENT, unit=org["RA-11185"]
    )
    unitless = staff_create(username="ops", password=None, role=Role.ADMIN, unit=None)
    answerers = [staff["agent1"], county_agent, unitless, None, None]
    queues = [org["WZ-LC01"], org["RA-11185"], None]
    rows = []
    for n in range(600):
        day = FIRST + timedelta(days=rng.randrange(DAYS + 1))  # the last one: outside
        at = datetime.combine(day, time(), tzinfo=SH) + timedelta(seconds=rng.randrange(86400))
        agent = rng.choice(answerers)
        talk = None if agent is None or rng.random() < 0.1 else float(rng.randrange(30, 600))
        rows.append(
            Call(
                call_id=f"t{n}",
                direction="out" if rng.random() < 0.05 else "in",
                started_at=at,
                agent=agent,
                unit=rng.choice(queues),
                talk_seconds=talk,
                acw_seconds=None if talk is None else float(rng.randrange(0, 60)),
                outcome="answered" if talk is not None else "abandoned",
            )
        )
    Call.objects.bulk_create(rows)
    return rows


@pytest.fixture
def readers(org, staff):
    # a county centre's lead: the county's calls only
    scoped = staff_create(username="lead_ra", password=None, role=Role.LEAD, unit=org["RA-11185"])
    return [staff["lead1"], staff["director1"], staff["admin"], scoped, staff["agent1"]]


def test_a_tallied_history_equals_the_calls_history_for_every_reader(calls, readers):
    last = FIRST + timedelta(days=DAYS - 1)
    plain = {u.username: _figures(call_history(user=u, first=FIRST, last=last)) for u in readers}
    assert plain["lead_ra"] and plain["lead_ra"] != plain["director1"]  # a real scope
    # partly tallied (a hole in the middle), then fully
    call_tallies_refresh(days=[FIRST, FIRST + timedelta(days=1), last], now=NOW)
    assert CallTally.objects.exists() and TalliedDay.objects.count() == 3
    for days in ([], [FIRST + timedelta(days=i) for i in range(DAYS)]):
        call_tallies_refresh(days=days, now=NOW)
        for user in readers:
            history = call_history(user=user, first=FIRST, last=last)
            assert _figures(history) == plain[user.username], user.username


def test_a_re_tally_replaces_the_days_figures(calls, readers):
    call_tallies_refresh(days=[FIRST], now=NOW)
    late = Call.objects.create(
        call_id="late",
        direction="in",
        started_at=datetime.combine(FIRST, time(10, 5), tzinfo=SH),
        talk_seconds=100.0,
        acw_seconds=0.0,
    )
    lead = readers[0]
    before = call_history(user=lead, first=FIRST, last=FIRST).slots[(FIRST, 20)].offered
    call_tallies_refresh(days=[FIRST], now=NOW)
    after = call_history(user=lead, first=FIRST, last=FIRST).slots[(FIRST, 20)].offered
    assert after == before + 1
    late.delete()
    call_tallies_refresh(days=[FIRST], now=NOW)
    assert call_history(user=lead, first=FIRST, last=FIRST).slots[(FIRST, 20)].offered == before
    assert TalliedDay.objects.get(day=FIRST).calls == sum(
        t.offered for t in CallTally.objects.filter(day=FIRST)
    )


def test_only_a_closed_day_is_tallied_and_the_nightly_job_fills_the_window(calls):
    today = timezone.localtime(NOW, SH).date()
    with pytest.raises(ValidationFailed) as refused:
        call_tallies_refresh(days=[today], now=NOW)
    assert "days" in refused.value.fields and not TalliedDay.objects.exists()
    call_tallies_nightly(now=NOW)
    tallied = set(TalliedDay.objects.values_list("day", flat=True))
    assert max(tallied) == today - timedelta(days=1) and today not in tallied
    assert {FIRST + timedelta(days=i) for i in range(DAYS + 1)} <= tallied
    # the next night: only the last two days again and nothing missing
    stamp = datetime(2026, 11, 21, 1, 30, tzinfo=SH)
    call_tallies_nightly(now=stamp)
    again = TalliedDay.objects.filter(tallied_at=stamp).values_list("day", flat=True)
    assert sorted(again) == [date(2026, 11, 19), date(2026, 11, 20)]
