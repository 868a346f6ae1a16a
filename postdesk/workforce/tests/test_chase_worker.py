"""The major-situation chase through a real Celery worker on PostgreSQL and Redis: the
periodic job, sent as beat sends it, reminds the director (in-app and e-mail) while the
report is unacknowledged, once per interval, and never after the acknowledgement. The SMS
goes to the director's mobile through a local provider (conftest.FakeSmsGateway)."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from conftest import FakeSmsGateway, FakeSMTPServer
from postdesk.notify.models import Notification
from postdesk.workforce.models import InternalReport
from postdesk.workforce.tasks import internal_reports_chase

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def wait_for(predicate, what: str, worker, timeout: float = 30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}\n{worker.output()}")


@pytest.fixture
def relay():
    server = FakeSMTPServer().open()
    yield server
    server.close()


@pytest.fixture
def provider():
    gateway = FakeSmsGateway().open()
    yield gateway
    gateway.close()


def test_the_director_is_chased_until_acknowledged(
    celery_worker_factory, relay, provider, floor, staff, settings
):
    import json

    settings.BACKGROUND_MODE = "celery"
    worker = celery_worker_factory(
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(relay.port),
        SMS_GATEWAY=json.dumps(provider.aliyun_config()),
    )
    from postdesk.workforce.services import (
        ReportInput,
        internal_report_act,
        internal_report_create,
    )

    director = staff["director1"]
    director.phone = "13900001111"
    director.save(update_fields=["phone"])
    report = internal_report_create(
        actor=staff["lead1"],
        data=ReportInput(kind="major_incident", title="媒体来电采访", text="记者询问投递延误"),
    )
    # the first notice is delivered by the worker: in-app and e-mail
    wait_for(
        lambda: Notification.objects.filter(user=director, title__contains="媒体来电").exists(),
        "the first notice",
        worker,
    )
    wait_for(lambda: len(relay.messages) >= 1, "the first e-mail", worker)
    wait_for(lambda: len(provider.accepted) >= 1, "the first SMS", worker)
    assert provider.accepted[0]["phone"].endswith("13900001111")

    def reminders() -> int:
        return Notification.objects.filter(user=director, title__contains="提醒").count()

    # ten minutes pass without an acknowledgement: beat sends the periodic job
    InternalReport.objects.filter(pk=report.pk).update(
        last_chased_at=timezone.now() - timedelta(minutes=10, seconds=5)
    )
    internal_reports_chase.apply_async(queue="default")
    wait_for(lambda: reminders() == 1, "the first reminder", worker)
    wait_for(lambda: len(relay.messages) >= 2, "the reminder's e-mail", worker)
    import email
    from email.header import decode_header, make_header

    subject = str(
        make_header(decode_header(email.message_from_bytes(relay.messages[-1])["Subject"]))
    )
    assert "提醒" in subject and report.number in subject
    wait_for(lambda: len(provider.accepted) >= 2, "the reminder's SMS", worker)
    # the job runs again a minute later: not yet ten minutes since the reminder
    internal_reports_chase.apply_async(queue="default")
    time.sleep(2)
    assert reminders() == 1
    report.refresh_from_db()
    assert report.chase_count == 1

    internal_report_act(actor=director, report=report, action="acknowledge")
    InternalReport.objects.filter(pk=report.pk).update(
        last_chased_at=timezone.now() - timedelta(hours=1)
    )
    internal_reports_chase.apply_async(queue="default")
    time.sleep(2)
    assert reminders() == 1
    report.refresh_from_db()
    assert report.acknowledged_by == director and report.chase_count == 1
    assert len(provider.accepted) == 2
