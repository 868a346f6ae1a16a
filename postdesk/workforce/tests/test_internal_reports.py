"""Internal reports through the API: where each kind goes, its short flow, the seat out
of order, the director's acknowledgement and the chase, bad input changing nothing."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from postdesk.notify.models import Notification, OutboxMessage
from postdesk.workforce.models import InternalReport, InternalReportEvent
from postdesk.workforce.selectors import sales_leads_month, seats_out_of_order
from postdesk.workforce.services import internal_reports_chase

pytestmark = pytest.mark.django_db
URL = "/api/v1/internal-reports/"


def deliver() -> None:
    """Deliver what the outbox holds (the after-commit hand-off does not run inside a
    test's rolled-back transaction; the sweep is the same delivery path)."""
    from postdesk.notify.services import outbox_sweep

    outbox_sweep()


def post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


def test_an_equipment_fault_goes_to_maintenance_and_puts_the_seat_out_of_order(floor, api_for):
    agent = api_for("agent1")
    response = post(
        agent,
        URL,
        {"kind": "equipment_fault", "title": "耳麦无声", "text": "A01 耳麦没有声音", "seat": "A01"},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["kind"] == "equipment_fault" and body["status"] == "reported"
    assert body["unit"] == "WZ-YW" and body["number"].startswith("SB")
    assert body["due_at"] is not None
    seat = floor["seats"]["A01"]
    assert seat.pk in seats_out_of_order()
    deliver()
    # 运维部 is told (in-app and e-mail)
    assert Notification.objects.filter(user=floor["users"]["yw1"], title__contains="耳麦无声")
    assert OutboxMessage.objects.filter(channel="email", key__contains=body["number"]).exists()

    number = body["number"]
    # the agent may not move it on; 运维部's handler accepts, then fixes
    denied = post(agent, f"{URL}{number}/actions/accept/", {})
    assert denied.status_code == 403
    yw = api_for("yw1")
    assert yw.get(f"{URL}?kind=equipment_fault").json()["count"] == 1
    accepted = post(yw, f"{URL}{number}/actions/accept/", {"text": "马上到"})
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    assert accepted.json()["allowed_actions"] == ["fix", "cannot_fix"]
    assert post(yw, f"{URL}{number}/actions/accept/", {}).status_code == 409
    stale = post(yw, f"{URL}{number}/actions/fix/", {"version": 1})
    assert stale.status_code == 409 and stale.json()["code"] == "conflict"
    fixed = post(yw, f"{URL}{number}/actions/fix/", {"version": 2})
    assert fixed.json()["status"] == "fixed" and fixed.json()["closed_at"]
    assert seat.pk not in seats_out_of_order()
    actions = [e["action"] for e in fixed.json()["events"]]
    assert actions == ["create", "accept", "fix"]
    # another unit's handler does not even see it
    assert api_for("branch1").get(f"{URL}{number}/").status_code == 404


def test_a_major_situation_goes_to_the_director_who_acknowledges_it(floor, api_for):
    response = post(
        api_for("lead1"),
        URL,
        {"kind": "major_incident", "title": "鹿城支局投诉激增", "text": "一小时内 12 起投诉"},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["unit"] == "WZ-KA" and body["status"] == "reported"
    director = floor["users"]["director1"]
    deliver()
    note = Notification.objects.get(user=director, title__contains="投诉激增")
    assert note.level == "urgent"
    assert OutboxMessage.objects.filter(channel="email", key=f"email:report:{body['number']}:new")
    # the lead cannot acknowledge for the director
    number = body["number"]
    assert post(api_for("lead1"), f"{URL}{number}/actions/acknowledge/", {}).status_code == 403
    done = post(api_for("director1"), f"{URL}{number}/actions/acknowledge/", {"text": "已知悉"})
    assert done.status_code == 200
    assert done.json()["acknowledged_by"] == "director1" and done.json()["acknowledged_at"]
    again = post(api_for("director1"), f"{URL}{number}/actions/acknowledge/", {})
    assert again.status_code == 409


def test_a_major_situation_texts_a_director_with_a_mobile_only(floor, staff):
    from postdesk.notify.models import SmsMessage
    from postdesk.workforce.services import ReportInput, internal_report_create

    director = staff["director1"]
    director.phone = "0577-88880999"  # a landline: in-app and e-mail only
    director.save(update_fields=["phone"])
    first = internal_report_create(
        actor=staff["lead1"], data=ReportInput(kind="major_incident", title="安全事件")
    )
    assert not SmsMessage.objects.filter(related_id=first.number).exists()
    director.phone = "139 0000 1111"
    director.save(update_fields=["phone"])
    second = internal_report_create(
        actor=staff["lead1"], data=ReportInput(kind="major_incident", title="媒体来电")
    )
    sms = SmsMessage.objects.get(related_type="internal_report", related_id=second.number)
    assert sms.phone == "+8613900001111" and sms.urgent and sms.not_before is None
    assert second.number in sms.text and "媒体来电" in sms.text
    assert OutboxMessage.objects.filter(channel="sms", key=f"sms:{sms.key}").exists()
    # a business lead is not texted to anyone
    internal_report_create(
        actor=staff["lead1"],
        data=ReportInput(kind="sales_lead", title="批量寄递", product="bulk_mail",
                         contact_phone="13800002222"),
    )  # fmt: skip
    assert SmsMessage.objects.count() == 1


def test_the_chase_reminds_every_interval_until_acknowledged(floor, staff, settings):
    from postdesk.workforce.services import ReportInput, internal_report_create

    report = internal_report_create(
        actor=staff["lead1"],
        data=ReportInput(kind="major_incident", title="监管来电", text="省局来电督办"),
    )
    director = staff["director1"]
    start = report.last_chased_at
    assert internal_reports_chase(now=start + timedelta(minutes=9)) == 0
    assert internal_reports_chase(now=start + timedelta(minutes=10)) == 1
    assert internal_reports_chase(now=start + timedelta(minutes=15)) == 0  # not yet again
    assert internal_reports_chase(now=start + timedelta(minutes=20)) == 1
    report.refresh_from_db()
    assert report.chase_count == 2
    deliver()
    reminders = Notification.objects.filter(user=director, title__contains="提醒")
    assert reminders.count() == 2
    assert InternalReportEvent.objects.filter(report=report, action="chase").count() == 2
    from postdesk.workforce.services import internal_report_act

    internal_report_act(actor=director, report=report, action="acknowledge")
    assert internal_reports_chase(now=start + timedelta(hours=2)) == 0
    deliver()
    assert Notification.objects.filter(user=director, title__contains="提醒").count() == 2


def test_a_business_lead_goes_to_marketing_with_its_follow_up(floor, api_for, staff):
    response = post(
        api_for("agent1"),
        URL,
        {
            "kind": "sales_lead",
            "title": "公司批量寄递",
            "text": "每月约 3000 件",
            "product": "bulk_mail",
            "contact_phone": "13812345678",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["unit"] == "WZ-SC" and body["status"] == "new"
    assert body["contact_phone"] == "138****5678"  # masked by default
    number = body["number"]
    sc = api_for("sc1")
    assert post(sc, f"{URL}{number}/actions/contact/", {}).json()["status"] == "contacted"
    assert post(sc, f"{URL}{number}/actions/win/", {}).json()["status"] == "won"
    # the lead sees the follow-up status
    seen = api_for("lead1").get(f"{URL}?kind=sales_lead").json()
    assert [r["status"] for r in seen["results"]] == ["won"]
    from postdesk.core.periods import parse_month

    month = parse_month(timezone.localtime().strftime("%Y-%m"))
    counts = sales_leads_month(user=staff["lead1"], month=month)
    assert counts == {"total": 1, "new": 0, "contacted": 0, "won": 1, "lost": 0}
    assert sales_leads_month(user=staff["agent2"], month=month)["total"] == 0


@pytest.mark.parametrize(
    "body,field",
    [
        ({"kind": "rumour", "title": "x"}, "kind"),
        ({"kind": "equipment_fault", "title": "  "}, "title"),
        ({"kind": "equipment_fault", "title": "坏了", "seat": "Z99"}, "seat"),
        ({"kind": "equipment_fault", "title": "坏了"}, "seat"),
        ({"kind": "sales_lead", "title": "集邮", "product": "stamps", "contact_phone": "13812345678"}, "product"),  # noqa: E501
        ({"kind": "sales_lead", "title": "集邮", "product": "philately", "contact_phone": "12"}, "contact_phone"),  # noqa: E501
        ({"kind": "major_incident", "title": "媒体", "work_order": "20990101000001"}, "work_order"),
        ({"kind": "major_incident", "title": "媒体", "call": "no-such-call"}, "call"),
        ({"kind": "major_incident"}, "title"),
    ],
)  # fmt: skip
def test_bad_input_is_a_400_and_writes_nothing(floor, api_for, body, field):
    before = (InternalReport.objects.count(), Notification.objects.count())
    response = post(api_for("agent1"), URL, body)
    assert response.status_code == 400, response.content
    assert field in response.json()["fields"]
    assert (InternalReport.objects.count(), Notification.objects.count()) == before


def test_list_filters_are_checked(floor, api_for):
    client = api_for("lead1")
    assert client.get(f"{URL}?kind=nonsense").status_code == 400
    assert client.get(f"{URL}?status=nonsense").status_code == 400
    assert client.get(f"{URL}?page=0").status_code == 400
    assert client.get(f"{URL}nope/").status_code == 404
    assert post(client, f"{URL}nope/actions/fix/", {}).status_code == 404
