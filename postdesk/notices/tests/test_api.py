"""One test per endpoint and error of /api/v1/notices/ and /api/v1/reports/notices."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import quote

import pytest
from django.utils import timezone

from postdesk.core.models import AccessLogEntry
from postdesk.notices.models import Notice, NoticeEvent, NoticeRecipient
from postdesk.notify.models import Notification, OutboxMessage

pytestmark = pytest.mark.django_db
WAYBILL = "EA473124829CN"


def issue(client, **fields):
    body = {
        "kind": "redelivery",
        "unit": "WZ-LC01",
        "waybill_no": WAYBILL,
        "phone": "13812345678",
        "name": "张三",
        "address": "鹿城区五马街88号3单元",
        "text": "客户要求明天上午再投",
    }
    body.update(fields)
    return client.post("/api/v1/notices/", body)


def test_issue_returns_201_with_the_notice_and_tells_the_unit(api, org, staff):
    r = issue(api("agent1"))
    assert r.status_code == 201, r.json()
    data = r.json()
    assert data["number"].startswith("N") and data["kind"] == "redelivery"
    assert data["status"] == "issued" and data["unit"] == "WZ-LC01" and data["due_at"]
    assert data["phone"] == "138****5678" and data["name"] == "张*"  # masked
    assert data["address"].endswith("****")
    assert data["allowed_actions"] == ["acknowledge", "feedback", "reroute", "cancel"]
    # the unit's handler: in-app (delivered) and e-mail
    recipient = NoticeRecipient.objects.get(user=staff["branch1"])
    assert recipient.delivered_at is not None and recipient.read_at is None
    assert Notification.objects.filter(user=staff["branch1"]).exists()
    assert OutboxMessage.objects.filter(channel="email", key__endswith=":email").exists()
    assert data["events"][0]["action"] == "issue"


@pytest.mark.parametrize(
    ("fields", "bad"),
    [
        ({"waybill_no": ""}, "waybill_no"),  # a redelivery without a waybill
        ({"kind": "wish"}, "kind"),
        (
            {
                "window_start": "2026-12-01T10:00:00+08:00",
                "window_end": "2026-12-01T09:00:00+08:00",
            },
            "window_end",
        ),
        ({"phone": "12"}, "phone"),
        ({"phone": "call me"}, "phone"),
        ({"unit": "NOPE"}, "unit"),
        ({"unit": None, "address": ""}, "unit"),
        ({"waybill_no": "X!"}, "waybill_no"),
        ({"work_order": "20260101999"}, "work_order"),
        ({"window_start": "tomorrow"}, "window_start"),
    ],
)
def test_bad_input_is_400_naming_the_field_and_writes_nothing(api, org, fields, bad):
    r = issue(api("agent1"), **fields)
    assert r.status_code == 400, r.json()
    assert bad in r.json()["fields"], r.json()
    assert r.json()["code"] == "validation_error"
    assert not Notice.objects.exists() and not OutboxMessage.objects.exists()


def test_pickup_and_other_need_no_waybill(api, org):
    assert issue(api("agent1"), kind="pickup", waybill_no="").status_code == 201
    assert issue(api("agent1"), kind="other", waybill_no="").status_code == 201


def test_handlers_do_not_issue(api, org):
    r = issue(api("branch1"))
    assert r.status_code == 403 and not Notice.objects.exists()


def test_get_list_and_filters(api, org):
    client = api("agent1")
    number = issue(client).json()["number"]
    issue(client, kind="hold", unit="WZ-LW01")
    r = client.get(f"/api/v1/notices/{number}/")
    assert r.status_code == 200 and r.json()["number"] == number
    listed = client.get("/api/v1/notices/?unit=WZ-LW01").json()
    assert listed["count"] == 1 and listed["results"][0]["kind"] == "hold"
    assert client.get("/api/v1/notices/?kind=redelivery&status=issued").json()["count"] == 1
    assert client.get("/api/v1/notices/?overdue=true").json()["count"] == 0
    assert client.get("/api/v1/notices/?overdue=false").json()["count"] == 2
    for query, field in (
        ("kind=wish", "kind"),
        ("status=lost", "status"),
        ("overdue=maybe", "overdue"),
        ("page=0", "page"),
        ("page=9", "page"),
    ):
        r = client.get(f"/api/v1/notices/?{query}")
        assert r.status_code == 400 and field in r.json()["fields"], query
    # another unit's handler does not see it
    assert api("branch2").get(f"/api/v1/notices/{number}/").status_code == 404
    assert api("branch2").get("/api/v1/notices/").json()["count"] == 1


def test_ack_then_feedback_by_the_units_handler(api, org, staff):
    number = issue(api("agent1")).json()["number"]
    handler = api("branch1")
    seen = handler.get(f"/api/v1/notices/{number}/").json()
    assert seen["allowed_actions"] == ["acknowledge", "feedback"]
    assert NoticeRecipient.objects.get(user=staff["branch1"]).read_at is not None
    r = handler.post(f"/api/v1/notices/{number}/ack/", {})
    assert r.status_code == 200 and r.json()["status"] == "acknowledged"
    r = handler.post(f"/api/v1/notices/{number}/feedback/", {"result": "done", "text": "已再投"})
    assert r.status_code == 200
    assert r.json()["status"] == "fed_back" and r.json()["result"] == "done"
    again = handler.post(f"/api/v1/notices/{number}/feedback/", {"result": "done"})
    assert again.status_code == 409 and again.json()["code"] == "invalid_transition"


def test_feedback_in_one_step_and_its_errors(api, org):
    number = issue(api("agent1")).json()["number"]
    handler = api("branch1")
    for body, field in (
        ({"result": "maybe"}, "result"),
        ({}, "result"),
        ({"result": "failed"}, "reason"),
        ({"result": "failed", "reason": "sleepy"}, "reason"),
    ):
        r = handler.post(f"/api/v1/notices/{number}/feedback/", body)
        assert r.status_code == 400 and field in r.json()["fields"], body
    assert (
        api("branch2").post(f"/api/v1/notices/{number}/feedback/", {"result": "done"}).status_code
        == 404
    )
    assert (
        api("admin").post(f"/api/v1/notices/{number}/feedback/", {"result": "done"}).status_code
        == 403
    )
    notice = Notice.objects.get()
    assert notice.status == "issued" and notice.version == 1
    r = handler.post(
        f"/api/v1/notices/{number}/feedback/",
        {"result": "failed", "reason": "customer_absent", "text": "无人"},
    )
    assert r.status_code == 200 and r.json()["reason"] == "customer_absent"
    assert r.json()["acknowledged_at"] is not None  # acknowledged in the same step


def test_centre_staff_may_record_feedback(api, org):
    number = issue(api("agent1")).json()["number"]
    r = api("lead1").post(f"/api/v1/notices/{number}/feedback/", {"result": "done"})
    assert r.status_code == 200 and r.json()["status"] == "fed_back"


def test_cancel_and_feedback_on_a_cancelled_notice(api, org):
    number = issue(api("agent1")).json()["number"]
    agent = api("agent1")
    assert agent.post(f"/api/v1/notices/{number}/cancel/", {}).status_code == 400
    assert (
        api("branch1").post(f"/api/v1/notices/{number}/cancel/", {"reason": "x"}).status_code == 403
    )
    r = agent.post(f"/api/v1/notices/{number}/cancel/", {"reason": "客户撤回"})
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    r = api("branch1").post(f"/api/v1/notices/{number}/feedback/", {"result": "done"})
    assert r.status_code in (404, 409)
    r = agent.post(f"/api/v1/notices/{number}/feedback/", {"result": "done"})
    assert r.status_code == 409 and r.json()["code"] == "invalid_transition"
    assert Notice.objects.get().first_feedback_at is None


def test_wrong_unit_goes_back_to_be_routed_and_the_target_deadline_stays(api, org):
    created = issue(api("agent1")).json()
    number, due = created["number"], created["due_at"]
    r = api("branch1").post(
        f"/api/v1/notices/{number}/feedback/", {"result": "wrong_unit", "text": "地址属龙湾"}
    )
    assert r.status_code == 200 and r.json()["status"] == "rerouting"
    first = Notice.objects.get().first_feedback_at
    assert first is not None
    assert api("branch1").get(f"/api/v1/notices/{number}/").status_code == 200
    r = api("agent1").post(f"/api/v1/notices/{number}/reroute/", {"unit": "WZ-LW01"})
    assert r.status_code == 200
    data = r.json()
    assert data["status"] == "issued" and data["unit"] == "WZ-LW01"
    assert data["issued_unit"] == "WZ-LC01" and data["due_at"] == due
    assert api("branch1").get(f"/api/v1/notices/{number}/").status_code == 404
    r = api("branch2").post(f"/api/v1/notices/{number}/feedback/", {"result": "done"})
    assert r.status_code == 200
    notice = Notice.objects.get()
    assert notice.first_feedback_at == first and notice.result == "done"
    assert [e.action for e in NoticeEvent.objects.order_by("id")] == [
        "issue",
        "feedback",
        "reroute",
        "feedback",
    ]


def test_stale_version_is_409_conflict(api, org):
    number = issue(api("agent1")).json()["number"]
    r = api("branch1").post(f"/api/v1/notices/{number}/ack/", {"version": 7})
    assert r.status_code == 409 and r.json()["code"] == "conflict"


def test_the_full_contact_is_logged(api, org, staff):
    number = issue(api("agent1")).json()["number"]
    r = api("branch1").post(f"/api/v1/notices/{number}/contact")
    assert r.status_code == 200
    assert r.json() == {
        "number": number,
        "phone": "13812345678",
        "name": "张三",
        "address": "鹿城区五马街88号3单元",
        "logged": True,
    }
    entry = AccessLogEntry.objects.get()
    assert entry.actor == staff["branch1"] and entry.subject_id == number
    assert api("director1").post(f"/api/v1/notices/{number}/contact").status_code == 403
    assert AccessLogEntry.objects.count() == 1


def test_the_report_endpoint(api, org):
    client = api("agent1")
    number = issue(client).json()["number"]
    api("branch1").post(f"/api/v1/notices/{number}/feedback/", {"result": "done"})
    issue(client, unit="WZ-LW01")
    month = timezone.localdate().strftime("%Y-%m")
    r = api("director1").get(f"/api/v1/reports/notices?month={month}")
    assert r.status_code == 200
    data = r.json()
    assert (data["month"], data["issued"], data["fed_back"], data["rate"]) == (month, 2, 1, 0.5)
    assert data["timely_rate"] == 0.5 and data["fed_back_in_time"] == 1
    assert [u["unit"] for u in data["by_unit"]] == ["WZ-LC01", "WZ-LW01"]
    assert data["by_kind"] == [
        {
            "kind": "redelivery",
            "issued": 2,
            "fed_back": 1,
            "fed_back_in_time": 1,
            "rate": 0.5,
            "timely_rate": 0.5,
        }
    ]
    past = quote((timezone.now() - timedelta(days=40)).isoformat())
    assert (
        api("director1").get(f"/api/v1/reports/notices?month={month}&as_of={past}").json()["issued"]
        == 0
    )
    for query, field in (
        ("month=2026-13", "month"),
        ("month=9999-12", "month"),
        (f"month={month}&as_of=soon", "as_of"),
    ):
        r = client.get(f"/api/v1/reports/notices?{query}")
        assert r.status_code == 400 and field in r.json()["fields"]
    handler = api("branch2").get(f"/api/v1/reports/notices?month={month}").json()
    assert handler["issued"] == 1 and handler["by_unit"][0]["unit"] == "WZ-LW01"


def test_the_watch_warns_the_unit_then_escalates_to_the_team_lead(
    api, org, staff, smtp_server, committed
):
    from postdesk.notices.services import notices_watch as watch
    from postdesk.notify.services import outbox_sweep

    smtp_server.open()
    number = issue(api("agent1")).json()["number"]
    notice = Notice.objects.get(number=number)

    def notices_watch(now):
        return committed(watch, now=now)

    assert notices_watch(now=notice.warn_at - timedelta(minutes=1)).warned == 0
    first = notices_watch(now=notice.warn_at + timedelta(minutes=1))
    assert (first.warned, first.escalated) == (1, 0)
    assert notices_watch(now=notice.warn_at + timedelta(minutes=2)).warned == 0  # once
    late = notices_watch(now=notice.leg_due_at + timedelta(minutes=1))
    assert late.escalated == 1
    warned = Notification.objects.filter(user=staff["branch1"], level="warning")
    assert warned.count() == 1
    assert Notification.objects.filter(user=staff["lead1"], level="error").exists()
    assert [e.action for e in NoticeEvent.objects.filter(notice=notice)] == [
        "issue",
        "warning",
        "escalation",
    ]
    outbox_sweep()  # the e-mails through the real (local) SMTP relay
    bodies = " ".join(m.decode("utf-8", "replace") for m in smtp_server.messages)
    assert "lead1@demo.postdesk.local" in bodies and "branch1@demo.postdesk.local" in bodies


def test_the_unit_comes_from_the_address_router(api, org):
    from postdesk.routing.services import service_area_create

    service_area_create(actor=None, unit=org["WZ-LW01"], district="龙湾区")
    service_area_create(actor=None, unit=org["WZ-LC01"], district="鹿城区", town="五马街道")
    service_area_create(actor=None, unit=org["WZ-LC02"], district="鹿城区", keywords="解放路")
    r = issue(api("agent1"), unit=None, address="龙湾区永中街道永宁西路1号")
    assert r.status_code == 201 and r.json()["unit"] == "WZ-LW01"
    r = issue(api("agent1"), unit=None, address="鹿城区五马街道解放路12号")  # a tie
    assert r.status_code == 400 and "unit" in r.json()["fields"]
    r = issue(api("agent1"), unit="WZ-LC03", address="龙湾区永中街道永宁西路1号")
    assert r.status_code == 201 and r.json()["unit"] == "WZ-LC03"  # the given unit wins
    assert Notice.objects.count() == 2


def test_the_full_contact_is_a_post_only(api, client, org, staff):
    number = issue(api("agent1")).json()["number"]
    client.force_login(staff["branch1"])
    for c in (api("branch1"), client):
        r = c.get(f"/api/v1/notices/{number}/contact")
        assert r.status_code == 405
        assert r.json()["code"] == "method_not_allowed" and "POST" in r["Allow"]
        assert "13812345678" not in r.content.decode()
    # the page's reveal: GET goes back to the notice, logging nothing
    assert client.get(f"/notices/{number}/contact/").status_code == 302
    assert not AccessLogEntry.objects.exists()
