"""The transactional outbox in the embedded mode (the in-process worker pool): delivery
after commit, retry with backoff, dead letters, the administrator's retry, idempotency per
key, and recovery after a stuck worker or a broker outage. Runs on SQLite and PostgreSQL;
test_outbox_celery.py repeats the journey with a real Redis and Celery worker."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from conftest import free_port
from postdesk.core.background import drain, enqueue
from postdesk.notify.models import DeliveryAttempt, Notification, OutboxMessage, SentLog
from postdesk.notify.selectors import outbox_dead
from postdesk.notify.services import notify_users, outbox_deliver, outbox_record, outbox_retry
from postdesk.notify.tasks import outbox_sweep

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
pytestmark = pytest.mark.django_db(transaction=True, available_apps=OUTBOX_APPS)


@pytest.fixture(autouse=True)
def embedded(settings):
    settings.BACKGROUND_MODE = "embedded"
    if connection.vendor == "sqlite":
        # the in-memory test database (shared cache) fails instead of waiting when two
        # connections write one table at once; a file database in WAL mode waits
        settings.POSTDESK_EMBEDDED_WORKERS = 1
    settings.POSTDESK_OUTBOX_BACKOFF_SECONDS = 10
    settings.POSTDESK_OUTBOX_MAX_ATTEMPTS = 3
    yield
    drain()


def time_passes(message: OutboxMessage, seconds: float = 3600) -> None:
    """The clock moves on: the message's next attempt (or its lease) is now due."""
    OutboxMessage.objects.filter(pk=message.pk).update(
        next_attempt_at=timezone.now() - timedelta(seconds=1)
    )


def sweep() -> None:
    """The periodic job, run by the embedded pool as the scheduler would."""
    enqueue(outbox_sweep)
    drain()


def notify(**kwargs) -> None:
    """As a service does: record inside its transaction, deliver after the commit."""
    with transaction.atomic():
        notify_users(**kwargs)


def email_message() -> OutboxMessage:
    return OutboxMessage.objects.get(channel="email")


def test_delivered_after_commit_and_not_before(staff, smtp_server):
    smtp_server.open()
    users = [staff["agent1"], staff["agent2"]]
    with transaction.atomic():
        notify_users(users=users, key="wo:1:dispatched", title="新工单", body="请处理", email=True)
        drain()
        assert OutboxMessage.objects.filter(status="pending").count() == 2
        assert not Notification.objects.exists()
    drain()
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {"sent"}
    notes = Notification.objects.filter(key="inapp:wo:1:dispatched")
    assert {n.user_id for n in notes} == {u.pk for u in users}
    assert notes.first().title == "新工单"
    assert smtp_server.bodies() == ["请处理"]
    assert b"agent1@demo.postdesk.local" in smtp_server.messages[0]
    assert email_message().sent_at is not None


def test_rolled_back_work_sends_nothing(staff, smtp_server):
    smtp_server.open()
    with pytest.raises(RuntimeError), transaction.atomic():
        notify_users(users=[staff["agent1"]], key="wo:2", title="x", email=True)
        raise RuntimeError("the service failed after recording")
    drain()
    assert not OutboxMessage.objects.exists()
    assert not Notification.objects.exists()
    assert smtp_server.messages == []


def test_failure_is_retried_with_backoff_then_delivered(staff, smtp_server):
    # the relay is down: connection refused
    before = timezone.now()
    notify(users=[staff["lead1"]], key="wo:3", title="超时提醒", body="b", email=True)
    drain()
    message = email_message()
    assert (message.status, message.attempts) == ("pending", 1)
    assert "ConnectionRefused" in message.last_error
    first_wait = message.next_attempt_at - before
    assert timedelta(seconds=9) < first_wait < timedelta(seconds=11) + (timezone.now() - before)

    # not due yet: the sweep leaves it alone
    sweep()
    assert email_message().attempts == 1

    time_passes(message)
    before = timezone.now()
    sweep()
    message = email_message()
    assert (message.status, message.attempts) == ("pending", 2)
    second_wait = message.next_attempt_at - before
    assert timedelta(seconds=19) < second_wait < timedelta(seconds=21) + (timezone.now() - before)

    smtp_server.open()
    time_passes(message)
    sweep()
    message = email_message()
    assert (message.status, message.attempts, message.last_error) == ("sent", 3, "")
    assert smtp_server.bodies() == ["b"]
    # the in-app part was never held up by the e-mail relay
    assert Notification.objects.filter(user=staff["lead1"]).count() == 1


def test_dead_after_max_attempts_then_the_admin_retries(staff, smtp_server):
    notify(users=[staff["lead1"]], key="wo:4", title="t", body="dead letter", email=True)
    drain()
    for _ in range(2):
        time_passes(email_message())
        sweep()
    message = email_message()
    assert (message.status, message.attempts) == ("dead", 3)
    assert "ConnectionRefused" in message.last_error
    assert list(outbox_dead()) == [message]

    # dead letters are not swept again
    time_passes(message)
    sweep()
    assert email_message().attempts == 3

    smtp_server.open()
    assert outbox_retry(message_ids=[message.pk]) == 1
    drain()
    message = email_message()
    assert (message.status, message.attempts) == ("sent", 1)
    assert smtp_server.bodies() == ["dead letter"]
    assert list(outbox_dead()) == []
    # a sent message is not sent again by a retry
    assert outbox_retry(message_ids=[message.pk]) == 0
    drain()
    assert len(smtp_server.messages) == 1


def test_admin_action_retries_dead_messages(staff, smtp_server, client_for):
    notify(users=[staff["agent2"]], key="wo:5", title="t", body="from the admin", email=True)
    drain()
    OutboxMessage.objects.filter(channel="email").update(status="dead")
    smtp_server.open()
    response = client_for("admin").post(
        "/admin/notify/outboxmessage/",
        {"action": "retry", "_selected_action": [email_message().pk]},
    )
    assert response.status_code == 302
    drain()
    assert email_message().status == "sent"
    assert smtp_server.bodies() == ["from the admin"]


def test_same_key_is_recorded_once(staff):
    with transaction.atomic():
        first = outbox_record(key="k1", channel="inapp", payload={"user_ids": [staff["agent1"].pk]})
        second = outbox_record(
            key="k1", channel="inapp", payload={"user_ids": [staff["agent2"].pk]}
        )
    drain()
    assert first is not None and second is None
    assert OutboxMessage.objects.count() == 1
    assert list(Notification.objects.values_list("user__username", flat=True)) == ["agent1"]

    # drain between steps: the in-memory SQLite test database (shared cache) fails rather
    # than waits when two connections write one table at once
    notify_users(users=[staff["agent1"], staff["agent2"]], key="k2", title="一次")
    drain()
    notify_users(users=[staff["agent1"], staff["agent2"]], key="k2", title="一次")
    drain()
    assert Notification.objects.filter(key="inapp:k2").count() == 2


def test_in_app_delivery_twice_creates_one_notification_per_user(staff):
    notify_users(users=[staff["agent1"], staff["agent2"]], key="k3", title="只一条")
    drain()
    message = OutboxMessage.objects.get()
    # a worker delivered it but crashed before recording the success (the sent log and
    # the status are one transaction): the channel runs again, and creates nothing new
    SentLog.objects.filter(key=message.key).delete()
    OutboxMessage.objects.filter(pk=message.pk).update(status="pending")
    time_passes(message)
    assert outbox_deliver(message_id=message.pk) is True
    assert Notification.objects.filter(key="inapp:k3").count() == 2
    assert OutboxMessage.objects.get().status == "sent"


def test_a_key_in_the_sent_log_is_never_sent_again(staff, smtp_server):
    smtp_server.open()
    notify(users=[staff["lead1"]], key="wo:8", title="t", body="once", email=True)
    drain()
    message = email_message()
    assert message.status == "sent" and SentLog.objects.filter(key=message.key).exists()
    # whatever puts the message back (a bug, a hand-edited row), the sent log holds
    OutboxMessage.objects.filter(pk=message.pk).update(status="pending")
    time_passes(message)
    assert outbox_deliver(message_id=message.pk) is False
    assert email_message().status == "sent"
    assert smtp_server.bodies() == ["once"]


def test_a_claimed_message_is_not_delivered_twice_at_once(staff):
    notify_users(users=[staff["agent1"]], key="k4", title="t")
    drain()
    message = OutboxMessage.objects.get()
    assert message.status == "sent"
    assert outbox_deliver(message_id=message.pk) is False  # sent already
    assert Notification.objects.count() == 1


def _stuck_at_the_final_dot(staff, smtp_server, key):
    """A worker sends the final dot and waits for the relay's answer, past its lease."""
    smtp_server.open(hold_first=True)
    notify(users=[staff["lead1"]], key=key, title="t", body="stuck", email=True)
    assert smtp_server.holding.wait(10)
    message = email_message()
    assert (message.status, message.attempts) == ("pending", 1)
    assert message.next_attempt_at > timezone.now() + timedelta(seconds=60)  # the lease
    attempt = DeliveryAttempt.objects.get(message=message)
    assert attempt.phase == "handed_over" and attempt.ref == f"<email:{key}@postdesk>"
    from postdesk.notify.services import outbox_sweep as sweep_now

    assert sweep_now() == 0  # while the lease holds, the sweep leaves it alone
    time_passes(message)  # the lease expires: the worker is presumed dead
    assert sweep_now() == 0
    # the relay may have it (it took the dot): counted sent, in doubt, not sent again
    message = email_message()
    assert (message.status, message.attempts) == ("sent", 2)
    assert SentLog.objects.get(key=message.key).in_doubt
    assert DeliveryAttempt.objects.get(message=message).phase == "abandoned"
    return message


def test_a_worker_past_its_lease_after_the_dot_is_not_sent_twice(staff, smtp_server, settings):
    settings.POSTDESK_OUTBOX_MAX_ATTEMPTS = 1
    _stuck_at_the_final_dot(staff, smtp_server, "wo:6")
    smtp_server.release()  # the relay accepts after all
    drain()
    message = email_message()
    assert message.status == "sent" and not SentLog.objects.get(key=message.key).in_doubt
    assert smtp_server.bodies() == ["stuck"]


def test_a_worker_past_its_lease_that_then_fails_reopens_the_message(staff, smtp_server, settings):
    _stuck_at_the_final_dot(staff, smtp_server, "wo:9")
    smtp_server.release(b"451 try again later")  # the relay refuses: not delivered
    drain()  # the stuck worker reopens the message and queues it again
    drain()  # which delivers it, once
    message = email_message()
    assert (message.status, message.attempts) == ("sent", 3)
    assert smtp_server.bodies() == ["stuck"]


def test_an_attempt_that_died_before_the_dot_is_sent_again(staff, smtp_server):
    """A worker that died before handing the message over: certainly not delivered."""
    smtp_server.open()
    with transaction.atomic():
        message = outbox_record(
            key="email:wo:10", channel="email", payload={"to": ["a@x.cn"], "body": "again"}
        )
        OutboxMessage.objects.filter(pk=message.pk).update(
            attempts=1, claimed_by="elsewhere:1:dead", next_attempt_at=timezone.now()
        )
        DeliveryAttempt.objects.create(
            message=message, number=1, worker="elsewhere:1:dead", started_at=timezone.now()
        )
    drain()
    message = OutboxMessage.objects.get(pk=message.pk)
    assert (message.status, message.attempts) == ("sent", 2)
    assert smtp_server.bodies() == ["again"]
    assert list(DeliveryAttempt.objects.values_list("phase", flat=True)) == ["abandoned", "sent"]


def test_a_claim_of_a_dead_worker_is_taken_over_at_once(staff, smtp_server):
    """The claimant ran on this host and its process is gone: no waiting for the lease."""
    import socket
    import subprocess

    smtp_server.open()
    gone = subprocess.Popen(["true"])
    gone.wait()
    dead = f"{socket.gethostname()}:{gone.pid}:abcd"
    with transaction.atomic():
        message = outbox_record(
            key="email:wo:11", channel="email", payload={"to": ["a@x.cn"], "body": "taken"}
        )
        OutboxMessage.objects.filter(pk=message.pk).update(
            attempts=1, claimed_by=dead, next_attempt_at=timezone.now() + timedelta(minutes=2)
        )
    drain()  # its own delivery after commit finds the lease held by a dead process
    from postdesk.notify.services import outbox_sweep as sweep_now

    if OutboxMessage.objects.get(pk=message.pk).status != "sent":
        assert sweep_now() == 1
    assert OutboxMessage.objects.get(pk=message.pk).status == "sent"
    assert smtp_server.bodies() == ["taken"]


def test_a_claim_of_a_live_worker_waits_for_its_lease(staff):
    from postdesk.core import liveness
    from postdesk.notify.services import outbox_sweep as sweep_now

    with transaction.atomic():
        message = outbox_record(key="inapp:wo:12", channel="inapp", payload={"user_ids": []})
        OutboxMessage.objects.filter(pk=message.pk).update(
            attempts=1,
            claimed_by=liveness.me(),
            next_attempt_at=timezone.now() + timedelta(minutes=2),
        )
    drain()
    assert sweep_now() == 0
    assert OutboxMessage.objects.get(pk=message.pk).status == "pending"


def test_recorded_while_the_broker_is_down_then_swept(staff, settings, celery_broker):
    """Celery mode with REDIS_URL pointing at a closed port: publishing fails, the row is
    committed anyway and the request does not fail; the sweep delivers it later."""
    celery_broker(f"redis://127.0.0.1:{free_port()}/0")
    settings.BACKGROUND_MODE = "celery"
    with transaction.atomic():
        notify_users(users=[staff["agent1"]], key="wo:7", title="broker down")
    message = OutboxMessage.objects.get()
    assert (message.status, message.attempts) == ("pending", 0)
    assert not Notification.objects.exists()

    settings.BACKGROUND_MODE = "embedded"
    sweep()
    assert OutboxMessage.objects.get().status == "sent"
    assert Notification.objects.get().title == "broker down"
