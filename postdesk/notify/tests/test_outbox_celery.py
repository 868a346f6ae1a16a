"""The outbox with a real Redis and real Celery worker processes on PostgreSQL: delivery,
retry with backoff, dead letters and the administrator's retry, idempotency, a worker
killed in the middle of sending, and a message recorded while Redis was down."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import transaction
from django.utils import timezone

from conftest import FakeSMTPServer, free_port
from postdesk.notify.models import Notification, OutboxMessage
from postdesk.notify.services import notify_users, outbox_record
from postdesk.notify.tasks import outbox_deliver_task, outbox_sweep

# Only these apps' tables are emptied after each test (much faster than all of them).
OUTBOX_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "postdesk.core",
    "postdesk.org",
    "postdesk.notify",
]
pytestmark = [
    pytest.mark.services,
    pytest.mark.django_db(transaction=True, available_apps=OUTBOX_APPS),
]

BACKOFF = 10
MAX_ATTEMPTS = 3


@pytest.fixture(scope="module")
def relay():
    server = FakeSMTPServer()
    yield server
    server.release()
    server.close()


@pytest.fixture(scope="module")
def workers(celery_worker_factory, relay):
    state = {}

    def current():
        worker = state.get("worker")
        if worker is None or worker.process.poll() is not None:
            state["worker"] = celery_worker_factory(
                EMAIL_HOST="127.0.0.1",
                EMAIL_PORT=str(relay.port),
                POSTDESK_OUTBOX_BACKOFF_SECONDS=str(BACKOFF),
                POSTDESK_OUTBOX_MAX_ATTEMPTS=str(MAX_ATTEMPTS),
            )
        return state["worker"]

    return current


@pytest.fixture
def worker(workers, relay, settings):
    settings.BACKGROUND_MODE = "celery"  # this process publishes to Redis
    running = workers()
    yield running
    relay.release()
    relay.close()
    relay.messages.clear()


def wait_for(predicate, what: str, worker, timeout: float = 30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}\n--- worker log ---\n{worker.output()}")


def sweep(worker, timeout: float = 30) -> int:
    """Publish the periodic sweep, wait for the worker to finish it; how many it sent."""
    task_id = outbox_sweep.delay().id
    pattern = re.compile(rf"outbox_sweep\[{task_id}\] succeeded in [\d.]+s: (\d+)")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with open(worker.log.name, encoding="utf-8", errors="replace") as handle:
            found = pattern.search(handle.read())
        if found:
            return int(found.group(1))
        time.sleep(0.1)
    raise AssertionError(f"the sweep did not finish\n--- worker log ---\n{worker.output()}")


def email_message() -> OutboxMessage:
    return OutboxMessage.objects.get(channel="email")


def time_passes(message: OutboxMessage) -> None:
    """The clock moves on: the next attempt (or the lease) is due now."""
    OutboxMessage.objects.filter(pk=message.pk).update(
        next_attempt_at=timezone.now() - timedelta(seconds=1)
    )


def test_the_worker_delivers_after_commit(worker, relay, staff):
    relay.open()
    with transaction.atomic():
        notify_users(
            users=[staff["agent1"], staff["agent2"]],
            key="wo:1",
            title="派单通知",
            body="请及时处理",
            email=True,
        )
    wait_for(
        lambda: set(OutboxMessage.objects.values_list("status", flat=True)) == {"sent"},
        "both messages sent",
        worker,
    )
    assert Notification.objects.filter(key="inapp:wo:1").count() == 2
    assert relay.bodies() == ["请及时处理"]


def test_retry_backoff_dead_letter_and_admin_retry(worker, relay, staff, client_for):
    before = timezone.now()
    notify_users(users=[staff["lead1"]], key="wo:2", title="t", body="retried", email=True)
    wait_for(lambda: email_message().attempts == 1 and email_message().last_error, "1st", worker)
    message = email_message()
    assert message.status == "pending"
    assert "ConnectionRefused" in message.last_error
    assert message.next_attempt_at - before >= timedelta(seconds=BACKOFF - 1)

    assert sweep(worker) == 0  # not due yet
    assert email_message().attempts == 1
    time_passes(message)
    assert sweep(worker) == 0  # due, tried, failed again
    message = email_message()
    assert message.attempts == 2
    assert message.next_attempt_at - timezone.now() > timedelta(seconds=BACKOFF)  # doubled

    time_passes(message)
    assert sweep(worker) == 0
    assert (email_message().status, email_message().attempts) == ("dead", MAX_ATTEMPTS)
    time_passes(message)
    assert sweep(worker) == 0  # dead letters are left alone
    assert email_message().attempts == MAX_ATTEMPTS

    relay.open()
    response = client_for("admin").post(
        "/admin/notify/outboxmessage/", {"action": "retry", "_selected_action": [message.pk]}
    )
    assert response.status_code == 302
    wait_for(lambda: email_message().status == "sent", "sent after the admin's retry", worker)
    assert email_message().attempts == 1
    assert relay.bodies() == ["retried"]


def test_idempotent_per_key(worker, staff):
    with transaction.atomic():
        assert outbox_record(key="k1", channel="inapp", payload={"user_ids": [staff["agent1"].pk]})
        assert outbox_record(key="k1", channel="inapp", payload={"user_ids": []}) is None
    users = [staff["agent1"], staff["agent2"]]
    notify_users(users=users, key="k2", title="一次")
    notify_users(users=users, key="k2", title="一次")
    wait_for(lambda: OutboxMessage.objects.filter(status="sent").count() == 2, "sent", worker)
    assert OutboxMessage.objects.count() == 2

    # delivered, but the success was never recorded: the worker delivers it again
    message = OutboxMessage.objects.get(key="inapp:k2")
    OutboxMessage.objects.filter(pk=message.pk).update(status="pending", attempts=1)
    time_passes(message)
    outbox_deliver_task.delay(message.pk)
    wait_for(lambda: OutboxMessage.objects.get(pk=message.pk).status == "sent", "resent", worker)
    assert OutboxMessage.objects.get(pk=message.pk).attempts == 2
    assert Notification.objects.filter(key="inapp:k2").count() == 2
    assert Notification.objects.filter(key="k1").count() == 1


def test_a_worker_killed_mid_delivery_is_recovered_by_the_sweep(workers, worker, relay, staff):
    """kill -9 after the final dot: its claim is taken over at once (its process is gone),
    not after the 2-minute lease, and the message is not sent a second time."""
    from postdesk.notify.models import DeliveryAttempt, SentLog

    relay.open(hold_first=True)
    notify_users(users=[staff["lead1"]], key="wo:3", title="t", body="survived", email=True)
    assert relay.holding.wait(30), worker.output()
    message = email_message()
    assert (message.status, message.attempts) == ("pending", 1)  # claimed, lease running
    assert DeliveryAttempt.objects.get(message=message).phase == "handed_over"

    worker.kill()
    replacement = workers()
    assert replacement is not worker

    sweep(replacement)  # the claimant is known dead: no waiting for the lease
    message = email_message()
    assert (message.status, message.attempts) == ("sent", 2)
    assert SentLog.objects.get(key=message.key).in_doubt  # the relay had the dot
    relay.release()  # the relay finishes the message the dead worker handed over
    time.sleep(0.3)
    assert relay.bodies() == ["survived"]  # once


def test_a_worker_killed_before_the_dot_is_resent_promptly(workers, worker, relay, staff):
    relay.open(hold_first=True, hold_at=b"DATA")
    notify_users(users=[staff["lead1"]], key="wo:4", title="t", body="resent", email=True)
    assert relay.holding.wait(30), worker.output()
    message = email_message()
    assert (message.status, message.attempts) == ("pending", 1)
    worker.kill()
    relay.release(b"451 gone")  # the dead worker's session ends without a message
    replacement = workers()
    sweep(replacement)
    wait_for(lambda: email_message().status == "sent", "sent by the replacement", replacement)
    assert email_message().attempts == 2
    assert relay.bodies() == ["resent"]

    # the killed worker's unacknowledged task stays in Redis for an hour; clear it so it
    # does not reach a later run
    import redis
    from django.conf import settings

    redis.Redis.from_url(settings.REDIS_URL).delete("unacked", "unacked_index")


def test_recorded_while_redis_is_down_then_swept(worker, celery_worker_factory, staff):
    script = (
        "from django.db import transaction\n"
        "from postdesk.org.models import User\n"
        "from postdesk.notify.services import notify_users\n"
        "with transaction.atomic():\n"
        "    notify_users(users=User.objects.filter(username='agent1'), key='down:1',"
        " title='broker down')\n"
        "print('recorded')\n"
    )
    env = dict(worker.env)
    env["REDIS_URL"] = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    env.pop("BACKGROUND_MODE")
    postdesk = str(Path(sys.executable).parent / "postdesk")
    done = subprocess.run(
        [postdesk, "shell", "-c", script], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith("recorded")
    assert "left for the sweep" in done.stderr

    message = OutboxMessage.objects.get(key="inapp:down:1")
    assert (message.status, message.attempts) == ("pending", 0)

    assert sweep(worker) == 1
    assert OutboxMessage.objects.get(pk=message.pk).status == "sent"
    assert Notification.objects.get(key="inapp:down:1").title == "broker down"
