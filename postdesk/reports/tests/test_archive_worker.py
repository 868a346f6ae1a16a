"""The month-end summary's job through a real Celery worker on PostgreSQL and Redis, the
e-mail caught by a local SMTP relay (conftest.FakeSMTPServer): the schedule's run (sent
as beat sends it) stores version 1 of the month just closed and mails it, PDF and Excel
attached, to the directors and team leads; a second run does nothing; a director's
"generate now" through the API makes version 2 in the background."""

from __future__ import annotations

import email
import re
import time
from email.header import decode_header, make_header

import pytest

from conftest import FakeSMTPServer
from postdesk.core.periods import Month
from postdesk.notify.models import OutboxMessage
from postdesk.reports.models import MonthSummary
from postdesk.reports.tasks import month_summary_monthly

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

LAST = Month.current().previous()
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def wait_for(predicate, what: str, worker, timeout: float = 60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}\n--- worker log ---\n{worker.output()}")


def finished(worker, task_id: str) -> str:
    """What the worker's log says the task returned, once it has."""
    pattern = re.compile(rf"month_summary_monthly\[{task_id}\] succeeded in [\d.]+s: (\S+)")
    found: list[str] = []

    def done() -> bool:
        with open(worker.log.name, encoding="utf-8", errors="replace") as handle:
            match = pattern.search(handle.read())
        if match:
            found.append(match.group(1))
        return bool(match)

    wait_for(done, f"task {task_id}", worker)
    return found[0]


@pytest.fixture
def relay():
    server = FakeSMTPServer().open()
    yield server
    server.close()


def _mails(relay) -> list[email.message.Message]:
    return [email.message_from_bytes(raw) for raw in relay.messages]


def test_the_monthly_job_through_a_worker_mails_both_files(
    celery_worker_factory, relay, staff, settings, api_for
):
    settings.BACKGROUND_MODE = "celery"  # this process publishes to Redis
    worker = celery_worker_factory(EMAIL_HOST="127.0.0.1", EMAIL_PORT=str(relay.port))

    task = month_summary_monthly.apply_async()  # as beat sends it: no arguments
    assert finished(worker, task.id) == "1"
    summary = MonthSummary.objects.get()
    assert (summary.month, summary.version, summary.created_by) == (str(LAST), 1, None)
    wait_for(lambda: len(relay.messages) == 1, "the e-mail", worker)

    [mail] = _mails(relay)
    assert sorted(address.strip() for address in mail["To"].split(",")) == [
        "director1@demo.postdesk.local",
        "lead1@demo.postdesk.local",
        "lead2@demo.postdesk.local",
    ]
    subject = str(make_header(decode_header(mail["Subject"])))
    assert subject == f"{LAST.year}年{LAST.month}月月度汇总（第 1 版）"
    parts = {part.get_filename(): part for part in mail.walk() if part.get_filename()}
    assert set(parts) == {f"postdesk-{LAST}-v1.pdf", f"postdesk-{LAST}-v1.xlsx"}
    pdf = parts[f"postdesk-{LAST}-v1.pdf"]
    xlsx = parts[f"postdesk-{LAST}-v1.xlsx"]
    assert (pdf.get_content_type(), xlsx.get_content_type()) == ("application/pdf", XLSX)
    assert pdf.get_payload(decode=True) == bytes(summary.pdf)
    assert xlsx.get_payload(decode=True) == bytes(summary.xlsx)
    text = next(p for p in mail.walk() if p.get_content_type() == "text/plain")
    body = text.get_payload(decode=True).decode(text.get_content_charset() or "utf-8")
    assert "质量目标" in body and "/reports/archive/" in body
    assert OutboxMessage.objects.get(channel="email").status == "sent"

    # the job again (beat twice, or a restart): nothing new, nothing mailed
    again = month_summary_monthly.apply_async()
    assert finished(worker, again.id) == "None"
    assert MonthSummary.objects.count() == 1
    time.sleep(0.5)
    assert len(relay.messages) == 1

    # a director's "generate now": 202 at once, version 2 made and mailed by the worker
    response = api_for("director1").post(
        "/api/v1/reports/archive", {"month": str(LAST)}, content_type="application/json"
    )
    assert response.status_code == 202
    wait_for(lambda: MonthSummary.objects.filter(version=2).exists(), "version 2", worker)
    wait_for(lambda: len(relay.messages) == 2, "the second e-mail", worker)
    second = MonthSummary.objects.get(version=2)
    assert second.created_by == staff["director1"]
    names = {part.get_filename() for part in _mails(relay)[1].walk() if part.get_filename()}
    assert names == {f"postdesk-{LAST}-v2.pdf", f"postdesk-{LAST}-v2.xlsx"}
    assert bytes(MonthSummary.objects.get(version=1).pdf) == bytes(summary.pdf)  # unchanged
