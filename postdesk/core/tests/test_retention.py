"""Retention (PIPL): personal data of closed cases, calls and tracking results older than
their retention is anonymised by the nightly job, what statistics count stays, a dry run
changes nothing, a second run finds nothing, and the access log is never touched."""

from __future__ import annotations

import json
from datetime import timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.utils import timezone

from postdesk.core.retention import MARK, retention_run, scrub

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def test_scrub_replaces_phones_and_id_numbers_only():
    text = "张先生 13812345678 / 0577-88889999 / 88889999 / 400-820-1185 / 33030219800101123X 包裹"
    assert scrub(text) == f"张先生 {MARK} / {MARK} / {MARK} / {MARK} / {MARK} 包裹"
    assert scrub("运单 1186 件数 3") == "运单 1186 件数 3"


@pytest.fixture
def centre(staff, tmp_path, settings):
    """Old and recent cases, calls and tracking results, with personal data."""
    from postdesk.calls.events import CtiEvent
    from postdesk.calls.services import cti_events_ingest
    from postdesk.core.services import access_log_record
    from postdesk.customers.models import Customer
    from postdesk.tracking.models import Attempt, Event
    from postdesk.workorders.models import Attachment, WorkOrder, WorkOrderEvent
    from postdesk.workorders.services.create import work_order_create

    settings.MEDIA_ROOT = str(tmp_path / "media")
    now = timezone.now()
    customer = Customer.objects.create(name="王小明")

    def case(title: str, *, closed_days: int | None, status: str = "closed") -> WorkOrder:
        order = work_order_create(
            actor=staff["agent1"],
            type="complaint",
            subtype="damage_shortage",
            title=title,
            description="王小明说 13812345678 打不通，地址 鹿城区五马街 1 号",
            caller_phone="13812345678",
            caller_name="王小明",
            customer_id=customer.pk,
        )
        if closed_days is not None:
            WorkOrder.objects.filter(pk=order.pk).update(
                status=status,
                closed_at=now - timedelta(days=closed_days),
                details={"address": "鹿城区五马街 1 号", "item": "书籍"},
            )
        WorkOrderEvent.objects.create(
            order=order, at=now, action="note", text="回电 13812345678", data={"to": "x"}
        )
        return order

    old = case("投诉 13812345678 破损", closed_days=1200)
    recent = case("投诉 近期", closed_days=30)
    still_open = case("投诉 未结", closed_days=None)
    folder = tmp_path / "media" / "workorders"
    folder.mkdir(parents=True)
    (folder / "old.pdf").write_bytes(b"%PDF-1.4 id card")
    Attachment.objects.create(
        order=old, original_name="身份证.pdf", stored_name="old.pdf",
        content_type="application/pdf", size=16, sha256="0" * 64,
    )  # fmt: skip

    def call(call_id: str, days: int, direction: str = "in") -> None:
        at = (now - timedelta(days=days)).astimezone(SH)
        events = [
            CtiEvent(event="newCall", call_id=call_id, timestamp=at, direction=direction,
                     from_number="13812345678" if direction == "in" else "11185",
                     to_number="11185" if direction == "in" else "13812345678"),
            CtiEvent(event="answer", call_id=call_id, timestamp=at + timedelta(seconds=5),
                     agent="8001"),
            CtiEvent(event="hangup", call_id=call_id, timestamp=at + timedelta(seconds=95),
                     cause="normalClearing"),
        ]  # fmt: skip
        cti_events_ingest(events=events)
        from postdesk.calls.models import Call

        Call.objects.filter(call_id=call_id).update(customer=customer, wrapup_note="客户王小明")

    call("old-in", 400)
    call("old-out", 400, direction="out")
    call("new-in", 10)

    def tracking(waybill: str, days: int) -> None:
        at = now - timedelta(days=days)
        Event.objects.create(
            waybill_no=waybill, event_code="DELIVERED", event_time=at, office_code="325000",
            recorded_at=at, signer="王小明", description="已签收，签收人：王小明",
            reason="电话 138-1234-5678 无人接",
        )  # fmt: skip
        Attempt.objects.create(
            waybill_no=waybill, office_code="325000", day=at.date(), result_code="DELIVERED",
            result_time=at, result_reason="电话 13812345678 无人接",
        )  # fmt: skip

    tracking("EA000000001CN", 200)
    tracking("EA000000002CN", 20)
    access_log_record(
        actor=staff["lead1"], subject_type="customer", what="view",
        subjects=[(str(customer.pk), "王小明 13812345678")],
    )  # fmt: skip
    return {"old": old, "recent": recent, "open": still_open,
            "file": folder / "old.pdf", "customer": customer}  # fmt: skip


def _snapshot():
    from postdesk.calls.models import Call
    from postdesk.tracking.models import Attempt, Event
    from postdesk.workorders.models import WorkOrder

    return {
        "orders": sorted(WorkOrder.objects.values_list("pk", "number", "type", "status",
                                                       "closed_at")),
        "calls": sorted(Call.objects.values_list("call_id", "direction", "agent_id", "started_at",
                                                 "answered_at", "ended_at", "outcome", "cause")),
        "events": sorted(Event.objects.values_list("waybill_no", "event_code", "event_time",
                                                   "office_code")),
        "attempts": sorted(Attempt.objects.values_list("waybill_no", "result_code", "result_time")),
    }  # fmt: skip


def test_a_dry_run_reports_and_changes_nothing(centre):
    from postdesk.workorders.models import WorkOrder

    out = StringIO()
    call_command("retention", "--dry-run", "--json", stdout=out)
    report = json.loads(out.getvalue())
    found: dict[str, int] = {}
    for kind in report["kinds"]:
        found[kind["kind"]] = found.get(kind["kind"], 0) + kind["found"]
    print(report)
    assert report["dry_run"] is True
    assert found == {"cases": 1, "calls": 2, "tracking": 2}
    assert all(k["anonymised"] == 0 for k in report["kinds"])
    assert WorkOrder.objects.get(pk=centre["old"].pk).caller_name == "王小明"


def test_the_job_anonymises_what_is_older_and_keeps_the_statistics(
    centre, django_capture_on_commit_callbacks
):
    from postdesk.calls.models import Call, CallEvent
    from postdesk.core.models import AccessLogEntry
    from postdesk.tracking.models import Attempt, Event
    from postdesk.workorders.models import Attachment, WorkOrder, WorkOrderEvent

    before = _snapshot()
    log_before = list(AccessLogEntry.objects.values())
    with django_capture_on_commit_callbacks(execute=True):  # files go after the commit
        reports = retention_run(dry_run=False)
    print([r.as_dict() for r in reports])
    done = {}
    for report in reports:
        done[report.kind] = done.get(report.kind, 0) + report.anonymised
    assert done == {"cases": 1, "calls": 2, "tracking": 2}

    old = WorkOrder.objects.get(pk=centre["old"].pk)
    assert (old.caller_name, old.caller_phone, old.customer_id) == ("", "", None)
    assert old.description == MARK and old.title == f"投诉 {MARK} 破损"
    assert old.details == {"address": MARK, "item": "书籍"}
    texts = WorkOrderEvent.objects.filter(order=old).exclude(text="").values_list("text", flat=True)
    assert set(texts) == {MARK}
    assert not Attachment.objects.filter(order=old).exists() and not centre["file"].exists()
    for kept in (centre["recent"], centre["open"]):
        order = WorkOrder.objects.get(pk=kept.pk)
        assert order.caller_phone and order.caller_name == "王小明" and order.customer_id

    inbound, outbound = Call.objects.get(call_id="old-in"), Call.objects.get(call_id="old-out")
    assert (inbound.from_number, inbound.caller_number, inbound.to_number) == ("", "", "11185")
    assert (outbound.to_number, outbound.customer_id, outbound.wrapup_note) == ("", None, MARK)
    for row in inbound.event_log + outbound.event_log:
        assert "13812345678" not in json.dumps(row)
    for event in CallEvent.objects.filter(call__call_id__in=["old-in", "old-out"]):
        assert "13812345678" not in json.dumps(event.data)
    assert Call.objects.get(call_id="new-in").from_number == "13812345678"

    old_event = Event.objects.get(waybill_no="EA000000001CN")
    assert (old_event.signer, old_event.description) == ("", MARK)
    assert old_event.reason == f"电话 {MARK} 无人接"
    assert Attempt.objects.get(waybill_no="EA000000001CN").result_reason == f"电话 {MARK} 无人接"
    assert Event.objects.get(waybill_no="EA000000002CN").signer == "王小明"

    assert _snapshot() == before  # what the statistics count is untouched
    assert list(AccessLogEntry.objects.values()) == log_before  # never anonymised

    again = retention_run(dry_run=False)
    assert all(report.found == 0 for report in again)


def test_a_kind_kept_for_zero_days_is_never_anonymised(centre, settings):
    from postdesk.workorders.models import WorkOrder

    settings.POSTDESK_RETENTION_DAYS = {"cases": 0, "calls": 0, "tracking": 0}
    assert all(r.anonymised == 0 and r.cutoff is None for r in retention_run(dry_run=False))
    assert WorkOrder.objects.get(pk=centre["old"].pk).caller_name == "王小明"


def test_the_nightly_task_acts_only_in_its_hour(centre, settings):
    from postdesk.core.tasks import retention_nightly

    settings.POSTDESK_RETENTION_HOUR = (timezone.localtime().hour + 1) % 24
    assert retention_nightly() == []
    settings.POSTDESK_RETENTION_HOUR = timezone.localtime().hour
    assert sum(r["anonymised"] for r in retention_nightly()) == 5
