"""Who sees which customer: the scope rule on the pages, the API and search. Outside
one's scope is 404 (existence does not leak), never 403."""

from __future__ import annotations

import pytest

from postdesk.core.models import AccessLogEntry

pytestmark = pytest.mark.django_db


def ids_in(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def test_branch_handler_cannot_read_another_units_customer(people, client_for, api_for):
    other = people["lw"].pk
    page = client_for("branch1").get(f"/customers/{other}/")
    assert page.status_code == 404
    assert "李" not in page.content.decode()
    api = api_for("branch1")
    for method, url in (
        ("get", f"/api/v1/customers/{other}"),
        ("post", f"/api/v1/customers/{other}/full"),
    ):
        response = getattr(api, method)(url)
        assert response.status_code == 404, url
        assert response.json() == {"code": "not_found", "message": "未找到。", "fields": {}}
    # the reveal page is 404 as well, and nothing reaches the access log
    assert client_for("branch1").post(f"/customers/{other}/reveal/").status_code == 404
    assert not AccessLogEntry.objects.exists()


def test_branch_handler_reads_its_own_units_customer(people, client_for, api_for):
    own = people["lc"].pk
    assert client_for("branch1").get(f"/customers/{own}/").status_code == 200
    assert api_for("branch1").get(f"/api/v1/customers/{own}").json()["id"] == own
    assert api_for("branch1").post(f"/api/v1/customers/{own}/full").json()["name"] == "张三"
    # and branch2 is the mirror image
    assert client_for("branch2").get(f"/customers/{own}/").status_code == 404
    assert client_for("branch2").get(f"/customers/{people['lw'].pk}/").status_code == 200


def test_unknown_customer_looks_the_same_as_a_hidden_one(people, api_for):
    hidden = api_for("branch1").get(f"/api/v1/customers/{people['ra'].pk}")
    missing = api_for("branch1").get("/api/v1/customers/987654321")
    assert (hidden.status_code, hidden.json()) == (missing.status_code, missing.json())


def test_county_agent_sees_only_its_county(people, api_for, client_for):
    api = api_for("ra_agent1")
    assert ids_in(api.get("/api/v1/customers/")) == {people["ra"].pk}
    assert api.get(f"/api/v1/customers/{people['ra'].pk}").status_code == 200
    for key in ("lc", "lw", "yq"):
        assert api.get(f"/api/v1/customers/{people[key].pk}").status_code == 404, key
        assert client_for("ra_agent1").get(f"/customers/{people[key].pk}/").status_code == 404


def test_city_roles_see_every_customer(people, api_for):
    everyone = {c.pk for c in people.values()}
    for username in ("agent1", "lead1", "director1", "admin"):
        assert ids_in(api_for(username).get("/api/v1/customers/")) == everyone, username


def test_search_results_are_scoped(people, api_for, client_for):
    # 张三 and 李四 share the landline 0577-88123456
    assert ids_in(api_for("agent1").get("/api/v1/customers/?q=0577-88123456")) == {
        people["lc"].pk,
        people["lw"].pk,
    }
    assert ids_in(api_for("branch1").get("/api/v1/customers/?q=88123456")) == {people["lc"].pk}
    assert ids_in(api_for("branch2").get("/api/v1/customers/?q=057788123456")) == {people["lw"].pk}
    assert ids_in(api_for("ra_agent1").get("/api/v1/customers/?q=88123456")) == set()
    # by name too, and on the page
    assert ids_in(api_for("branch1").get("/api/v1/customers/?q=李")) == set()
    page = client_for("branch1").get("/customers/", {"q": "0577-88123456"})
    assert page.status_code == 200
    html = page.content.decode()
    assert f"/customers/{people['lc'].pk}/" in html
    assert f"/customers/{people['lw'].pk}/" not in html


def test_handler_cannot_create_a_customer_in_another_unit(people, api_for):
    response = api_for("branch1").post(
        "/api/v1/customers/",
        {"name": "钱七", "phones": ["13500004444"], "unit": "WZ-LW01"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"unit"}
    created = api_for("branch1").post(
        "/api/v1/customers/",
        {"name": "钱七", "phones": ["13500004444"]},
        content_type="application/json",
    )
    assert created.status_code == 201
    assert created.json()["unit"] == "WZ-LC01"
