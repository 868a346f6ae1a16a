"""Scorecards per team: the agents' evaluations summed up by the agent's team (the nearest
org unit of type team at or above the agent's unit), over the API, the selectors the month
report calls, and the scorecards page."""

from __future__ import annotations

from datetime import date

import pytest

from postdesk.core.periods import parse_month
from postdesk.quality import selectors
from postdesk.quality.tests.test_api import URL, evaluate

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_teams(staff):
    from postdesk.org.models import Unit, UnitType, User
    from postdesk.org.services import unit_create
    from postdesk.quality.models import Quota

    centre = Unit.objects.get(code="WZ-11185")
    zx = unit_create(code="WZ-11185-ZX", name="专席班", type=UnitType.TEAM, parent=centre)
    desk = unit_create(code="WZ-11185-ZX1", name="投诉专席", type=UnitType.DEPARTMENT, parent=zx)
    User.objects.filter(username="agent2").update(unit=zx)
    User.objects.filter(username="agent3").update(unit=desk)  # a team's sub-unit counts
    month = date(2026, 11, 1)
    for username, calls in (("agent1", 10), ("agent4", 3), ("agent2", 10), ("agent3", 5)):
        Quota.objects.create(month=month, agent=User.objects.get(username=username), calls=calls)
    return zx


def _made(api, published, make_call):
    form = published()
    lead = api("lead1")
    assert evaluate(lead, form, {}, call=make_call("agent1").pk).status_code == 201  # 100
    assert evaluate(lead, form, {"answer": 2}, call=make_call("agent1").pk).status_code == 201
    assert evaluate(lead, form, {"greet": False}, call=make_call("agent2").pk).status_code == 201
    assert evaluate(lead, form, {"secret": False}, call=make_call("agent3").pk).status_code == 201
    return lead


def test_team_scorecards_sum_up_the_agents_of_each_team(
    api, published, make_call, two_teams, staff
):
    lead = _made(api, published, make_call)
    cards = lead.get(f"{URL}/scorecards", month="2026-11", by="team").json()["results"]
    rows = {c["team"]: c for c in cards}
    assert set(rows) == {"WZ-11185-HW", "WZ-11185-ZX"}
    hw, zx = rows["WZ-11185-HW"], rows["WZ-11185-ZX"]
    assert (hw["name"], hw["evaluated"], hw["average"]) == ("话务班", 2, "91.67")  # (100+83.33)/2
    assert (zx["name"], zx["evaluated"], zx["average"]) == ("专席班", 2, "38.89")  # (77.78+0)/2
    assert (hw["fatal_failed"], zx["fatal_failed"]) == (0, 1)
    assert (hw["quota"], zx["quota"]) == (13, 15)  # the sum of its agents' quotas
    assert [c["team"] for c in cards] == ["WZ-11185-HW", "WZ-11185-ZX"]  # league order
    assert {s["title"]: s["average"] for s in zx["sections"]} == {"开场": "66.67", "解答": "50.00"}
    assert hw["trend"] is None  # nothing in October
    one = lead.get(f"{URL}/scorecards", month="2026-11", team="WZ-11185-ZX").json()["results"]
    assert [(c["team"], c["evaluated"]) for c in one] == [("WZ-11185-ZX", 2)]
    bad = lead.get(f"{URL}/scorecards", month="2026-11", by="floor")
    assert bad.status_code == 400 and "by" in bad.json()["fields"]


def test_the_selectors_the_month_report_calls_are_scoped(
    api, published, make_call, two_teams, staff
):
    _made(api, published, make_call)
    month = parse_month("2026-11")
    director = staff["director1"]
    agents = selectors.agent_scorecards(user=director, month=month)
    assert [(r["agent"], str(r["average"])) for r in agents] == [
        ("agent1", "91.67"),
        ("agent2", "77.78"),
        ("agent3", "0.00"),
    ]
    teams = selectors.team_scorecards(user=director, month=month)
    assert [(r["team"], str(r["average"])) for r in teams] == [
        ("WZ-11185-HW", "91.67"),
        ("WZ-11185-ZX", "38.89"),
    ]
    assert selectors.unit_scorecards(user=director, month=month) == []  # no branch replies
    # an agent sees their own evaluations only, so their team's card is theirs alone
    own = selectors.team_scorecards(user=staff["agent2"], month=month)
    assert [(r["team"], r["evaluated"]) for r in own] == [("WZ-11185-ZX", 1)]
    assert selectors.team_scorecards(user=director, month=parse_month("2026-10")) == []


def test_the_scorecards_page_shows_the_teams(api, published, make_call, two_teams, client_for):
    _made(api, published, make_call)
    page = client_for("lead1").get("/quality/scorecards/?month=2026-11").content.decode()
    teams = page.split('data-testid="teams"')[1].split("</table>")[0]
    assert teams.index("话务班") < teams.index("专席班")
    assert "91.67" in teams and "38.89" in teams


def test_the_month_report_carries_the_scorecards(
    api, published, make_call, two_teams, staff, client_for
):
    import io

    from django.utils import timezone
    from openpyxl import load_workbook

    from postdesk.reports.excel import month_report_xlsx
    from postdesk.reports.selectors import month_report

    _made(api, published, make_call)
    month = parse_month("2026-11")
    report = month_report(user=staff["director1"], month=month, as_of=timezone.now())
    teams = {r["key"]: r for r in report["inspection"]["by_team"]}
    assert (teams["WZ-11185-ZX"]["evaluated"], teams["WZ-11185-ZX"]["average"]) == (2, 38.89)
    assert teams["WZ-11185-ZX"]["fatal_failed"] == 1 and teams["WZ-11185-HW"]["quota"] == 13
    agents = [r["key"] for r in report["inspection"]["by_agent"]]
    assert agents[0] == "agent1" and set(agents) == {"agent1", "agent2", "agent3"}
    assert report["inspection"]["by_unit"] == []  # no branch-reply evaluations
    # a branch handler's report has none (inspection is the floor's)
    assert (
        month_report(user=staff["branch1"], month=month, as_of=timezone.now())["inspection"] is None
    )

    page = client_for("director1").get("/reports/?month=2026-11").content.decode()
    assert "分班组质检" in page and "专席班" in page and "38.89" in page
    book = load_workbook(io.BytesIO(month_report_xlsx(report)))
    rows = {r[0]: r[1:] for r in book["分班组质检"].iter_rows(min_row=5, values_only=True)}
    assert rows["专席班"] == (2, 15, 38.89, 1)
