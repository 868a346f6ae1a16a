"""Creating a customer on the page and through the API: errors beside the form, nothing
half-written."""

from __future__ import annotations

import re

import pytest

from postdesk.customers.models import Customer, CustomerAddress, CustomerPhone

pytestmark = pytest.mark.django_db

GOOD = {
    "name": "周九",
    "kind": "person",
    "phones": "+86 158 1234 5678， 0577-88990011",
    "address": "浙江省温州市鹿城区人民路5号",
    "preferred_channel": "phone",
    "consent_sms": "on",
}


def field_errors(html: str, field: str) -> list[str]:
    return re.findall(rf'<small class="error" data-field="{field}">(.*?)</small>', html)


def test_bad_phone_is_shown_beside_the_phones_field_and_nothing_is_written(client_for):
    response = client_for("agent1").post(
        "/customers/new/", {**GOOD, "phones": "13812345678, 12345"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert field_errors(html, "phones") == ["“12345”不是有效的电话号码。"]
    assert field_errors(html, "name") == []
    assert 'value="周九"' in html  # the form keeps what was typed
    assert not Customer.objects.exists()
    assert not CustomerPhone.objects.exists()


def test_the_page_message_follows_the_users_language(client_for, staff):
    staff["agent1"].language = "en"
    staff["agent1"].save(update_fields=["language"])
    response = client_for("agent1").post("/customers/new/", {**GOOD, "phones": "abc"})
    assert response.status_code == 400
    assert field_errors(response.content.decode(), "phones") == [
        "“abc” is not a valid phone number."
    ]


def test_key_account_without_contract_number_names_that_field(client_for):
    response = client_for("lead1").post("/customers/new/", {**GOOD, "is_key_account": "on"})
    assert response.status_code == 400
    assert field_errors(response.content.decode(), "contract_no")
    assert not Customer.objects.exists()


def test_missing_name_is_a_form_error(client_for):
    response = client_for("agent1").post("/customers/new/", {**GOOD, "name": ""})
    assert response.status_code == 400
    assert field_errors(response.content.decode(), "name")
    assert not Customer.objects.exists()


def test_every_field_at_fault_is_named_at_once(client_for):
    response = client_for("lead1").post(
        "/customers/new/",
        {**GOOD, "name": "", "phones": "12345", "email": "not-an-address", "is_key_account": "on"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    for field in ("name", "phones", "email", "contract_no"):
        assert field_errors(html, field), field
    assert "电话号码 *" in html and "姓名 *" in html  # still marked as needed
    assert not Customer.objects.exists()


def test_good_input_creates_the_customer(client_for):
    response = client_for("agent1").post("/customers/new/", GOOD)
    assert response.status_code == 302
    customer = Customer.objects.get()
    assert response["Location"] == f"/customers/{customer.pk}/"
    assert sorted(customer.phones.values_list("number", flat=True)) == [
        "+8615812345678",
        "+8657788990011",
    ]
    assert CustomerAddress.objects.get(customer=customer).detail == GOOD["address"]
    assert customer.unit is None  # a city agent's customer is not tied to a unit


def test_new_page_prefills_the_callers_number(client_for):
    response = client_for("agent1").get("/customers/new/", {"phone": "13812345678"})
    assert response.status_code == 200
    assert 'value="13812345678"' in response.content.decode()


def test_api_create_answers_the_masked_card(api_for):
    response = api_for("agent2").post(
        "/api/v1/customers/",
        {"name": "吴十", "phones": ["13612345678"], "addresses": [{"detail": "学院中路7号"}]},
        content_type="application/json",
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["name"], body["phones"], body["masked"]) == ("吴*", ["136****5678"], True)
    assert Customer.objects.get(pk=body["id"]).name == "吴十"
