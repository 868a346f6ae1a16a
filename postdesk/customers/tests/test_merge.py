"""Merging two cards of one person: every reference moves (counted per related model),
phones combine, the dropped card stays marked; leads and administrators only; a card
into itself or an already merged card is refused with nothing written."""

from __future__ import annotations

import pytest
from django.utils import timezone

from postdesk.calls.models import Call
from postdesk.customers.models import Customer, CustomerAddress, CustomerChange, CustomerPhone
from postdesk.customers.selectors import merge_references
from postdesk.customers.services import customer_create
from postdesk.workorders.models import WorkOrder
from postdesk.workorders.services import work_order_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def twin(people, staff, org):
    """A second card of 张三 (鹿城支局) with a new mobile, one shared landline, an order
    and a call."""
    agent = staff["agent1"]
    drop = customer_create(
        actor=staff["admin"],
        name="张三",
        unit=org["WZ-LC01"],
        phones=["15000001111", "0577-88123456"],
    )
    work_order_create(actor=agent, type="consultation", title="咨询寄递时限", customer_id=drop.pk)
    work_order_create(actor=agent, type="consultation", title="咨询资费", customer_id=drop.pk)
    Call.objects.create(
        call_id="m-1",
        direction="in",
        started_at=timezone.now(),
        outcome="answered",
        agent=agent,
        unit=agent.unit,
        customer=drop,
    )
    return drop


def test_every_reference_kind_is_covered_automatically():
    models = {model._meta.label_lower for model, _field in merge_references()}
    assert {"workorders.workorder", "calls.call", "customers.customerphone"} <= models
    assert {"customers.customeraddress", "customers.customerchange"} <= models


def test_api_merge_moves_everything(people, api_for, twin):
    keep = people["lc"]
    before_keep = WorkOrder.objects.filter(customer=keep).count()
    response = api_for("lead1").post(
        f"/api/v1/customers/{keep.pk}/merge", {"other": twin.pk}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["merged"] == twin.pk
    assert body["moved"]["workorders.workorder"] == 2
    assert body["moved"]["calls.call"] == 1
    assert body["moved"]["customers.customerphone"] == 1  # the shared landline stays once
    # nothing points at the dropped card any more, for every related model
    for model, field in merge_references():
        assert not model._base_manager.filter(**{field: twin}).exists(), model
    assert WorkOrder.objects.filter(customer=keep).count() == before_keep + 2
    assert Call.objects.filter(customer=keep).count() == 1
    numbers = set(CustomerPhone.objects.filter(customer=keep).values_list("number", flat=True))
    assert numbers == {"+8613812345678", "+8657788123456", "+8615000001111"}
    primary = CustomerPhone.objects.get(customer=keep, is_primary=True)
    assert primary.number == "+8613812345678"
    twin.refresh_from_db()
    assert twin.merged_into_id == keep.pk and twin.merged_at is not None
    record = CustomerChange.objects.get(customer=keep, field="merge")
    assert record.new == str(twin.pk) and record.actor.username == "lead1"
    # the merged card is gone from searches but its page leads to the kept one
    found = api_for("lead1").get("/api/v1/customers/?q=15000001111").json()
    assert [c["id"] for c in found["results"]] == [keep.pk]
    assert api_for("lead1").get(f"/api/v1/customers/{twin.pk}").json()["merged_into"] == keep.pk


def test_addresses_move_and_keep_their_default(people, api_for, staff, org):
    keep = people["lc"]
    drop = people["lw"]  # another unit, but the lead sees both
    api_for("admin").post(
        f"/api/v1/customers/{keep.pk}/merge", {"other": drop.pk}, content_type="application/json"
    )
    addresses = CustomerAddress.objects.filter(customer=keep)
    assert addresses.count() == 2
    assert addresses.filter(is_default=True).count() == 1


@pytest.mark.parametrize(
    ("username", "status"),
    [("agent1", 403), ("director1", 403), ("branch1", 403), ("lead1", 200), ("admin", 200)],
)
def test_who_may_merge(people, api_for, twin, username, status):
    response = api_for(username).post(
        f"/api/v1/customers/{people['lc'].pk}/merge",
        {"other": twin.pk},
        content_type="application/json",
    )
    assert response.status_code == status
    assert Customer.objects.get(pk=twin.pk).merged_into_id == (
        people["lc"].pk if status == 200 else None
    )


def test_into_itself_or_twice_is_refused_and_writes_nothing(people, api_for, twin):
    keep = people["lc"]
    api = api_for("lead1")
    itself = api.post(
        f"/api/v1/customers/{keep.pk}/merge", {"other": keep.pk}, content_type="application/json"
    )
    assert itself.status_code == 400 and "other" in itself.json()["fields"]
    assert not CustomerChange.objects.exists()
    assert (
        api.post(
            f"/api/v1/customers/{keep.pk}/merge",
            {"other": twin.pk},
            content_type="application/json",
        ).status_code
        == 200
    )
    orders = WorkOrder.objects.filter(customer=keep).count()
    again = api.post(
        f"/api/v1/customers/{keep.pk}/merge", {"other": twin.pk}, content_type="application/json"
    )
    assert again.status_code == 409 and again.json()["code"] == "already_merged"
    back = api.post(
        f"/api/v1/customers/{twin.pk}/merge", {"other": keep.pk}, content_type="application/json"
    )
    assert back.status_code == 409
    assert WorkOrder.objects.filter(customer=keep).count() == orders
    assert CustomerChange.objects.filter(field="merge").count() == 1


def test_handler_cannot_reach_another_units_card(people, api_for):
    response = api_for("ra_branch1").post(
        f"/api/v1/customers/{people['lc'].pk}/merge",
        {"other": people["ra"].pk},
        content_type="application/json",
    )
    assert response.status_code == 404


def test_page_confirm_shows_both_cards_then_merges(people, client_for, twin):
    keep = people["lc"]
    client = client_for("lead1")
    card = client.get(f"/customers/{keep.pk}/").content.decode()
    duplicates = card.split('data-testid="duplicates"')[1].split("</ul>")[0]
    assert f"?other={twin.pk}" in duplicates  # the shared landline makes it a candidate
    assert f"?other={people['lw'].pk}" in duplicates  # 李四 shares it too
    confirm = client.get(f"/customers/{keep.pk}/merge/?other={twin.pk}")
    assert confirm.status_code == 200
    html = confirm.content.decode()
    assert 'data-testid="keep"' in html and 'data-testid="drop"' in html
    assert "150****1111" in html and "15000001111" not in html
    assert not CustomerChange.objects.exists()  # the GET only shows
    done = client.post(f"/customers/{keep.pk}/merge/", {"other": twin.pk})
    assert done.status_code == 302
    assert Customer.objects.get(pk=twin.pk).merged_into_id == keep.pk
    itself = client.get(f"/customers/{keep.pk}/merge/?other={keep.pk}")
    assert 'data-testid="merge-confirm"' not in itself.content.decode()
    assert (
        client_for("agent1").get(f"/customers/{keep.pk}/merge/?other={twin.pk}").status_code == 404
    )
