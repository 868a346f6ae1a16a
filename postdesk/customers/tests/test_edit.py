"""Correcting a card: every field at fault at once and nothing written; each change
audited (who, when, old → new), personal values masked unless shown in full (logged);
agents, leads and administrators only."""

from __future__ import annotations

import re

import pytest

from postdesk.core.models import AccessLogEntry
from postdesk.customers.models import Customer, CustomerAddress, CustomerChange, CustomerPhone

pytestmark = pytest.mark.django_db


def field_errors(html: str, field: str) -> list[str]:
    return re.findall(rf'<small class="error" data-field="{field}">(.*?)</small>', html)


def test_api_patch_audits_each_changed_field(people, api_for, staff):
    lc = people["lc"]
    response = api_for("agent1").patch(
        f"/api/v1/customers/{lc.pk}",
        {"phones": ["13812345678", "139 0000 2222"], "address": "温州市鹿城区人民路8号"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["phones"] == ["138****5678", "139****2222"] and body["masked"] is True
    numbers = list(
        CustomerPhone.objects.filter(customer=lc)
        .order_by("-is_primary", "id")
        .values_list("number", flat=True)
    )
    assert numbers == ["+8613812345678", "+8613900002222"]
    assert CustomerAddress.objects.get(customer=lc).full == "温州市鹿城区人民路8号"
    changes = {c.field: c for c in CustomerChange.objects.filter(customer=lc)}
    assert set(changes) == {"phones", "address"}
    assert changes["phones"].old == "13812345678, 0577-88123456"
    assert changes["phones"].new == "13812345678, 13900002222"
    assert changes["address"].old == "浙江省温州市鹿城区五马街12号3幢401室"
    assert changes["phones"].actor == staff["agent1"]
    # the same values again: nothing new in the audit
    api_for("agent1").patch(
        f"/api/v1/customers/{lc.pk}",
        {"phones": ["13812345678", "13900002222"]},
        content_type="application/json",
    )
    assert CustomerChange.objects.filter(customer=lc).count() == 2


def test_bad_input_names_every_field_and_writes_nothing(people, api_for):
    lc = people["lc"]
    before = (Customer.objects.get(pk=lc.pk).name, CustomerPhone.objects.count())
    response = api_for("lead1").patch(
        f"/api/v1/customers/{lc.pk}",
        {"name": " ", "phones": ["12345"], "email": "nope", "is_key_account": True},
        content_type="application/json",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "validation_error"
    assert set(body["fields"]) == {"name", "phones", "email", "contract_no"}
    assert (Customer.objects.get(pk=lc.pk).name, CustomerPhone.objects.count()) == before
    assert not CustomerChange.objects.exists()


@pytest.mark.parametrize(
    ("username", "status"),
    [("agent1", 200), ("lead1", 200), ("admin", 200), ("director1", 403), ("branch1", 403)],
)
def test_who_may_edit(people, api_for, username, status):
    response = api_for(username).patch(
        f"/api/v1/customers/{people['lc'].pk}",
        {"contract_no": "HT-1"},
        content_type="application/json",
    )
    assert response.status_code == status
    assert CustomerChange.objects.exists() == (status == 200)


def test_another_units_card_is_404_for_a_handler(people, api_for):
    response = api_for("branch1").patch(
        f"/api/v1/customers/{people['lw'].pk}", {"name": "李四四"}, content_type="application/json"
    )
    assert response.status_code == 404


def test_page_edit_opens_logged_saves_and_shows_the_change_masked(people, client_for):
    lc = people["lc"]
    client = client_for("agent1")
    assert client.get(f"/customers/{lc.pk}/edit/").status_code == 302  # GET → the card
    opened = client.post(f"/customers/{lc.pk}/edit/", {"step": "open"})
    assert opened.status_code == 200
    assert 'value="13812345678, 0577-88123456"' in opened.content.decode()
    assert AccessLogEntry.objects.filter(subject_id=str(lc.pk), what="view").count() == 1
    form = {
        "step": "save",
        "name": "张三丰",
        "kind": "person",
        "phones": "13812345678，13711112222",
        "address": "浙江省温州市鹿城区五马街12号3幢401室",
        "email": "zhangsan@example.cn",
        "preferred_channel": "sms",
        "consent_sms": "on",
        "contract_no": "",
        "temperament": "agitated",
        "internal_note": "多次投诉，沟通时请耐心",
    }
    saved = client.post(f"/customers/{lc.pk}/edit/", form)
    assert saved.status_code == 302
    fields = set(CustomerChange.objects.filter(customer=lc).values_list("field", flat=True))
    assert fields == {"name", "phones", "preferred_channel"}
    card = client.get(f"/customers/{lc.pk}/").content.decode()
    history = card.split('data-testid="changes"')[1]
    assert "张***" in history or "张**" in history
    assert "137****2222" in history and "13711112222" not in history
    assert "姓名" in history and "首选联系方式" in history
    assert "电话 → 短信" in history  # labels, not the stored codes
    assert "phone →" not in history
    full = client.post(f"/customers/{lc.pk}/reveal/").content.decode()
    assert "13711112222" in full.split('data-testid="changes"')[1]


def test_page_errors_shown_together_and_nothing_written(people, client_for):
    lc = people["lc"]
    response = client_for("agent1").post(
        f"/customers/{lc.pk}/edit/",
        {
            "step": "save",
            "name": "",
            "kind": "person",
            "phones": "12345",
            "email": "x@",
            "preferred_channel": "phone",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert field_errors(html, "name") and field_errors(html, "phones")
    assert field_errors(html, "email")
    assert not CustomerChange.objects.exists()
    assert Customer.objects.get(pk=lc.pk).name == "张三"
