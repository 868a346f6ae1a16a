"""League tables: units' figures agree with the complaint and notice KPIs, agents' with
their recorded work; ranges, sorting, scope, the API and the page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from postdesk.core.errors import ValidationFailed
from postdesk.reports.league import agent_league, unit_league
from postdesk.reports.tests.test_month_report import MONTH, four_target_month
from postdesk.workorders.tests.conftest import act, make_order  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


def _replied_complaint(make_order, act, unit="WZ-LC01", branch="branch1"):  # noqa: F811
    order = act(make_order(), "agent1", "dispatch", unit=unit)
    order = act(order, branch, "accept")
    order = act(order, branch, "feedback", text="已核实", ruling="responsible")
    return act(order, "agent1", "reply", text="您好，您的邮件已找到，明天投递。")


def test_units_agree_with_the_kpis_and_sort_by_any_column(make_order, act, staff, tmp_path):  # noqa: F811
    four_target_month(make_order, act, tmp_path)
    act(make_order(), "agent1", "dispatch", unit="WZ-LW01")  # a second unit, not replied
    as_of = timezone.now() + timedelta(days=1)
    rows = unit_league(user=staff["director1"], first=MONTH, as_of=as_of)
    by_unit = {r["unit"]: r for r in rows}
    lc = by_unit["WZ-LC01"]
    assert (lc["complaints"], lc["replied"], lc["ruled_against"]) == (1, 1, 1)
    assert lc["reply_rate"] == 1.0
    assert (lc["notices"], lc["notice_feedback_rate"]) == (2, 0.5)
    lw = by_unit["WZ-LW01"]
    assert (lw["complaints"], lw["replied"], lw["reply_rate"]) == (1, 0, 0.0)
    worst_first = unit_league(
        user=staff["director1"], first=MONTH, as_of=as_of, sort="reply_rate", desc=False
    )
    assert [r["unit"] for r in worst_first if r["reply_rate"] is not None][:2] == [
        "WZ-LW01",
        "WZ-LC01",
    ]
    own = unit_league(user=staff["branch1"], first=MONTH, as_of=as_of)
    assert {r["unit"] for r in own} <= {"WZ-LC01"}  # a branch sees its own unit only
    with pytest.raises(ValidationFailed) as bad:
        unit_league(user=staff["director1"], first=MONTH, as_of=as_of, sort="nope")
    assert "sort" in bad.value.fields


def test_agents_count_their_orders_and_follow_ups(make_order, act, staff):  # noqa: F811
    order = _replied_complaint(make_order, act)
    act(order, "agent1", "follow_up", satisfaction="satisfied", text="客户满意")
    make_order(by="agent2")
    rows = {
        r["agent"]: r for r in agent_league(user=staff["lead1"], first=MONTH, as_of=timezone.now())
    }
    assert rows["agent1"]["orders_taken"] == 1 and rows["agent2"]["orders_taken"] == 1
    assert rows["agent1"]["follow_ups"] == 1 and rows["agent1"]["satisfaction_rate"] == 1.0
    assert rows["agent2"]["satisfaction_rate"] is None  # no follow-ups: no rate, not 0


def test_a_range_is_bounded_and_ordered(staff):
    with pytest.raises(ValidationFailed) as backwards:
        unit_league(
            user=staff["director1"], first=MONTH, last=MONTH.shift(-1), as_of=timezone.now()
        )
    assert "to" in backwards.value.fields
    with pytest.raises(ValidationFailed):
        agent_league(
            user=staff["director1"], first=MONTH.shift(-13), last=MONTH, as_of=timezone.now()
        )
    assert (
        unit_league(
            user=staff["director1"], first=MONTH.shift(-2), last=MONTH, as_of=timezone.now()
        )
        == []
    )


def test_the_api_and_the_page(client_for, api_for, make_order, act):  # noqa: F811
    _replied_complaint(make_order, act)
    director = api_for("director1")
    units = director.get(f"/api/v1/reports/league/units?month={MONTH}&sort=reply_rate").json()
    assert units[0]["unit"] == "WZ-LC01" and units[0]["reply_rate"] == 1.0
    agents = director.get(f"/api/v1/reports/league/agents?month={MONTH}").json()
    assert any(a["agent"] == "agent1" for a in agents)
    bad = director.get(f"/api/v1/reports/league/units?month={MONTH}&sort=nope")
    assert bad.status_code == 400 and "sort" in bad.json()["fields"]
    assert api_for("agent1").get("/api/v1/reports/league/units").status_code == 403
    page = client_for("director1").get(f"/reports/league/?month={MONTH}&unit_sort=overdue")
    body = page.content.decode()
    assert page.status_code == 200 and "鹿城支局" in body and "回复率" in body
    assert client_for("agent1").get("/reports/league/").status_code == 404
