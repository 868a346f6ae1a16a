"""Escalation through a real Celery worker (PostgreSQL + Redis) and through the embedded
mode's scheduler and pool; concurrent actions on one order on PostgreSQL."""

from __future__ import annotations

import re
import threading
import time
from datetime import timedelta

import pytest
from django.db import connections
from django.utils import timezone

from conftest import FakeSMTPServer
from postdesk.core.errors import Conflict, InvalidTransition
from postdesk.notify.models import Notification, OutboxMessage
from postdesk.workorders.models import AlertStage, WorkOrder, WorkOrderEvent
from postdesk.workorders.services import work_order_act, work_order_create

TX = pytest.mark.django_db(transaction=True)


def _overdue_dispatched_order(staff) -> WorkOrder:
    order = work_order_create(
        actor=staff["agent1"], type="complaint", subtype="delay", title="超时升级测试"
    )
    order = work_order_act(
        actor=staff["agent1"], order=order, action="dispatch", payload={"unit": "WZ-LC01"}
    )
    # Time passing: the stage's deadline is now a minute ago (the watch reads due_at).
    past = timezone.now() - timedelta(minutes=1)
    WorkOrder.objects.filter(pk=order.pk).update(due_at=past, warn_at=past - timedelta(hours=1))
    return order


def _wait(predicate, what: str, log=lambda: "", timeout: float = 45) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}\n{log()}")


@pytest.fixture(scope="module")
def relay():
    server = FakeSMTPServer().open()
    yield server
    server.close()


@pytest.mark.services
@TX
def test_escalation_through_a_real_celery_worker(staff, celery_worker_factory, relay, settings):
    worker = celery_worker_factory(EMAIL_HOST="127.0.0.1", EMAIL_PORT=str(relay.port))
    settings.BACKGROUND_MODE = "celery"
    for user in staff.values():
        user.email = f"{user.username}@example.org"
        user.save(update_fields=["email"])
    order = _overdue_dispatched_order(staff)
    from postdesk.workorders.tasks import work_orders_watch as work_orders_watch_task

    task_id = work_orders_watch_task.delay().id
    _wait(
        lambda: WorkOrder.objects.get(pk=order.pk).alert_stage == AlertStage.BREACHED,
        "the worker to mark the breach",
        worker.output,
    )
    pattern = re.compile(rf"work_orders_watch\[{task_id}\] succeeded")
    _wait(lambda: pattern.search(worker.output()), "the task to finish", worker.output)
    order.refresh_from_db()
    assert order.breached and order.escalation_level == AlertStage.BREACHED
    # the outbox rows were handed to the worker after commit and delivered by it
    _wait(
        lambda: (
            Notification.objects.filter(user=staff["lead1"], key__contains="wo-sla").exists()
            and Notification.objects.filter(user=staff["branch1"], key__contains="wo-sla").exists()
        ),
        "in-app notifications",
        worker.output,
    )
    _wait(
        lambda: any(b"lead1@example.org" in m for m in relay.messages), "the e-mail", worker.output
    )
    assert not Notification.objects.filter(user=staff["director1"]).exists()
    # the relay has the mail before the worker marks its row sent (after the SMTP QUIT)
    _wait(
        lambda: OutboxMessage.objects.filter(key__contains="wo-sla", status="sent").count() >= 2,
        "both deliveries marked sent",
        worker.output,
    )
    assert OutboxMessage.objects.filter(key__contains="wo-sla", status="sent").count() == 2
    # a second run finds nothing new to do (idempotent)
    work_orders_watch_task.delay()
    time.sleep(2)
    assert WorkOrderEvent.objects.filter(order=order, action="sla_breach").count() == 1


@TX
def test_escalation_in_the_embedded_mode(staff, settings):
    """The embedded scheduler runs the beat table in-process; the watch and the outbox
    delivery run in the in-process pool — no Redis, no Celery."""
    from postdesk.core.background import drain
    from postdesk.core.embedded import run_scheduler

    settings.BACKGROUND_MODE = "embedded"
    order = _overdue_dispatched_order(staff)
    stop = threading.Event()
    thread = threading.Thread(target=run_scheduler, args=(stop,), kwargs={"tick": 0.1})
    thread.start()
    try:
        _wait(
            lambda: WorkOrder.objects.get(pk=order.pk).alert_stage == AlertStage.BREACHED,
            "the embedded watch",
        )
        drain()
        _wait(
            lambda: Notification.objects.filter(
                user=staff["lead1"], key__contains="wo-sla"
            ).exists(),
            "the embedded delivery",
        )
    finally:
        stop.set()
        thread.join(10)
        drain()


@TX
def test_two_people_acting_at_once_one_wins(staff):
    order = work_order_create(
        actor=staff["agent1"], type="complaint", subtype="delay", title="并发"
    )
    order = work_order_act(
        actor=staff["agent1"], order=order, action="dispatch", payload={"unit": "WZ-LC01"}
    )
    from postdesk.org.models import User

    branch1 = User.objects.get(username="branch1")
    lead1 = User.objects.get(username="lead1")

    def run(rounds_user, action, payload, version, results, barrier):
        try:
            barrier.wait(5)
            work_order_act(
                actor=rounds_user,
                order=order,
                action=action,
                payload=payload,
                expected_version=version,
            )
            results.append("ok")
        except (Conflict, InvalidTransition) as exc:
            results.append(exc.code)
        finally:
            connections.close_all()

    # same version: one wins, the other is told of the conflict
    results: list[str] = []
    barrier = threading.Barrier(2)
    threads = [
        threading.Thread(target=run, args=(branch1, "accept", {}, order.version, results, barrier)),
        threading.Thread(
            target=run, args=(lead1, "cancel", {"reason": "重复"}, order.version, results, barrier)
        ),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    assert sorted(results) == ["conflict", "ok"]
    fresh = WorkOrder.objects.get(pk=order.pk)
    assert fresh.status in {"processing", "cancelled"} and fresh.version == order.version + 1
    assert WorkOrderEvent.objects.filter(order=order).count() == 3

    # without versions: the row lock serialises them; the loser finds the status changed
    order2 = work_order_act(
        actor=staff["agent1"],
        order=work_order_create(
            actor=staff["agent1"], type="complaint", subtype="loss", title="并发2"
        ),
        action="dispatch",
        payload={"unit": "WZ-LC01"},
    )
    order = order2
    results = []
    barrier = threading.Barrier(2)
    threads = [
        threading.Thread(target=run, args=(branch1, "accept", {}, None, results, barrier)),
        threading.Thread(target=run, args=(branch1, "accept", {}, None, results, barrier)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    assert sorted(results) == ["invalid_transition", "ok"]
    assert WorkOrderEvent.objects.filter(order=order2, action="accept").count() == 1


@TX
def test_intakes_at_once_get_unique_increasing_numbers_of_the_day(staff):
    """Eight agents' intakes at the same moment (each takes the day's number in its own
    transaction, by the counter upsert, on both databases). Each number once, each the day's
    date, no order without its create event; a failed intake does not stop the next."""
    first = work_order_create(actor=staff["agent1"], type="query", title="编号起点")
    numbers: list[str] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(8)

    def intake(i: int) -> None:
        try:
            barrier.wait(10)
            for j in range(5):
                order = work_order_create(
                    actor=staff["agent1"],
                    type="complaint",
                    subtype="delay",
                    title=f"并发受理{i}-{j}",
                )
                numbers.append(order.number)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=intake, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    assert len(numbers) == 40 and len(set(numbers)) == 40
    assert all(n[:8] == first.number[:8] and int(n[8:]) > int(first.number[8:]) for n in numbers)
    stored = WorkOrder.objects.filter(title__startswith="并发受理")
    assert sorted(stored.values_list("number", flat=True)) == sorted(numbers)
    assert WorkOrderEvent.objects.filter(order__in=stored, action="create").count() == 40
    after = work_order_create(actor=staff["agent1"], type="query", title="编号之后")
    assert int(after.number[8:]) > max(int(n[8:]) for n in numbers)
