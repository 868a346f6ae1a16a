"""The workforce pages render for their readers, in Chinese, and their forms write
through the services (a bad form is a 400 that writes nothing)."""

from __future__ import annotations

import pytest

from postdesk.workforce.models import Handover, InternalReport

pytestmark = pytest.mark.django_db


def test_handover_pages(floor, client_for):
    lead = client_for("lead1")
    assert "交接班" in lead.get("/workforce/handovers/").content.decode()
    assert "新建交接班" in lead.get("/workforce/handovers/new/").content.decode()
    bad = lead.post("/workforce/handovers/new/", {"shift": "early", "text": ""})
    assert bad.status_code == 400 and Handover.objects.count() == 0
    made = lead.post(
        "/workforce/handovers/new/",
        {"shift": "early", "text": "系统升级后注意回访", "item_kind": ["equipment"],
         "item_ref": [""], "item_text": ["打印机卡纸"]},
    )  # fmt: skip
    assert made.status_code == 302
    handover = Handover.objects.get()
    page = client_for("lead2").get(f"/workforce/handovers/{handover.pk}/").content.decode()
    assert "打印机卡纸" in page and 'data-testid="ack-button"' in page
    own = lead.get(f"/workforce/handovers/{handover.pk}/").content.decode()
    assert 'data-testid="ack-button"' not in own
    acked = client_for("lead2").post(f"/workforce/handovers/{handover.pk}/", {"action": "ack"})
    assert acked.status_code == 302
    handover.refresh_from_db()
    assert handover.acknowledged_by.username == "lead2"
    again = client_for("lead2").post(f"/workforce/handovers/{handover.pk}/", {"action": "ack"})
    assert again.status_code == 400


def test_report_pages(floor, client_for):
    agent = client_for("agent1")
    assert "新建报告" in agent.get("/workforce/reports/new/").content.decode()
    bad = agent.post("/workforce/reports/new/", {"kind": "sales_lead", "title": "集邮"})
    assert bad.status_code == 400 and InternalReport.objects.count() == 0
    made = agent.post(
        "/workforce/reports/new/",
        {"kind": "equipment_fault", "title": "电脑蓝屏", "seat": "A02"},
    )
    assert made.status_code == 302
    report = InternalReport.objects.get()
    yw = client_for("yw1")
    page = yw.get(f"/workforce/reports/{report.number}/").content.decode()
    assert "电脑蓝屏" in page and "已上报" in page and 'value="accept"' in page
    assert yw.post(f"/workforce/reports/{report.number}/", {"action": "accept"}).status_code == 302
    report.refresh_from_db()
    assert report.status == "accepted"
    listing = client_for("lead1").get("/workforce/reports/").content.decode()
    assert report.number in listing and "已受理" in listing
    assert client_for("branch1").get(f"/workforce/reports/{report.number}/").status_code == 404


def test_roster_pages(floor, client_for, staff):
    from datetime import timedelta

    from django.utils import timezone

    from postdesk.workforce.models import Roster, RosterEntry, SwapRequest
    from postdesk.workforce.selectors import week_start_of

    week = week_start_of(timezone.localdate()) + timedelta(days=7)
    lead = client_for("lead1")
    page = lead.get(f"/workforce/rosters/?week={week}").content.decode()
    assert "按人员需求排本周的班" in page and "话务班" in page
    # a rule no roster can meet: a 400 naming it, nothing written
    bad = lead.post(
        "/workforce/rosters/",
        {"action": "build", "week": str(week), "rest_hours": "11", "max_consecutive_days": "6",
         "days_per_week": "5", "skill_min_english": "1"},
    )  # fmt: skip
    assert bad.status_code == 400 and "技能" in bad.content.decode()
    assert not Roster.objects.exists()
    wrong = lead.post("/workforce/rosters/", {"action": "build", "week": str(week),
                                              "rest_hours": "x"})  # fmt: skip
    assert wrong.status_code == 400 and not Roster.objects.exists()
    built = lead.post(
        "/workforce/rosters/",
        {"action": "build", "week": str(week), "rest_hours": "11", "max_consecutive_days": "6",
         "days_per_week": "5"},
    )  # fmt: skip
    assert built.status_code == 302
    roster = Roster.objects.get()
    assert roster.entries.count() == 40
    page = lead.get(f"/workforce/rosters/?week={week}").content.decode()
    assert 'data-testid="roster"' in page and "早班" in page and "最优覆盖" in page
    # a hand edit breaking the rest rule: 400, nothing changed
    agent = staff["agent1"]
    entries = {e.day: e for e in roster.entries.filter(user=agent)}
    day = next(d for d in sorted(entries) if d + timedelta(days=1) in entries)
    before = {e.pk: e.shift_id for e in roster.entries.all()}
    refused = lead.post(
        "/workforce/rosters/",
        {"action": "edit", "week": str(week), f"cell_{agent.pk}_{day}": "late",
         f"cell_{agent.pk}_{day + timedelta(days=1)}": "early"},
    )  # fmt: skip
    assert refused.status_code == 400 and "休息" in refused.content.decode()
    assert {e.pk: e.shift_id for e in roster.entries.all()} == before
    # the agent sees the schedule and asks for a swap; the lead approves it
    mine = client_for("agent1")
    schedule = mine.get("/workforce/schedule/").content.decode()
    assert "我的班表" in schedule and 'data-testid="schedule"' in schedule
    assert mine.get("/workforce/rosters/").status_code == 403
    entry = RosterEntry.objects.filter(user=agent).order_by("day").first()
    theirs = RosterEntry.objects.filter(day=entry.day, shift=entry.shift).exclude(user=agent)
    theirs = theirs.first() or RosterEntry.objects.filter(day=entry.day).exclude(user=agent).first()
    asked = mine.post(
        "/workforce/schedule/",
        {"action": "swap", "entry": entry.pk, "colleague_entry": theirs.pk, "reason": "看病"},
    )
    assert asked.status_code == 302, asked.content.decode()
    swap = SwapRequest.objects.get()
    assert "看病" in lead.get(f"/workforce/rosters/?week={week}").content.decode()
    decided = lead.post(
        "/workforce/rosters/", {"action": "reject", "week": str(week), "swap": swap.pk}
    )
    assert decided.status_code == 302
    swap.refresh_from_db()
    assert swap.status == "rejected"
    # days off: a past day is a 400; a coming one is listed
    past = mine.post("/workforce/schedule/", {"action": "day_off", "day": "2000-01-01"})
    assert past.status_code == 400
    coming = str(timezone.localdate() + timedelta(days=2))
    asked_off = mine.post("/workforce/schedule/", {"action": "day_off", "day": coming})
    assert asked_off.status_code == 302
    assert "已申请" in mine.get("/workforce/schedule/").content.decode()
