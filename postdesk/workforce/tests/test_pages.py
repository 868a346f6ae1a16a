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
