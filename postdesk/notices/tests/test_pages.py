"""The notice pages: issue form, list, the notice's page, the unit's inbox with its
one-step feedback, the team lead's chase list (server-rendered, in Chinese)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from postdesk.core.models import AccessLogEntry
from postdesk.notices.models import Notice
from postdesk.notices.services import notice_act, notice_issue

pytestmark = pytest.mark.django_db
WAYBILL = "EA473124829CN"


def make(staff, kind="redelivery", unit="WZ-LC01", **extra):
    return notice_issue(
        actor=staff["agent1"],
        kind=kind,
        unit=unit,
        waybill_no=WAYBILL if kind != "pickup" else "",
        phone="13812345678",
        name="张三",
        address="鹿城区五马街88号3单元",
        text="客户要求明天上午再投",
        **extra,
    )


def test_the_agent_issues_a_notice_from_the_form(client_for, org):
    agent = client_for("agent1")
    form = agent.get("/notices/new/?waybill=EA473124829CN&phone=13812345678&kind=redelivery")
    assert form.status_code == 200
    html = form.content.decode()
    assert 'value="EA473124829CN"' in html and "下发通知" in html
    r = agent.post(
        "/notices/new/",
        {
            "kind": "redelivery",
            "unit": "WZ-LC01",
            "waybill_no": "EA473124829CN",
            "phone": "13812345678",
            "name": "张三",
            "window_start": "2026-12-10T09:00",
            "window_end": "2026-12-10T12:00",
            "text": "明天上午再投",
        },
    )
    notice = Notice.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/notices/{notice.number}/"
    page = agent.get(r["Location"]).content.decode()
    assert "再投" in page and "已下发" in page and "138****5678" in page


@pytest.mark.parametrize(
    ("fields", "bad", "message"),
    [
        ({"waybill_no": ""}, "waybill_no", "邮件号"),
        ({"phone": "12"}, "phone", "电话"),
        ({"window_start": "2026-12-10T12:00", "window_end": "2026-12-10T09:00"}, "window_end", ""),
        ({"work_order": "W000"}, "work_order", "工单"),
    ],
)
def test_bad_input_on_the_form_names_the_field_and_writes_nothing(
    client_for, org, fields, bad, message
):
    body = {"kind": "redelivery", "unit": "WZ-LC01", "waybill_no": WAYBILL, "phone": "13812345678"}
    body.update(fields)
    r = client_for("agent1").post("/notices/new/", body)
    assert r.status_code == 400
    assert f'data-testid="{bad}-error"' in r.content.decode()
    assert message in r.content.decode()
    assert not Notice.objects.exists()


def test_the_units_inbox_feeds_back_in_one_step(client_for, staff):
    notice = make(staff)
    branch = client_for("branch1")
    inbox = branch.get("/notices/inbox/").content.decode()
    assert notice.number in inbox and "确认收到" in inbox and "138****5678" in inbox
    r = branch.post(
        f"/notices/{notice.number}/act/feedback/",
        {"result": "failed", "reason": "customer_absent", "text": "两次上门无人", "next": "inbox"},
    )
    assert r.status_code == 302 and r["Location"] == "/notices/inbox/"
    notice.refresh_from_db()
    assert notice.status == "fed_back" and notice.result == "failed"
    assert notice.acknowledged_at is not None and notice.fed_back_by == staff["branch1"]
    after = branch.get("/notices/inbox/").content.decode()
    assert "反馈：已完成" in after  # the message after the redirect
    assert f'data-number="{notice.number}"' not in after


def test_another_units_handler_gets_404_and_sees_nothing(client_for, staff):
    notice = make(staff)
    other = client_for("branch2")
    assert other.get(f"/notices/{notice.number}/").status_code == 404
    r = other.post(f"/notices/{notice.number}/act/feedback/", {"result": "done"})
    assert r.status_code == 404
    assert notice.number not in other.get("/notices/inbox/").content.decode()
    notice.refresh_from_db()
    assert notice.status == "issued"


def test_a_refused_action_is_shown_on_the_page_and_changes_nothing(client_for, staff):
    notice = make(staff)
    notice_act(
        actor=staff["agent1"], notice=notice, action="cancel", payload={"reason": "客户撤销"}
    )
    r = client_for("branch1").post(f"/notices/{notice.number}/act/feedback/", {"result": "done"})
    assert r.status_code == 409
    assert 'data-testid="action-error"' in r.content.decode()
    notice.refresh_from_db()
    assert notice.status == "cancelled" and notice.fed_back_at is None
    missing = client_for("branch1")
    fresh = make(staff)
    r = missing.post(f"/notices/{fresh.number}/act/feedback/", {"result": "failed"})
    assert r.status_code == 400 and "原因" in r.content.decode()


def test_the_chase_list_is_the_team_leads_oldest_first(client_for, staff):
    now = timezone.now()
    old = make(staff, now=now - timedelta(days=3))
    new = make(staff)
    done = make(staff)
    notice_act(actor=staff["branch1"], notice=done, action="feedback", payload={"result": "done"})
    page = client_for("lead1").get("/notices/chase/")
    html = page.content.decode()
    assert page.status_code == 200
    assert html.index(old.number) < html.index(new.number) and done.number not in html
    assert "超时" in html
    assert client_for("agent1").get("/notices/chase/").status_code == 404


def test_the_list_filters_and_the_full_contact_is_logged(client_for, staff):
    a = make(staff)
    b = make(staff, kind="pickup")
    agent = client_for("agent1")
    html = agent.get("/notices/?kind=pickup").content.decode()
    assert b.number in html and a.number not in html
    assert "张*" in html and "张三" not in html
    r = agent.post(f"/notices/{a.number}/contact/")
    assert r.status_code == 200 and "13812345678" in r.content.decode().replace(" ", "")
    assert AccessLogEntry.objects.filter(subject_type="notice").count() == 1
    assert agent.get(f"/notices/{a.number}/contact/").status_code == 302  # GET: back


def test_the_detail_shows_the_customer_sms_and_who_read_it(client_for, staff):
    notice = make(staff)
    branch = client_for("branch1")
    html = branch.get(f"/notices/{notice.number}/").content.decode()
    assert "再投已安排" in html  # the customer's SMS of this kind, by its Chinese name
    lead_html = client_for("lead1").get(f"/notices/{notice.number}/").content.decode()
    assert "已读" in lead_html  # branch1 opened it


def test_the_sms_templates_page_for_leads(client_for, org, settings):
    settings.SMS_TEMPLATE_CODES = {"pickup_confirmed": "SMS_300001"}
    lead = client_for("lead1")
    html = lead.get("/notifications/sms/templates/").content.decode()
    assert "揽收已确认" in html and "SMS_300001" in html and "{window}" in html
    assert "21:00" in html and "08:00" in html
    assert "短信模板" in lead.get("/notices/").content.decode()
    assert client_for("agent1").get("/notifications/sms/templates/").status_code == 404
