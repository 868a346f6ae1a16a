"""`Idempotency-Key` (`core.idempotency`) on the creates and the work-order actions: a
retry with the same key and body answers the first answer and writes nothing; the same
key with another body is 422; refused requests keep nothing; keys are per user."""

from __future__ import annotations

import threading
import uuid

import pytest
from django.db import connection
from django.test import Client

from postdesk.core.models import IdempotencyRecord
from postdesk.customers.models import Customer
from postdesk.notify.models import Notification, OutboxMessage
from postdesk.workorders.models import WorkOrder, WorkOrderEvent

pytestmark = pytest.mark.django_db
J = "application/json"

ORDER = {
    "type": "complaint",
    "subtype": "delay",
    "title": "包裹延误",
    "description": "寄往上海的包裹五天未到",
    "caller_phone": "13812345678",
    "waybill_no": "EA473124829CN",
}


def counts() -> tuple[int, ...]:
    return (
        WorkOrder.objects.count(),
        WorkOrderEvent.objects.count(),
        Customer.objects.count(),
        OutboxMessage.objects.count(),
        Notification.objects.count(),
    )


def post(client: Client, url: str, body, key: str | None, **headers):
    if key is not None:
        headers["HTTP_IDEMPOTENCY_KEY"] = key
    return client.post(url, body, content_type=J, **headers)


def test_a_retried_create_answers_the_first_answer_and_writes_nothing(api_for):
    client = api_for("agent1")
    key = str(uuid.uuid4())
    first = post(client, "/api/v1/workorders/", ORDER, key)
    assert first.status_code == 201
    before = counts()
    # the same body with other whitespace and key order is the same request
    again = post(client, "/api/v1/workorders/", dict(reversed(list(ORDER.items()))), key)
    assert again.status_code == 201
    assert again.json() == first.json()
    assert counts() == before
    assert WorkOrder.objects.count() == 1


def test_the_same_key_with_another_body_is_422_and_writes_nothing(api_for):
    client = api_for("agent1")
    key = "order-7"
    assert post(client, "/api/v1/workorders/", ORDER, key).status_code == 201
    before = counts()
    other = post(client, "/api/v1/workorders/", {**ORDER, "title": "另一件事"}, key)
    assert other.status_code == 422
    body = other.json()
    assert body["code"] == "idempotency_key_reused"
    assert set(body["fields"]) == {"Idempotency-Key"}
    assert counts() == before
    # and the same key on another path is another request too
    customer = {"name": "王小明", "phones": ["13900001111"]}
    assert post(client, "/api/v1/customers/", customer, key).status_code == 422


def test_without_a_key_each_request_is_new(api_for):
    client = api_for("agent1")
    post(client, "/api/v1/workorders/", ORDER, None)
    post(client, "/api/v1/workorders/", ORDER, None)
    assert WorkOrder.objects.count() == 2
    assert IdempotencyRecord.objects.count() == 0


def test_keys_belong_to_their_user(api_for):
    key = "shared-key"
    a = post(api_for("agent1"), "/api/v1/workorders/", ORDER, key)
    b = post(api_for("agent2"), "/api/v1/workorders/", ORDER, key)
    assert a.status_code == b.status_code == 201
    assert a.json()["number"] != b.json()["number"]


def test_a_refused_request_keeps_nothing_and_may_be_corrected(api_for):
    client = api_for("agent1")
    key = "fix-me"
    bad = post(client, "/api/v1/workorders/", {**ORDER, "type": "wish"}, key)
    assert bad.status_code == 400
    assert IdempotencyRecord.objects.count() == 0
    assert post(client, "/api/v1/workorders/", ORDER, key).status_code == 201


@pytest.mark.parametrize("key", ["", " ", "x" * 256, "ключ", "a b"])
def test_a_malformed_key_is_400_naming_the_header(api_for, key):
    r = post(api_for("agent1"), "/api/v1/workorders/", ORDER, key)
    assert r.status_code == 400
    assert set(r.json()["fields"]) == {"Idempotency-Key"}
    assert WorkOrder.objects.count() == 0


def test_customer_create_is_idempotent(api_for):
    client = api_for("agent1")
    body = {"name": "王小明", "phones": ["13900001111"]}
    first = post(client, "/api/v1/customers/", body, "c-1")
    again = post(client, "/api/v1/customers/", body, "c-1")
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert Customer.objects.count() == 1


def test_a_retried_action_is_answered_once_and_notifies_once(api_for):
    agent = api_for("agent1")
    number = post(agent, "/api/v1/workorders/", ORDER, None).json()["number"]
    url = f"/api/v1/workorders/{number}/actions/dispatch/"
    first = post(agent, url, {"unit": "WZ-LC01"}, "dispatch-1")
    assert first.status_code == 200 and first.json()["status"] == "dispatched"
    before = counts()
    again = post(agent, url, {"unit": "WZ-LC01"}, "dispatch-1")
    assert again.status_code == 200
    assert again.json() == first.json()
    assert counts() == before
    other = post(agent, url, {"unit": "WZ-LW01"}, "dispatch-1")
    assert other.status_code == 422 and counts() == before


@pytest.mark.django_db(transaction=True)
def test_concurrent_twins_make_one_order(staff):
    """Two requests with one key at the same moment: one order; both answer it."""
    from postdesk.core.services import api_token_create

    token = api_token_create(user=staff["agent1"])
    answers = []
    barrier = threading.Barrier(4)

    def send():
        client = Client(HTTP_AUTHORIZATION=f"Token {token}")
        barrier.wait()
        answers.append(post(client, "/api/v1/workorders/", ORDER, "twins"))
        connection.close()

    threads = [threading.Thread(target=send) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert [a.status_code for a in answers] == [201] * 4
    assert len({a.json()["number"] for a in answers}) == 1
    assert WorkOrder.objects.count() == 1
