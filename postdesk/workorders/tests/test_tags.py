"""Tags 标签 on work orders (issue 20): the services, their scope and audit, the selectors,
the list's filter (kept by saved filters), the lead's bulk action, the API and the pages.
The same file runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import pytest

from postdesk.core.errors import NotFound, PermissionDenied, ValidationFailed
from postdesk.workorders import selectors
from postdesk.workorders.models import Tag, WorkOrderEvent, WorkOrderTag
from postdesk.workorders.rules import can_manage_tags, can_tag
from postdesk.workorders.services import (
    saved_filter_create,
    tag_add,
    tag_create,
    tag_remove,
    tag_update,
    work_orders_bulk_act,
)

pytestmark = pytest.mark.django_db
J = "application/json"


@pytest.fixture
def tags(staff):
    lead = staff["lead1"]
    return {
        "repeat": tag_create(actor=lead, name="重复来电", colour="red"),
        "vip": tag_create(actor=lead, name="VIP客户", colour="amber"),
        "media": tag_create(actor=lead, name="媒体关注", colour="purple"),
    }


def _dispatched(make_order, act, unit="WZ-LC01", **fields):
    order = make_order(**fields)
    return act(order, "agent1", "dispatch", unit=unit)


# --- the centre's list ----------------------------------------------------------------------
def test_leads_and_administrators_keep_the_list_others_do_not(staff):
    assert can_manage_tags(staff["lead1"]) and can_manage_tags(staff["admin"])
    for name in ("agent1", "branch1", "director1", "auditor1"):
        assert not can_manage_tags(staff[name])
        with pytest.raises(PermissionDenied):
            tag_create(actor=staff[name], name="随便", colour="grey")
    assert not Tag.objects.exists()
    tag = tag_create(actor=staff["admin"], name="  待  回访 ", colour="green")
    assert (tag.name, tag.colour, tag.archived) == ("待 回访", "green", False)


@pytest.mark.parametrize(
    ("name", "colour", "field"),
    [
        ("", "grey", "name"),
        ("   ", "grey", "name"),
        ("长" * 21, "grey", "name"),
        ("坏\x00名", "grey", "name"),
        ("换\n行", "grey", "name"),
        ("制\t表", "grey", "name"),
        ("好名", "pink", "colour"),
        (None, "grey", "name"),
        ("重复来电", "blue", "name"),  # the centre has it already
        ("vip客户", "grey", "name"),  # letter case aside
    ],
)
def test_a_bad_tag_is_refused_and_nothing_is_written(staff, tags, name, colour, field):
    with pytest.raises(ValidationFailed) as caught:
        tag_create(actor=staff["lead1"], name=name, colour=colour)
    assert field in caught.value.fields
    assert Tag.objects.count() == 3


def test_a_tag_is_archived_not_deleted_and_can_no_longer_be_added(staff, tags, make_order, act):
    order = _dispatched(make_order, act)
    tag_add(actor=staff["agent1"], order=order, tag=tags["media"].pk)
    tag_update(actor=staff["lead1"], tag_id=tags["media"].pk, archived=True)
    assert [t.name for t in selectors.tags_list(user=staff["agent1"])] == ["VIP客户", "重复来电"]
    assert len(selectors.tags_list(user=staff["agent1"], include_archived=True)) == 3
    assert [t.name for t in selectors.work_order_tags(order=order)] == ["媒体关注"]  # kept
    other = make_order()
    with pytest.raises(ValidationFailed) as caught:
        tag_add(actor=staff["agent1"], order=other, tag="媒体关注")
    assert "tag" in caught.value.fields
    assert not WorkOrderTag.objects.filter(order=other).exists()
    # it can still be taken off, and the list still filters by it
    page = selectors.work_orders_list(
        user=staff["lead1"], filters=selectors.ListFilters(tag=str(tags["media"].pk))
    )
    assert [o.number for o in page.results] == [order.number]
    tag_remove(actor=staff["agent1"], order=order, tag_id=tags["media"].pk)
    with pytest.raises(ValidationFailed):
        tag_update(actor=staff["lead1"], tag_id=tags["vip"].pk, name="重复来电")
    with pytest.raises(NotFound):
        tag_update(actor=staff["lead1"], tag_id=999999, archived=True)


# --- on an order ----------------------------------------------------------------------------
def test_tag_add_and_remove_are_audited_on_the_timeline(staff, tags, make_order):
    order = make_order()
    assert [t.name for t in tag_add(actor=staff["agent1"], order=order, tag="重复来电")] == [
        "重复来电"
    ]
    tag_add(actor=staff["agent1"], order=order, tag=tags["repeat"].pk)  # a double click
    found = tag_add(actor=staff["agent1"], order=order, tag=str(tags["vip"].pk))
    assert [t.name for t in found] == ["重复来电", "VIP客户"]
    link = WorkOrderTag.objects.get(order=order, tag=tags["repeat"])
    assert link.tagged_by == staff["agent1"] and link.tagged_at is not None
    tag_remove(actor=staff["agent1"], order=order, tag_id=tags["repeat"].pk)
    events = list(WorkOrderEvent.objects.filter(order=order, action__in=["tag", "untag"]))
    assert [(e.action, e.data["tag"], e.actor.username) for e in events] == [
        ("tag", "重复来电", "agent1"),
        ("tag", "VIP客户", "agent1"),
        ("untag", "重复来电", "agent1"),
    ]
    assert all(e.from_status == e.to_status == order.status for e in events)
    order.refresh_from_db()
    assert order.version == 1  # a tag does not invalidate an open action form
    with pytest.raises(NotFound):
        tag_remove(actor=staff["agent1"], order=order, tag_id=tags["repeat"].pk)


@pytest.mark.parametrize(
    "ref", ["", "  ", "没有这个", 999999, True, None, "x" * 300, -1, "²", "١", 2**70, "9" * 30]
)
def test_an_unknown_tag_is_refused(staff, tags, make_order, ref):
    order = make_order()
    with pytest.raises(ValidationFailed) as caught:
        tag_add(actor=staff["agent1"], order=order, tag=ref)
    assert "tag" in caught.value.fields
    assert not WorkOrderTag.objects.exists()
    assert not WorkOrderEvent.objects.filter(action="tag").exists()


def test_a_branch_handler_tags_its_units_orders_only(staff, tags, make_order, act):
    own = _dispatched(make_order, act, unit="WZ-LC01")
    other = _dispatched(make_order, act, unit="WZ-LW01")
    assert can_tag(staff["branch1"], own) and not can_tag(staff["branch1"], other)
    tag_add(actor=staff["branch1"], order=own, tag="VIP客户")
    with pytest.raises(NotFound):  # another branch's order: not even seen
        tag_add(actor=staff["branch1"], order=other, tag="VIP客户")
    tag_add(actor=staff["branch2"], order=other, tag="VIP客户")
    with pytest.raises(NotFound):
        tag_remove(actor=staff["branch1"], order=other, tag_id=tags["vip"].pk)
    assert WorkOrderTag.objects.filter(order=other).count() == 1  # nothing taken off


def test_an_assisting_units_handler_may_tag(staff, tags, make_order, act):
    order = make_order()
    order = act(order, "agent1", "dispatch", unit="WZ-LW01", assisting_units=["WZ-LC01"])
    tag_add(actor=staff["branch1"], order=order, tag="VIP客户")
    assert WorkOrderTag.objects.filter(order=order).count() == 1


def test_administrators_and_auditors_do_not_tag_orders(staff, tags, make_order):
    order = make_order()
    with pytest.raises(PermissionDenied):
        tag_add(actor=staff["admin"], order=order, tag="VIP客户")
    with pytest.raises(NotFound):  # an auditor's scope holds no unit
        tag_add(actor=staff["auditor1"], order=order, tag="VIP客户")
    assert not WorkOrderTag.objects.exists()


def test_at_most_ten_tags_on_one_order(staff, make_order):
    order = make_order()
    for n in range(10):
        tag_create(actor=staff["lead1"], name=f"标签{n}", colour="grey")
        tag_add(actor=staff["agent1"], order=order, tag=f"标签{n}")
    tag_create(actor=staff["lead1"], name="第十一个", colour="grey")
    with pytest.raises(ValidationFailed):
        tag_add(actor=staff["agent1"], order=order, tag="第十一个")
    assert WorkOrderTag.objects.filter(order=order).count() == 10


# --- the list: filter, saved filters, bulk --------------------------------------------------
def test_the_list_filters_by_tag_in_the_readers_scope(staff, tags, make_order, act):
    a = _dispatched(make_order, act, unit="WZ-LC01", title="甲")
    b = _dispatched(make_order, act, unit="WZ-LW01", title="乙")
    make_order(title="丙")
    for order in (a, b):
        tag_add(actor=staff["agent1"], order=order, tag="重复来电")
    tag_add(actor=staff["agent1"], order=a, tag="VIP客户")
    by_id = selectors.ListFilters(tag=str(tags["repeat"].pk))
    lead = selectors.work_orders_list(user=staff["lead1"], filters=by_id)
    assert [o.number for o in lead.results] == [b.number, a.number] and lead.count == 2
    branch = selectors.work_orders_list(user=staff["branch1"], filters=by_id)
    assert [o.number for o in branch.results] == [a.number]  # not the other branch's
    by_name = selectors.work_orders_list(
        user=staff["lead1"], filters=selectors.ListFilters(tag="vip客户", type="complaint")
    )
    assert [o.number for o in by_name.results] == [a.number]
    assert selectors.tags_of_orders(orders=lead.results) == {
        b.pk: [tags["repeat"]],
        a.pk: [tags["repeat"], tags["vip"]],
    }
    with pytest.raises(ValidationFailed) as caught:
        selectors.work_orders_list(user=staff["lead1"], filters=selectors.ListFilters(tag="无"))
    assert "tag" in caught.value.fields


def test_a_saved_filter_keeps_the_tag(staff, tags):
    saved = saved_filter_create(
        actor=staff["lead1"], name="重复来电", query=f"tag={tags['repeat'].pk}&status=open"
    )
    assert saved.query == f"status=open&tag={tags['repeat'].pk}"
    with pytest.raises(ValidationFailed) as caught:
        saved_filter_create(actor=staff["lead1"], name="坏", query="tag=999999")
    assert "query.tag" in caught.value.fields


def test_a_leads_bulk_tag_per_order(staff, tags, make_order, act):
    a = _dispatched(make_order, act, unit="WZ-LC01")
    b = make_order()
    tag_add(actor=staff["agent1"], order=b, tag="媒体关注")
    results = work_orders_bulk_act(
        actor=staff["lead1"],
        numbers=[a.number, "WO-NOPE", b.number],
        action="tag",
        payload={"tag": str(tags["media"].pk)},
    )
    assert [(r.number, r.ok, r.code) for r in results] == [
        (a.number, True, "done"),
        ("WO-NOPE", False, "not_found"),
        (b.number, True, "done"),  # had it already: nothing changes
    ]
    assert WorkOrderTag.objects.filter(tag=tags["media"]).count() == 2
    event = WorkOrderEvent.objects.get(order=a, action="tag")
    assert event.actor == staff["lead1"]


@pytest.mark.parametrize(
    ("who", "payload", "error"),
    [
        ("agent1", {"tag": "重复来电"}, PermissionDenied),
        ("lead1", {"tag": "没有"}, ValidationFailed),
        ("lead1", {"tag": ""}, ValidationFailed),
        ("lead1", {}, ValidationFailed),
    ],
)
def test_a_bad_bulk_tag_writes_nothing(staff, tags, make_order, who, payload, error):
    order = make_order()
    with pytest.raises(error):
        work_orders_bulk_act(
            actor=staff[who], numbers=[order.number], action="tag", payload=payload
        )
    assert not WorkOrderTag.objects.exists()


# --- the API --------------------------------------------------------------------------------
def test_api_tags_list_and_create(api_for, tags):
    agent, lead = api_for("agent1"), api_for("lead1")
    listed = agent.get("/api/v1/tags/").json()["results"]
    assert [t["name"] for t in listed] == ["VIP客户", "媒体关注", "重复来电"]
    assert set(listed[0]) == {"id", "name", "colour", "archived"}
    response = lead.post("/api/v1/tags/", {"name": "待回访", "colour": "green"}, content_type=J)
    assert response.status_code == 201 and response.json()["colour"] == "green"
    refused = agent.post("/api/v1/tags/", {"name": "坐席的", "colour": "green"}, content_type=J)
    assert refused.status_code == 403
    patched = lead.patch(f"/api/v1/tags/{tags['vip'].pk}", {"archived": True}, content_type=J)
    assert patched.status_code == 200 and patched.json()["archived"] is True
    assert len(agent.get("/api/v1/tags/").json()["results"]) == 3
    assert len(agent.get("/api/v1/tags/?archived=true").json()["results"]) == 4


@pytest.mark.parametrize(
    "body",
    [
        {"name": "", "colour": "grey"},
        {"name": "长" * 21, "colour": "grey"},
        {"name": "坏\u0007名", "colour": "grey"},
        {"name": "好名", "colour": "pink"},
        {"name": "重复来电", "colour": "grey"},
        {"colour": "grey"},
    ],
)
def test_api_bad_tag_is_a_400_in_the_error_shape(api_for, tags, body):
    response = api_for("lead1").post("/api/v1/tags/", body, content_type=J)
    assert response.status_code == 400, response.content
    assert set(response.json()) == {"code", "message", "fields"}
    assert Tag.objects.count() == 3


def test_api_order_tags_add_remove_detail_and_list(api_for, tags, make_order, act):
    order = _dispatched(make_order, act)
    agent = api_for("agent1")
    url = f"/api/v1/workorders/{order.number}/tags"
    added = agent.post(url, {"tag": tags["repeat"].pk}, content_type=J)
    assert added.status_code == 200, added.content
    assert [t["name"] for t in added.json()["tags"]] == ["重复来电"]
    assert agent.post(url, {"tag": "VIP客户"}, content_type=J).status_code == 200
    detail = agent.get(f"/api/v1/workorders/{order.number}/").json()
    assert [t["name"] for t in detail["tags"]] == ["重复来电", "VIP客户"]
    assert [e["action"] for e in detail["events"]][-2:] == ["tag", "tag"]
    listed = agent.get(f"/api/v1/workorders/?tag={tags['vip'].pk}").json()
    assert [r["number"] for r in listed["results"]] == [order.number]
    assert [t["colour"] for t in listed["results"][0]["tags"]] == ["red", "amber"]
    assert agent.get("/api/v1/workorders/?tag=没有这个").status_code == 400
    removed = agent.delete(f"{url}/{tags['repeat'].pk}")
    assert removed.status_code == 200
    assert [t["name"] for t in removed.json()["tags"]] == ["VIP客户"]
    assert agent.delete(f"{url}/{tags['repeat'].pk}").status_code == 404
    assert agent.delete(f"{url}/0").status_code == 400


@pytest.mark.parametrize(
    "body",
    [{"tag": ""}, {"tag": "没有这个"}, {"tag": 999999}, {"tag": "x\u0001"}, {}, {"tag": None}],
)
def test_api_bad_order_tag_is_a_4xx_and_writes_nothing(api_for, tags, make_order, body):
    order = make_order()
    response = api_for("agent1").post(
        f"/api/v1/workorders/{order.number}/tags", body, content_type=J
    )
    assert response.status_code == 400, response.content
    assert set(response.json()) == {"code", "message", "fields"}
    assert not WorkOrderTag.objects.exists()


def test_api_another_branchs_order_is_not_found(api_for, tags, make_order, act):
    other = _dispatched(make_order, act, unit="WZ-LW01")
    branch = api_for("branch1")
    url = f"/api/v1/workorders/{other.number}/tags"
    response = branch.post(url, {"tag": tags["vip"].pk}, content_type=J)
    assert response.status_code == 404 and set(response.json()) == {"code", "message", "fields"}
    tag_add(actor=other.owner, order=other, tag="VIP客户")
    assert branch.delete(f"{url}/{tags['vip'].pk}").status_code == 404
    assert WorkOrderTag.objects.filter(order=other).count() == 1


# --- the pages ------------------------------------------------------------------------------
def test_the_order_page_adds_and_removes_a_tag(client_for, tags, make_order):
    order = make_order()
    client = client_for("agent1")
    page = client.get(f"/workorders/{order.number}/").content.decode()
    assert "标签" in page and 'data-testid="tag-input"' in page and "重复来电" in page
    response = client.post(f"/workorders/{order.number}/tags/", {"tag": "重复来电"})
    assert response.status_code == 302 and response["Location"].endswith("#tags")
    page = client.get(f"/workorders/{order.number}/").content.decode()
    assert 'data-testid="tag-chip" data-tag="重复来电"' in page
    assert "添加标签" in page  # the timeline's event
    refused = client.post(f"/workorders/{order.number}/tags/", {"tag": "没有这个"})
    assert refused.status_code == 302
    page = client.get(f"/workorders/{order.number}/").content.decode()
    assert 'data-testid="tag-error"' in page and 'value="没有这个"' in page
    client.post(f"/workorders/{order.number}/tags/{tags['repeat'].pk}/remove/")
    assert not WorkOrderTag.objects.exists()
    again = client.post(f"/workorders/{order.number}/tags/{tags['repeat'].pk}/remove/")
    assert again.status_code == 302  # a double click is no error page
    assert client.get(f"/workorders/{order.number}/tags/").status_code == 302  # no 405


def test_the_list_shows_chips_filters_and_offers_the_bulk_tag(client_for, tags, make_order):
    tagged, plain = make_order(title="有标签的"), make_order(title="没标签的")
    tag_add(actor=tagged.owner, order=tagged, tag="媒体关注")
    lead = client_for("lead1")
    page = lead.get("/workorders/").content.decode()
    assert 'data-testid="row-tag"' in page and 'value="tag"' in page
    filtered = lead.get(f"/workorders/?tag={tags['media'].pk}").content.decode()
    assert tagged.number in filtered and plain.number not in filtered
    response = lead.post(
        "/workorders/bulk/",
        {"action": "tag", "tag": str(tags["vip"].pk), "numbers": [plain.number]},
    )
    assert response.status_code == 302
    assert WorkOrderTag.objects.filter(order=plain, tag=tags["vip"]).exists()
    assert 'value="tag"' not in client_for("agent1").get("/workorders/").content.decode()


def test_the_tag_keepers_page(client_for, staff, tags):
    lead = client_for("lead1")
    assert "媒体关注" in lead.get("/workorders/tags/").content.decode()
    lead.post("/workorders/tags/", {"name": "地址问题", "colour": "blue"})
    assert Tag.objects.filter(name="地址问题", colour="blue").exists()
    lead.post("/workorders/tags/", {"tag_id": tags["vip"].pk, "archived": "1"})
    assert Tag.objects.get(pk=tags["vip"].pk).archived
    assert client_for("agent1").get("/workorders/tags/").status_code == 403
