"""SMS through the gateway adapters against a real local HTTP server that plays the
provider (conftest.FakeSmsGateway): sending, receipts out of order and twice, a gateway
that times out and delivers all the same, temporary failures, quiet hours, opt-out,
replies, and the pushes' bad input."""

from __future__ import annotations

import json
import logging
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from django.utils import timezone

from postdesk.notify.channels import Postpone
from postdesk.notify.models import OutboxMessage, SmsMessage, SmsOptOut, SmsReceipt, SmsReply
from postdesk.notify.services import outbox_deliver, sms_send
from postdesk.notify.sms.services import sms_deliver, sms_expire_sweep

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
PHONE = "13812345678"
J = "application/json"


_capture = {}


@pytest.fixture(autouse=True)
def _commits(django_capture_on_commit_callbacks):
    _capture["cm"] = django_capture_on_commit_callbacks


def send(key="t1", template="pickup_failed", params=None, **kw):
    """sms_send in a transaction whose commit runs the outbox (sync mode) as in life."""
    with _capture["cm"](execute=True), transaction.atomic():
        return sms_send(
            phone=PHONE,
            template=template,
            params=params or {"reason": "客户不在"},
            key=key,
            related=("notice", "N1"),
            **kw,
        )


def push(client, kind, body, token="push-token", provider="aliyun"):
    return client.post(
        f"/api/v1/sms/{kind}/{provider}", body, content_type=J, HTTP_AUTHORIZATION=f"Token {token}"
    )


def test_sms_send_reaches_the_provider_with_its_parameters(sms_gateway, settings, caplog):
    settings.SMS_TEMPLATE_CODES = {"pickup_failed": "SMS_2001"}
    caplog.set_level(logging.INFO)
    message = send()
    message.refresh_from_db()
    assert message.status == "sent" and message.biz_id.startswith("biz-")
    (taken,) = sms_gateway.accepted
    assert taken["phone"] == PHONE and taken["out_id"] == message.out_id
    assert taken["template"] == "SMS_2001" and taken["params"] == {"reason": "客户不在"}
    assert message.text.startswith("【中国邮政】很抱歉")
    assert PHONE not in caplog.text and "5678" in caplog.text  # masked in every log


def test_the_same_key_is_recorded_once(sms_gateway):
    first, second = send(key="k"), send(key="k")
    assert first.pk == second.pk and len(sms_gateway.accepted) == 1
    assert OutboxMessage.objects.filter(channel="sms").count() == 1


@pytest.mark.parametrize(
    ("phone", "template", "params", "field"),
    [
        ("0577-88123456", "pickup_failed", {"reason": "x"}, "phone"),
        ("12", "pickup_failed", {"reason": "x"}, "phone"),
        (PHONE, "nope", {}, "template"),
        (PHONE, "pickup_failed", {}, "params.reason"),
    ],
)
def test_bad_input_writes_nothing(sms_gateway, phone, template, params, field):
    from postdesk.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as error:
        sms_send(phone=phone, template=template, params=params, key="bad")
    assert field in error.value.fields
    assert not SmsMessage.objects.exists() and not OutboxMessage.objects.exists()


def test_receipts_move_the_status_forward_only_and_replays_change_nothing(sms_gateway, client):
    message = send()
    message.refresh_from_db()
    ok = sms_gateway.receipt_body(out_id=message.out_id, biz_id=message.biz_id, phone=PHONE)
    r = push(client, "receipts", ok)
    assert r.status_code == 200 and r.json()["code"] == 0
    assert r.json()["new"] == 1 and r.json()["changed"] == 1
    assert SmsMessage.objects.get().status == "delivered"
    again = push(client, "receipts", ok)  # the provider pushes the same report twice
    assert again.json()["new"] == 0 and again.json()["changed"] == 0
    late_failure = sms_gateway.receipt_body(
        out_id=message.out_id,
        phone=PHONE,
        success=False,
        err_code="MK:0001",
        report_time="2026-11-28 09:59:00",
    )
    r = push(client, "receipts", late_failure)  # an older report, arriving after
    assert r.json() == {"code": 0, "msg": "成功", "received": 1, "new": 1, "changed": 0}
    message.refresh_from_db()
    assert message.status == "delivered" and message.receipts.count() == 2


def test_a_receipt_that_overtakes_the_send_answer(sms_gateway, client):
    sms_gateway.script = ["hold"]
    import threading

    message = SmsMessage.objects.get(pk=send(key="race").pk)
    # the send is on its way (held by the gateway) when the receipt arrives
    worker = threading.Thread(target=lambda: None)
    worker.start()
    worker.join()
    sms_gateway.release()
    # sync mode delivered it already (released at once above); make the receipt first:
    message.refresh_from_db()
    SmsMessage.objects.filter(pk=message.pk).update(status="created", sent_at=None)
    body = sms_gateway.receipt_body(out_id=message.out_id, phone=PHONE)
    assert push(client, "receipts", body).json()["changed"] == 1
    assert SmsMessage.objects.get().status == "delivered"
    assert sms_deliver(sms_id=message.pk) == "done"  # nothing sent again
    assert len(sms_gateway.accepted) == 1


def test_a_gateway_that_times_out_then_delivers(sms_gateway, settings, client):
    settings.SMS_RECEIPT_WAIT_SECONDS = 60
    sms_gateway.script = ["slow"]  # takes the message, answers after our 1 s timeout
    message = send(key="slow")
    message.refresh_from_db()
    assert message.status == "created" and message.uncertain and message.attempts == 1
    outbox = OutboxMessage.objects.get(channel="sms")
    assert outbox.status == "pending" and outbox.attempts == 0  # postponed, not failed
    assert outbox.next_attempt_at > timezone.now() + timedelta(seconds=50)
    # the next try comes before the receipt wait is over: it sends nothing
    with pytest.raises(Postpone):
        sms_deliver(sms_id=message.pk)
    assert len(sms_gateway.accepted) == 1
    body = sms_gateway.receipt_body(out_id=message.out_id, phone=PHONE)
    assert push(client, "receipts", body).json()["changed"] == 1
    message.refresh_from_db()
    assert message.status == "delivered" and not message.uncertain
    OutboxMessage.objects.filter(pk=outbox.pk).update(next_attempt_at=timezone.now())
    assert outbox_deliver(message_id=outbox.pk) is True  # the channel: nothing to do
    assert len(sms_gateway.accepted) == 1 and sms_gateway.requests["SendSms"] == 1


def test_a_timed_out_send_without_a_receipt_is_found_by_its_out_id(sms_gateway, settings):
    settings.SMS_RECEIPT_WAIT_SECONDS = 60
    sms_gateway.script = ["slow"]
    message = send(key="slow2")
    later = timezone.now() + timedelta(seconds=61)
    assert sms_deliver(sms_id=message.pk, now=later) == "found"  # QuerySendDetails by OutId
    message.refresh_from_db()
    assert message.status == "sent" and not message.uncertain
    assert sms_gateway.requests["SendSms"] == 1 and sms_gateway.requests["QuerySendDetails"] == 1


def test_the_generic_adapter_resends_only_what_the_gateway_never_had(sms_gateway, settings):
    settings.SMS_GATEWAY = sms_gateway.http_config()
    settings.SMS_RECEIPT_WAIT_SECONDS = 0
    message = send(key="generic")
    message.refresh_from_db()
    assert message.status == "sent" and message.provider == "http"
    assert sms_gateway.accepted[0]["text"] == message.text
    # an attempt whose outcome was lost before it reached the gateway (say, a worker
    # killed before sending): the gateway does not know the OutId, so it is sent again
    second = send(key="generic2")
    SmsMessage.objects.filter(pk=second.pk).update(
        status="created", uncertain=True, attempt_started_at=timezone.now()
    )
    sms_gateway.accepted[:] = [m for m in sms_gateway.accepted if m["out_id"] != second.out_id]
    assert sms_deliver(sms_id=second.pk) == "sent"
    assert [m["out_id"] for m in sms_gateway.accepted].count(second.out_id) == 1


def test_temporary_failures_are_retried_with_backoff_then_sent(sms_gateway):
    sms_gateway.script = ["throttle"]
    message = send(key="busy")
    outbox = OutboxMessage.objects.get(channel="sms")
    assert outbox.status == "pending" and outbox.attempts == 1
    assert "BUSINESS_LIMIT_CONTROL" in outbox.last_error
    assert outbox.next_attempt_at > timezone.now()
    assert SmsMessage.objects.get(pk=message.pk).status == "created"
    OutboxMessage.objects.filter(pk=outbox.pk).update(next_attempt_at=timezone.now())
    assert outbox_deliver(message_id=outbox.pk) is True
    assert SmsMessage.objects.get(pk=message.pk).status == "sent"
    assert len(sms_gateway.accepted) == 1


def test_a_permanent_refusal_fails_the_message(sms_gateway):
    sms_gateway.script = ["reject"]
    message = SmsMessage.objects.get(pk=send(key="bad-number").pk)
    assert message.status == "failed" and message.err_code == "isv.MOBILE_NUMBER_ILLEGAL"
    assert OutboxMessage.objects.get(channel="sms").status == "sent"  # handled, not retried


def test_quiet_hours_hold_a_customer_sms_until_the_morning(sms_gateway, settings):
    settings.SMS_QUIET_HOURS = (time(21), time(8))
    tomorrow = timezone.localdate() + timedelta(days=1)
    evening = datetime.combine(tomorrow, time(22, 30), tzinfo=SH)
    message = send(key="night", now=evening)
    morning = datetime.combine(tomorrow + timedelta(days=1), time(8), tzinfo=SH)
    assert message.not_before == morning
    assert OutboxMessage.objects.get(channel="sms").next_attempt_at == morning
    assert sms_gateway.accepted == []
    with pytest.raises(Postpone) as later:
        sms_deliver(sms_id=message.pk, now=evening + timedelta(minutes=5))
    assert later.value.until == morning
    assert sms_deliver(sms_id=message.pk, now=morning + timedelta(minutes=1)) == "sent"
    urgent = send(
        key="code",
        template="one_time_code",
        params={"code": "1234", "minutes": 5},
        urgent=True,
        now=evening,
    )
    assert urgent.not_before is None


def test_an_opt_out_reply_is_honoured(sms_gateway, client):
    send(key="first")
    reply = [
        {
            "phone_number": PHONE,
            "content": "TD",
            "send_time": "2026-11-28 10:01:00",
            "sequence_id": "9001",
            "dest_code": "1",
        }
    ]
    r = push(client, "inbound", json.dumps(reply))
    assert r.status_code == 200 and r.json()["new"] == 1
    assert SmsOptOut.objects.filter(phone="+86" + PHONE).exists()
    held = send(key="second")
    assert held.status == "failed" and held.err_code == "opted_out"
    assert OutboxMessage.objects.filter(key="sms:second").count() == 0
    code = send(key="otp", template="one_time_code", params={"code": "1234", "minutes": 5})
    assert SmsMessage.objects.get(pk=code.pk).status == "sent"  # asked for by the customer
    assert len(sms_gateway.accepted) == 2


def test_a_reply_is_matched_to_the_last_message_and_replays_change_nothing(sms_gateway, client):
    send(key="old")
    latest = send(key="new", template="general", params={"text": "请确认"})
    SmsMessage.objects.filter(pk=latest.pk).update(related_id="N2")
    reply = json.dumps(
        [
            {
                "phone_number": PHONE,
                "content": "1",
                "send_time": "2026-11-28 10:02:00",
                "sequence_id": "42",
            }
        ]
    )
    assert push(client, "inbound", reply).json()["new"] == 1
    assert push(client, "inbound", reply).json()["new"] == 0
    stored = SmsReply.objects.get()
    assert stored.message_id == latest.pk and stored.related_id == "N2"
    assert stored.intent == "confirm"


@pytest.mark.parametrize(("token", "status"), [("wrong", 401), ("", 401)])
def test_a_forged_push_is_refused_and_writes_nothing(sms_gateway, client, token, status):
    message = send(key="forged")
    body = sms_gateway.receipt_body(out_id=message.out_id, phone=PHONE)
    r = client.post(
        "/api/v1/sms/receipts/aliyun",
        body,
        content_type=J,
        **({"HTTP_AUTHORIZATION": f"Token {token}"} if token else {}),
    )
    assert r.status_code == status and r.json()["code"] == "not_authenticated"
    assert not SmsReceipt.objects.exists()
    assert SmsMessage.objects.get().status == "sent"


def test_bad_receipts_are_400_and_write_nothing(sms_gateway, client):
    message = send(key="known")
    good = json.loads(sms_gateway.receipt_body(out_id=message.out_id, phone=PHONE))[0]
    unknown = {**good, "out_id": "nobody"}
    r = push(client, "receipts", json.dumps([good, unknown]))
    assert r.status_code == 400 and r.json()["code"] == "unknown_message"
    assert "1.out_id" in r.json()["fields"]
    for body, field in (
        ("not json", "body"),
        ("{}", "0.success"),
        (json.dumps([{**good, "success": "maybe"}]), "0.success"),
        (json.dumps([{**good, "report_time": "yesterday"}]), "0.report_time"),
    ):
        r = push(client, "receipts", body)
        assert r.status_code == 400 and field in r.json()["fields"], (body, r.json())
    assert push(client, "receipts", json.dumps([good]), provider="nope").status_code == 404
    assert not SmsReceipt.objects.exists()
    assert SmsMessage.objects.get().status == "sent"


def test_messages_past_their_lifetime_expire(sms_gateway, settings):
    message = send(key="old-news")
    assert sms_expire_sweep(now=timezone.now() + timedelta(hours=25)) == 1
    message.refresh_from_db()
    assert message.status == "expired"


def test_temporary_failures_that_never_end_fail_the_message(sms_gateway, settings):
    settings.POSTDESK_OUTBOX_MAX_ATTEMPTS = 2
    sms_gateway.script = ["throttle", "throttle"]
    message = send(key="forever-busy")  # the first try: throttled, retried later
    assert SmsMessage.objects.get(pk=message.pk).status == "created"
    assert sms_deliver(sms_id=message.pk) == "failed"  # the second: no more tries
    assert SmsMessage.objects.get(pk=message.pk).status == "failed"
    assert sms_gateway.accepted == []


def test_a_customer_who_declined_sms_gets_none(sms_gateway, staff):
    from postdesk.customers.services import customer_create

    customer_create(actor=staff["agent1"], name="张三", phones=[PHONE], consent_sms=False)
    declined = send(key="c1")
    assert declined.status == "failed" and declined.err_code == "no_consent"
    assert not OutboxMessage.objects.filter(key="sms:c1").exists()
    assert sms_gateway.sent_to(PHONE) == []
    # a one-time code the person asked for is still sent
    code = send(key="c2", template="one_time_code", params={"code": "123456", "minutes": 5})
    code.refresh_from_db()
    assert code.status == "sent"


def test_consent_withdrawn_after_recording_stops_the_send(sms_gateway, staff):
    from postdesk.customers.models import Customer
    from postdesk.customers.services import customer_create

    customer_create(actor=staff["agent1"], name="张三", phones=[PHONE], consent_sms=True)
    with transaction.atomic():  # recorded, not yet sent
        message = sms_send(
            phone=PHONE, template="pickup_failed", params={"reason": "客户不在"}, key="c3"
        )
    Customer.objects.update(consent_sms=False)
    assert sms_deliver(sms_id=message.pk) == "opted_out"
    message.refresh_from_db()
    assert message.status == "failed" and message.err_code == "no_consent"
    assert sms_gateway.sent_to(PHONE) == []
