"""The call metrics on a hand-computed fixture, through the API and the command."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from django.core.management import call_command

from postdesk.calls.tests.helpers import SH, T0, inbound, post_event, ts

# prepared: the call metrics' aggregations behind the API
pytestmark = [pytest.mark.prepared, pytest.mark.django_db]

# Local day 2025-03-04 (Asia/Shanghai). Seconds after 09:00.
#  c1 answered at 10 s by 8001, hung up at 130, wrapup 160 -> in SL; handle 120+30
#  c2 answered at 30 s by 8002, hung up at 90, no wrapup   -> late;  handle 60
#  c3 hung up at 3 s                                        -> short abandoned
#  c4 hung up at 50 s                                       -> abandoned
#  c5 answered at 20 s by 8001, hung up 200, wrapup 210    -> in SL (<= 20 s); handle 190
#  c7 07:30 local (23:30 UTC the day before): answered 5 s by 8002, hangup 65 -> in SL; 60
#  c9 00:10 local on 03-05 (16:10 UTC on 03-04)            -> not this local day
#  o1 outbound                                              -> not offered
# offered 6, answered 4, abandoned 2, short 1; SL = 3/5; abandonment = 1/5;
# ASA = (10+30+20+5)/4 = 16.25; AHT = (150+60+190+60)/4 = 115
EXPECTED = {
    "offered": 6,
    "answered": 4,
    "abandoned": 2,
    "short_abandoned": 1,
    "service_level": 0.6,
    "abandonment_rate": 0.2,
    "asa_seconds": 16.25,
    "aht_seconds": 115.0,
    "answered_per_agent": {"8001": 2, "8002": 2},
}


@pytest.fixture
def fixture_day(cti, cti_token, org):
    inbound(
        cti,
        cti_token,
        "c1",
        start=0,
        caller="13800000001",
        answer=10,
        agent="8001",
        hangup=130,
        wrapup=160,
    )
    inbound(
        cti,
        cti_token,
        "c2",
        start=0,
        caller="13800000002",
        answer=30,
        agent="8002",
        hangup=90,
        queue="ems",
    )
    inbound(cti, cti_token, "c3", start=0, caller="13800000003", hangup=3, cause="cancel")
    inbound(cti, cti_token, "c4", start=0, caller="13800000004", hangup=50, cause="cancel")
    inbound(
        cti,
        cti_token,
        "c5",
        start=0,
        caller="13800000005",
        answer=20,
        agent="8001",
        hangup=200,
        wrapup=210,
    )
    early = datetime(2025, 3, 4, 7, 30, tzinfo=SH)
    inbound(
        cti,
        cti_token,
        "c7",
        start=(early - T0).total_seconds(),
        caller="13800000007",
        answer=(early - T0).total_seconds() + 5,
        agent="8002",
        hangup=(early - T0).total_seconds() + 65,
    )
    late = datetime(2025, 3, 5, 0, 10, tzinfo=SH)
    inbound(
        cti,
        cti_token,
        "c9",
        start=(late - T0).total_seconds(),
        caller="13800000009",
        answer=(late - T0).total_seconds() + 2,
        agent="8001",
        hangup=(late - T0).total_seconds() + 30,
    )
    post_event(
        cti,
        cti_token,
        event="newCall",
        call_id="o1",
        timestamp=ts(100),
        direction="out",
        from_="8001",
        to="13800000010",
        agent="8001",
    )
    post_event(cti, cti_token, event="answer", call_id="o1", timestamp=ts(110), agent="8001")
    post_event(cti, cti_token, event="hangup", call_id="o1", timestamp=ts(150))


def _check(result):
    for key, value in EXPECTED.items():
        assert result[key] == value, key


def test_metrics_through_the_api(fixture_day, api_for):
    response = api_for("lead1").get("/api/v1/reports/calls?date=2025-03-04")
    assert response.status_code == 200, response.content
    result = response.json()
    _check(result)
    assert result["by_day"]["2025-03-04"]["offered"] == 6
    assert result["by_half_hour"]["2025-03-04T09:00"]["offered"] == 5
    assert result["by_half_hour"]["2025-03-04T07:30"]["answered"] == 1
    assert result["by_queue"]["ems"]["answered"] == 1
    assert result["by_extension"]["8001"]["answered"] == 2
    assert result["by_user"]["agent2"]["answered"] == 2
    assert result["by_user"]["agent2"]["asa_seconds"] == 17.5
    assert result["from"].startswith("2025-03-04T00:00") and "from_" not in result
    assert result["to"].startswith("2025-03-05T00:00")


def test_metrics_of_a_period_and_thresholds(fixture_day, api_for):
    client = api_for("director1")
    result = client.get("/api/v1/reports/calls?from=2025-03-04&to=2025-03-05").json()
    assert result["offered"] == 7
    assert set(result["by_day"]) == {"2025-03-04", "2025-03-05"}
    # a 30 s threshold counts c2 in; a 2 s short-abandon time makes c3 an abandon
    result = client.get("/api/v1/reports/calls?date=2025-03-04&sl=30&short=2").json()
    assert result["short_abandoned"] == 0
    assert result["service_level"] == pytest.approx(4 / 6, abs=1e-6)
    assert result["abandonment_rate"] == pytest.approx(2 / 6, abs=1e-6)


def test_metrics_through_the_command(fixture_day, capsys):
    call_command("call_metrics", "--date", "2025-03-04", "--json")
    _check(json.loads(capsys.readouterr().out))


def test_empty_day_has_no_fractions(api_for, org):
    result = api_for("lead1").get("/api/v1/reports/calls?date=2024-01-01").json()
    assert result["offered"] == 0
    assert result["service_level"] is None and result["asa_seconds"] is None


@pytest.mark.parametrize(
    "query",
    [
        "",
        "?date=2025-13-01",
        "?from=2025-03-04",
        "?from=2025-03-05&to=2025-03-04",
        "?date=2025-03-04&sl=-1",
    ],
)
def test_bad_report_parameters_are_400(api_for, org, query):
    response = api_for("lead1").get(f"/api/v1/reports/calls{query}")
    assert response.status_code == 400
    assert response.json()["fields"]


def test_agents_do_not_get_the_centre_report(api_for, org):
    assert api_for("agent1").get("/api/v1/reports/calls?date=2025-03-04").status_code == 403
