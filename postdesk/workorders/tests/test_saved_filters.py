"""Saved filters of the work-order list (issue 20): service, API and page."""

from __future__ import annotations

import pytest

from postdesk.core.errors import NotFound, ValidationFailed
from postdesk.workorders.models import SavedFilter
from postdesk.workorders.services import saved_filter_create, saved_filter_delete

pytestmark = pytest.mark.django_db
J = "application/json"


def test_a_filter_is_saved_in_the_lists_own_canonical_form(staff):
    saved = saved_filter_create(
        actor=staff["agent1"], name="  我的  投诉 ", query="?status=open&page=3&type=complaint&q="
    )
    assert saved.name == "我的 投诉"
    assert saved.query == "type=complaint&status=open"  # page and empty values dropped


@pytest.mark.parametrize(
    ("name", "query", "field"),
    [
        ("", "type=complaint", "name"),
        ("x" * 61, "type=complaint", "name"),
        ("bad type", "type=nosuchtype", "query.type"),
        ("bad date", "created_from=2026-13-01", "query.created_from"),
        ("unknown", "colour=red", "query"),
        ("nothing", "page=2", "query"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(staff, name, query, field):
    with pytest.raises(ValidationFailed) as caught:
        saved_filter_create(actor=staff["agent1"], name=name, query=query)
    assert field in caught.value.fields
    assert not SavedFilter.objects.exists()


def test_a_name_is_unique_per_owner_not_per_centre(staff):
    saved_filter_create(actor=staff["agent1"], name="超时", query="overdue=true")
    with pytest.raises(ValidationFailed):
        saved_filter_create(actor=staff["agent1"], name="超时", query="type=complaint")
    saved_filter_create(actor=staff["agent2"], name="超时", query="overdue=true")
    assert SavedFilter.objects.count() == 2


def test_only_the_owner_deletes_a_filter(staff):
    saved = saved_filter_create(actor=staff["agent1"], name="超时", query="overdue=true")
    with pytest.raises(NotFound):
        saved_filter_delete(actor=staff["agent2"], filter_id=saved.pk)
    assert SavedFilter.objects.filter(pk=saved.pk).exists()
    saved_filter_delete(actor=staff["agent1"], filter_id=saved.pk)
    assert not SavedFilter.objects.exists()


@pytest.mark.parametrize("username", ["agent1", "lead1", "director1", "branch1", "auditor1"])
def test_api_lists_own_and_builtin_filters_per_role(api_for, staff, username):
    client = api_for(username)
    r = client.post(
        "/api/v1/workorders/filters/", {"name": "投诉", "query": "type=complaint"}, content_type=J
    )
    assert r.status_code == 201, r.content
    saved_filter_create(actor=staff["lead2"], name="别人的", query="overdue=true")
    results = client.get("/api/v1/workorders/filters/").json()["results"]
    names = [f["name"] for f in results]
    assert names[-1] == "投诉" and "别人的" not in names
    assert sum(f["builtin"] for f in results) == 3
    builtin = {f["query"] for f in results if f["builtin"]}
    assert "overdue=true" in builtin
    assert "type=complaint&status=open&mine=on" in builtin


def test_api_refuses_bad_input_with_400_and_writes_nothing(api_for):
    client = api_for("agent1")
    r = client.post(
        "/api/v1/workorders/filters/", {"name": "x", "query": "status=bogus"}, content_type=J
    )
    assert r.status_code == 400
    assert r.json()["code"] == "validation_error" and "query.status" in r.json()["fields"]
    r = client.post("/api/v1/workorders/filters/", {"name": "x"}, content_type=J)
    assert r.status_code in (400, 422)
    assert not SavedFilter.objects.exists()


def test_api_delete_own_204_and_anothers_404(api_for, staff):
    mine = saved_filter_create(actor=staff["agent1"], name="a", query="overdue=true")
    theirs = saved_filter_create(actor=staff["agent2"], name="b", query="overdue=true")
    client = api_for("agent1")
    assert client.delete(f"/api/v1/workorders/filters/{theirs.pk}/").status_code == 404
    assert client.delete(f"/api/v1/workorders/filters/{mine.pk}/").status_code == 204
    assert list(SavedFilter.objects.values_list("pk", flat=True)) == [theirs.pk]


def test_builtin_chips_apply_to_the_list(client_for, make_order):
    from postdesk.workorders.selectors_filters import builtin_filters

    mine = make_order(by="agent1")
    theirs = make_order(by="agent2")
    query = make_order(type="query", by="agent1")
    chip = builtin_filters()[0]  # my open complaints
    html = client_for("agent1").get(f"/workorders/?{chip.query}").content.decode()
    assert mine.number in html
    assert theirs.number not in html and query.number not in html
    overdue = builtin_filters()[2]
    assert (
        mine.number
        not in client_for("agent1").get(f"/workorders/?{overdue.query}").content.decode()
    )


def test_the_list_page_saves_shows_and_deletes_a_filter(client_for, staff):
    client = client_for("agent1")
    r = client.post("/workorders/filters/", {"name": "我的投诉", "query": "type=complaint&mine=on"})
    assert r.status_code == 302 and r["Location"].endswith("?type=complaint&mine=on")
    saved = SavedFilter.objects.get(owner=staff["agent1"])
    html = client.get("/workorders/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "我的投诉" in html and "我的未结投诉" in html and "今天到期" in html and "已超时" in html
    assert "我的投诉" not in client_for("agent2").get("/workorders/").content.decode()
    # another's delete is a 404 and deletes nothing; a GET of the action URL goes to the list
    assert client_for("agent2").post(f"/workorders/filters/{saved.pk}/delete/").status_code == 404
    assert client.get(f"/workorders/filters/{saved.pk}/delete/").status_code == 302
    assert SavedFilter.objects.exists()
    client.post(f"/workorders/filters/{saved.pk}/delete/")
    assert not SavedFilter.objects.exists()


def test_the_list_page_refuses_a_bad_filter_and_writes_nothing(client_for):
    r = client_for("agent1").post("/workorders/filters/", {"name": "", "query": "type=complaint"})
    assert r.status_code == 302
    assert not SavedFilter.objects.exists()
