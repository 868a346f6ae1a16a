"""The call history by half hour from the database (both vendors), and the requirement
page built on it."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from postdesk.calls.models import Call
from postdesk.workforce.models import ForecastOverride
from postdesk.workforce.selectors import call_history, staffing_requirement

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def make_call(n: int, at: datetime, talk: float | None = 100.0, acw: float | None = 20.0):
    Call.objects.create(
        call_id=f"h{n}",
        direction="in",
        started_at=at,
        answered_at=at + timedelta(seconds=5) if talk is not None else None,
        ended_at=at + timedelta(seconds=5 + (talk or 0)),
        talk_seconds=talk,
        acw_seconds=acw,
        outcome="answered" if talk is not None else "abandoned",
    )


def test_calls_are_counted_in_their_local_half_hour(staff):
    day = date(2026, 11, 2)
    make_call(1, datetime(2026, 11, 2, 9, 0, 0, tzinfo=SH))
    make_call(2, datetime(2026, 11, 2, 9, 29, 59, 900000, tzinfo=SH))  # still 09:00–09:30
    make_call(3, datetime(2026, 11, 2, 9, 30, 0, tzinfo=SH), talk=200, acw=None)
    make_call(
        4, datetime(2026, 11, 2, 0, 10, tzinfo=SH), talk=None
    )  # abandoned, just after midnight
    make_call(5, datetime(2026, 11, 1, 23, 50, tzinfo=SH))  # the day before: outside
    Call.objects.create(
        call_id="out", direction="out", started_at=datetime(2026, 11, 2, 9, 5, tzinfo=SH)
    )
    history = call_history(user=staff["lead1"], first=day, last=day)
    assert {k: (v.offered, v.handled, v.handle_seconds) for k, v in history.slots.items()} == {
        (day, 18): (2, 2, 240.0),
        (day, 19): (1, 1, 200.0),
        (day, 0): (1, 0, 0.0),
    }
    # an agent sees only its own calls
    assert call_history(user=staff["agent1"], first=day, last=day).slots == {}


def test_the_requirement_from_history_with_an_override(staff):
    today = date(2026, 11, 30)
    # twelve weeks (the history used) of Mondays with 40 calls at 10:00 (AHT 120 s)
    n = 0
    for week in range(1, 13):
        day = today - timedelta(days=7 * week)
        for i in range(40):
            n += 1
            make_call(
                n,
                datetime.combine(day, datetime.min.time(), SH)
                + timedelta(hours=10, seconds=i * 40),
                talk=100,
                acw=20,
            )
    first = date(2026, 12, 7)  # a Monday
    ForecastOverride.objects.create(
        unit=staff["lead1"].unit, start=datetime(2026, 12, 7, 11, 0, tzinfo=SH), calls=90
    )
    req = staffing_requirement(user=staff["lead1"], first=first, days=1, today=today)
    rows = {r.slot: r for r in req.rows}
    assert len(req.rows) == 48
    assert rows[20].calls == pytest.approx(40) and rows[20].aht == pytest.approx(120)
    assert rows[20].staffing.traffic == pytest.approx(40 / 1800 * 120)
    assert rows[20].staffing.agents >= 3 and rows[20].staffing.scheduled >= rows[20].staffing.agents
    assert rows[22].calls == 90 and rows[22].overridden
    assert rows[2].calls == 0 and rows[2].staffing.agents == 0


def test_the_requirement_page(staff, client_for):
    page = client_for("lead1").get("/workforce/staffing/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "人员需求预测" in html and 'id="req-data"' in html and "MAPE" in html
    bad = client_for("lead1").get("/workforce/staffing/?shrinkage=1&target_sl=abc")
    assert bad.status_code == 400
    assert client_for("agent1").get("/workforce/staffing/").status_code == 403
    # a manual figure for one half hour, then back to the forecast
    tomorrow = page.context["req"].rows[0].start + timedelta(hours=10)
    client = client_for("lead1")
    assert (
        client.post(
            "/workforce/staffing/", {"start": tomorrow.isoformat(), "calls": "77"}
        ).status_code
        == 200
    )
    assert ForecastOverride.objects.get().calls == 77
    assert (
        client.post(
            "/workforce/staffing/", {"start": tomorrow.isoformat(), "calls": "-3"}
        ).status_code
        == 400
    )
    assert ForecastOverride.objects.get().calls == 77
    client.post("/workforce/staffing/", {"start": tomorrow.isoformat(), "calls": ""})
    assert not ForecastOverride.objects.exists()
