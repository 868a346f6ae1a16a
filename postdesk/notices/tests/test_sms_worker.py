"""A notice's customer SMS end to end through real Celery worker processes on PostgreSQL
and Redis, sent to a local provider (conftest.FakeSmsGateway, Alibaba Cloud's API): the
issue reaches the customer and the receipt delivers it; a worker killed while the
provider holds its SendSms call loses nothing and sends nothing twice (the replacement
finds the message at the provider by its OutId instead of sending it again)."""

from __future__ import annotations

import json
import re
import time
from datetime import time as dt_time

import pytest

from conftest import FakeSmsGateway
from postdesk.notices.services import notice_issue
from postdesk.notify.models import OutboxMessage, SmsMessage
from postdesk.notify.tasks import outbox_sweep

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]
PHONE = "13812345678"


def wait_for(predicate, what: str, worker, timeout: float = 30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}\n--- worker log ---\n{worker.output()}")


@pytest.fixture(scope="module")
def provider():
    gateway = FakeSmsGateway().open()
    yield gateway
    gateway.close()


@pytest.fixture(scope="module")
def workers(celery_worker_factory, provider):
    """workers() -> the module's live worker, a new one when the last was killed (one at a
    time, all pointed at the module's provider)."""
    state = {}

    def current():
        worker = state.get("worker")
        if worker is None or worker.process.poll() is not None:
            state["worker"] = celery_worker_factory(
                # a long client timeout: the provider's hold is a worker killed mid-call,
                # not a timeout (test_sms.py has the timeout)
                SMS_GATEWAY=json.dumps(provider.aliyun_config(timeout=60)),
                SMS_QUIET_HOURS="00:00-00:00",
                SMS_RECEIPT_WAIT_SECONDS="0",
                EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
            )
        return state["worker"]

    return current


@pytest.fixture
def start_worker(workers, provider, settings):
    settings.BACKGROUND_MODE = "celery"  # this process publishes to Redis
    settings.SMS_PUSH_TOKEN = "push-token"
    settings.SMS_QUIET_HOURS = (dt_time(0), dt_time(0))  # test_sms.py has the quiet hours
    provider.accepted.clear()
    provider.requests.clear()
    provider.script = []
    provider._held.clear()
    provider.holding.clear()
    yield workers
    provider.release()


def issue(staff):
    return notice_issue(
        actor=staff["agent1"],
        kind="redelivery",
        unit="WZ-LC01",
        waybill_no="EA473124829CN",
        phone=PHONE,
        name="张三",
        address="鹿城区五马街88号",
        text="客户要求明天上午再投",
    )


def sms_of(notice) -> SmsMessage:
    return SmsMessage.objects.get(related_type="notice", related_id=notice.number)


def receipt(client, provider, message):
    return client.post(
        "/api/v1/sms/receipts/aliyun",
        provider.receipt_body(out_id=message.out_id, biz_id=message.biz_id, phone=PHONE),
        content_type="application/json",
        HTTP_AUTHORIZATION="Token push-token",
    )


def test_an_issued_notice_reaches_the_customer_through_the_worker(
    start_worker, provider, staff, client
):
    worker = start_worker()
    notice = issue(staff)
    wait_for(lambda: sms_of(notice).status == "sent", "the SMS sent by the worker", worker)
    (taken,) = provider.sent_to(PHONE)
    assert taken["template"] == "redelivery_scheduled"
    assert taken["params"]["waybill"] == "EA473124829CN" and taken["out_id"]
    message = sms_of(notice)
    assert r"13812345678" not in worker.output()  # masked in every log line
    assert receipt(client, provider, message).status_code == 200
    assert sms_of(notice).status == "delivered"
    assert receipt(client, provider, message).status_code == 200  # twice: nothing changes
    assert sms_of(notice).status == "delivered"


def test_a_worker_killed_mid_send_loses_nothing_and_sends_nothing_twice(
    start_worker, provider, staff, client
):
    worker = start_worker()
    provider.script = ["hold"]  # the provider takes the message, then holds the answer
    notice = issue(staff)
    assert provider.holding.wait(30), worker.output()
    message = sms_of(notice)
    assert message.status == "created" and message.uncertain and message.attempts == 1
    worker.kill()  # kill -9 inside the SendSms call
    provider.release()

    replacement = start_worker()
    task_id = outbox_sweep.delay().id  # as beat sends it: the dead worker's claim is taken
    pattern = re.compile(rf"outbox_sweep\[{task_id}\] succeeded")
    wait_for(lambda: pattern.search(replacement.output()), "the sweep", replacement)
    wait_for(lambda: sms_of(notice).status == "sent", "the message settled", replacement)
    message = sms_of(notice)
    assert not message.uncertain and message.biz_id.startswith("biz-")
    # found at the provider by its OutId (QuerySendDetails), not sent again
    assert provider.requests.get("SendSms") == 1
    assert provider.requests.get("QuerySendDetails", 0) >= 1
    assert len(provider.sent_to(PHONE)) == 1
    outbox = OutboxMessage.objects.get(key=f"sms:notice:{notice.number}:issued")
    assert outbox.status == "sent"
    assert receipt(client, provider, message).status_code == 200
    assert sms_of(notice).status == "delivered"

    # the killed worker's unacknowledged task stays in Redis for an hour; clear it so it
    # does not reach a later run
    import redis
    from django.conf import settings

    redis.Redis.from_url(settings.REDIS_URL).delete("unacked", "unacked_index")
