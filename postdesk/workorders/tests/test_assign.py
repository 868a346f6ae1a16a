"""指派 / 领取: assignment inside the handling unit — the service, the API, the pages."""

from __future__ import annotations

import pytest

from postdesk.core.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from postdesk.notify.models import Notification
from postdesk.org.models import Role, User
from postdesk.workorders import selectors
from postdesk.workorders.models import WorkOrder, WorkOrderEvent
from postdesk.workorders.rules import can_assign
from postdesk.workorders.services import work_order_assign

pytestmark = [pytest.mark.prepared, pytest.mark.django_db]
J = "application/json"


def deliver() -> None:
    from postdesk.notify.services import outbox_sweep

    outbox_sweep()


@pytest.fixture
def colleague(org):
    """A second handler of branch1's unit (WZ-LC01)."""
    return User.objects.create_user(
        username="branch1b",
        password="x",
        role=Role.HANDLER,
        unit=org["WZ-LC01"],
        display_name="钱志明",
    )


@pytest.fixture
def dispatched(make_order, act):
    return act(make_order(), "agent1", "dispatch", unit="WZ-LC01")


def assign(staff, order, by: str, to: str | None) -> WorkOrder:
    return work_order_assign(actor=staff[by], order=order, assignee=to)


def fresh(order: WorkOrder) -> WorkOrder:
    return WorkOrder.objects.select_related("assignee").get(pk=order.pk)


def test_a_handler_claims_an_order_of_their_unit(dispatched, staff):
    version = dispatched.version
    order = assign(staff, dispatched, "branch1", "branch1")
    order = fresh(order)
    assert order.assignee == staff["branch1"] and order.status == "dispatched"
    assert order.version == version + 1
    event = WorkOrderEvent.objects.filter(order=order, action="assign").get()
    assert event.from_status == event.to_status == "dispatched"
    assert event.actor == staff["branch1"] and event.data["assignee"] == "branch1"
    deliver()
    titles = list(
        Notification.objects.filter(user=staff["branch1"]).values_list("title", flat=True)
    )
    assert not [
        t for t in titles if "assigned to you" in t or "指派给你" in t
    ]  # not told of a claim


def test_a_handler_assigns_a_colleague_who_is_told_in_app(dispatched, staff, colleague):
    order = assign(staff, dispatched, "branch1", "branch1b")
    assert fresh(order).assignee == colleague
    assert not Notification.objects.filter(user=colleague).exists()  # after commit, by the outbox
    deliver()
    note = Notification.objects.get(user=colleague)
    assert dispatched.number in note.title and note.link == f"/workorders/{order.number}/"


def test_reassigning_tells_the_previous_assignee(dispatched, staff, colleague):
    order = assign(staff, dispatched, "branch1", "branch1b")
    order = assign(staff, order, "lead1", "branch1")
    assert fresh(order).assignee == staff["branch1"]
    deliver()
    assert Notification.objects.filter(user=colleague).count() == 2  # assigned, then not
    assert Notification.objects.filter(user=staff["branch1"], title__contains=order.number).exists()


def test_a_lead_assigns_and_takes_the_assignment_back(dispatched, staff):
    order = assign(staff, dispatched, "lead1", "branch1")
    assert fresh(order).assignee == staff["branch1"]
    order = assign(staff, order, "lead1", None)
    assert fresh(order).assignee is None
    cleared = WorkOrderEvent.objects.filter(order=order, action="assign").last()
    assert cleared is not None and cleared.data["assignment_cleared"] == str(staff["branch1"])


def test_the_same_assignment_again_writes_nothing(dispatched, staff):
    order = assign(staff, dispatched, "branch1", "branch1")
    again = assign(staff, order, "branch1", "branch1")
    assert again.version == order.version
    assert WorkOrderEvent.objects.filter(order=order, action="assign").count() == 1


@pytest.mark.parametrize(
    ("by", "error"),
    [
        ("agent1", PermissionDenied),  # the owner, but agents do not assign
        ("director1", PermissionDenied),
        ("admin", PermissionDenied),
        ("branch2", NotFound),  # a handler of another unit does not see it
    ],
)
def test_who_may_not_assign(dispatched, staff, by, error):
    assert not can_assign(staff[by], dispatched)
    with pytest.raises(error):
        assign(staff, dispatched, by, "branch1")
    assert fresh(dispatched).assignee is None and fresh(dispatched).version == dispatched.version
    assert not WorkOrderEvent.objects.filter(order=dispatched, action="assign").exists()


def test_a_handler_of_an_assisting_unit_may_not_assign(make_order, act, staff):
    order = act(make_order(), "agent1", "dispatch", unit="WZ-LC01", assisting_units=["WZ-LW01"])
    assert not can_assign(staff["branch2"], order)
    with pytest.raises(PermissionDenied):
        assign(staff, order, "branch2", "branch1")


@pytest.mark.parametrize("to", ["branch2", "agent1", "lead1", "nobody-such", "ems1"])
def test_an_assignee_outside_the_handling_unit_is_400_and_nothing_is_written(dispatched, staff, to):
    with pytest.raises(ValidationFailed) as caught:
        assign(staff, dispatched, "branch1", to)
    assert "assignee" in caught.value.fields
    order = fresh(dispatched)
    assert order.assignee is None and order.version == dispatched.version
    assert not WorkOrderEvent.objects.filter(order=order, action="assign").exists()


def test_an_inactive_colleague_cannot_be_assigned(dispatched, staff, colleague):
    colleague.is_active = False
    colleague.save()
    with pytest.raises(ValidationFailed):
        assign(staff, dispatched, "branch1", "branch1b")


def test_an_order_its_unit_does_not_work_cannot_be_assigned(make_order, staff):
    order = make_order()  # new: no unit yet
    with pytest.raises(InvalidTransition):
        assign(staff, order, "lead1", "branch1")


def test_a_stale_version_is_a_conflict(dispatched, staff):
    from postdesk.core.errors import Conflict

    with pytest.raises(Conflict):
        work_order_assign(
            actor=staff["branch1"],
            order=dispatched,
            assignee="branch1",
            expected_version=dispatched.version - 1,
        )


def test_the_assignment_is_cleared_when_the_order_is_transferred(dispatched, staff, act):
    order = assign(staff, dispatched, "branch1", "branch1")
    order = act(fresh(order), "branch1", "transfer", unit="WZ-LW01")
    assert fresh(order).assignee is None
    event = WorkOrderEvent.objects.filter(order=order, action="transfer").get()
    assert event.data["previous_assignee"] == "branch1"


def test_the_assignment_is_cleared_when_the_order_is_returned(dispatched, staff, act):
    order = assign(staff, dispatched, "branch1", "branch1")
    order = act(fresh(order), "branch1", "return", reason="不属于本局服务范围")
    assert fresh(order).assignee is None and order.status == "returned"


def test_the_assignment_stays_through_the_units_own_work(dispatched, staff, act):
    order = assign(staff, dispatched, "branch1", "branch1")
    order = act(fresh(order), "branch1", "accept")
    assert fresh(order).assignee == staff["branch1"] and order.status == "processing"


def test_the_inbox_views_mine_and_unassigned(make_order, act, staff, colleague):
    mine = act(make_order(title="甲"), "agent1", "dispatch", unit="WZ-LC01")
    theirs = act(make_order(title="乙"), "agent1", "dispatch", unit="WZ-LC01")
    nobody = act(make_order(title="丙"), "agent1", "dispatch", unit="WZ-LC01")
    assign(staff, mine, "branch1", "branch1")
    assign(staff, theirs, "branch1", "branch1b")
    user = staff["branch1"]

    def numbers(view: str) -> set[str]:
        return {o.number for o in selectors.work_orders_inbox(user=user, view=view)}

    assert numbers("mine") == {mine.number}
    assert numbers("unassigned") == {nobody.number}
    assert numbers("all") == {mine.number, theirs.number, nobody.number}
    assert selectors.work_orders_inbox_counts(user=user) == {"all": 3, "mine": 1, "unassigned": 1}
    assert {o.number for o in selectors.work_orders_inbox(user=colleague, view="mine")} == {
        theirs.number
    }
    with pytest.raises(ValidationFailed):
        selectors.work_orders_inbox(user=user, view="everything")


# --- API -------------------------------------------------------------------------------------


def post_assign(client, number: str, assignee: str | None, **extra):
    return client.post(
        f"/api/v1/workorders/{number}/assign/", {"assignee": assignee, **extra}, content_type=J
    )


def test_api_assign_answers_the_order(dispatched, api_for):
    r = post_assign(api_for("branch1"), dispatched.number, "branch1")
    assert r.status_code == 200, r.content
    data = r.json()
    assert data["assignee"] == "branch1" and data["assignee_name"] == "徐建国"
    assert data["events"][-1]["action"] == "assign" and data["status"] == "dispatched"
    r = post_assign(api_for("lead1"), dispatched.number, None)
    assert r.status_code == 200 and r.json()["assignee"] is None


@pytest.mark.parametrize(("by", "status"), [("agent1", 403), ("director1", 403), ("branch2", 404)])
def test_api_assign_refuses_roles(dispatched, api_for, by, status):
    r = post_assign(api_for(by), dispatched.number, "branch1")
    assert r.status_code == status
    assert set(r.json()) == {"code", "message", "fields"}
    assert fresh(dispatched).assignee is None


def test_api_assign_bad_assignee_is_400_naming_the_field(dispatched, api_for):
    r = post_assign(api_for("branch1"), dispatched.number, "branch2")
    assert r.status_code == 400
    assert r.json()["code"] == "validation_error" and "assignee" in r.json()["fields"]
    assert fresh(dispatched).assignee is None
    r = api_for("branch1").post(
        f"/api/v1/workorders/{dispatched.number}/assign/", {}, content_type=J
    )
    assert r.status_code == 400  # the field is required (null takes the assignment back)
    assert fresh(dispatched).version == dispatched.version


def test_api_assign_stale_version_is_409(dispatched, api_for):
    r = post_assign(api_for("branch1"), dispatched.number, "branch1", version=0)
    assert r.status_code == 409 and fresh(dispatched).assignee is None


def test_api_list_filters_by_assignee(make_order, act, staff, api_for, colleague):
    mine = act(make_order(title="甲"), "agent1", "dispatch", unit="WZ-LC01")
    theirs = act(make_order(title="乙"), "agent1", "dispatch", unit="WZ-LC01")
    nobody = act(make_order(title="丙"), "agent1", "dispatch", unit="WZ-LC01")
    assign(staff, mine, "branch1", "branch1")
    assign(staff, theirs, "branch1", "branch1b")
    client = api_for("branch1")

    def numbers(value: str) -> set[str]:
        r = client.get(f"/api/v1/workorders/?assignee={value}")
        assert r.status_code == 200, r.content
        return {o["number"] for o in r.json()["results"]}

    assert numbers("me") == {mine.number}
    assert numbers("branch1b") == {theirs.number}
    assert nobody.number in numbers("none") and mine.number not in numbers("none")
    assert numbers("nobody-such") == set()
    rows = client.get("/api/v1/workorders/?assignee=me").json()["results"]
    assert rows[0]["assignee"] == "branch1" and rows[0]["assignee_name"] == "徐建国"


# --- pages -----------------------------------------------------------------------------------


def test_the_inbox_claim_button_and_the_mine_tab(dispatched, client_for, staff):
    client = client_for("branch1")
    page = client.get("/workorders/inbox/").content.decode()
    assert 'data-testid="inbox-claim"' in page and 'data-testid="tab-mine"' in page
    r = client.post(
        f"/workorders/{dispatched.number}/assign/", {"claim": "1", "next": "inbox:unassigned"}
    )
    assert r.status_code == 302 and r["Location"] == "/workorders/inbox/?view=unassigned"
    assert fresh(dispatched).assignee == staff["branch1"]
    mine = client.get("/workorders/inbox/?view=mine").content.decode()
    assert dispatched.number in mine and "徐建国" in mine
    unassigned = client.get("/workorders/inbox/?view=unassigned").content.decode()
    assert dispatched.number not in unassigned


def test_the_order_page_assigns_and_shows_a_refusal_beside_the_field(
    dispatched, client_for, staff, colleague
):
    client = client_for("lead1")
    page = client.get(f"/workorders/{dispatched.number}/").content.decode()
    assert 'data-testid="assign-panel"' in page and "钱志明" in page
    r = client.post(f"/workorders/{dispatched.number}/assign/", {"assignee": "branch2"})
    assert r.status_code == 302 and r["Location"].endswith("#assign")
    page = client.get(r["Location"]).content.decode()
    assert 'data-testid="assignee-error"' in page
    assert fresh(dispatched).assignee is None
    r = client.post(f"/workorders/{dispatched.number}/assign/", {"assignee": "branch1b"})
    assert fresh(dispatched).assignee == colleague
    page = client.get(f"/workorders/{dispatched.number}/").content.decode()
    assert 'data-testid="assignee-name">钱志明' in page


def test_agents_get_no_assign_panel_and_the_url_refuses_them(dispatched, client_for):
    client = client_for("agent1")
    page = client.get(f"/workorders/{dispatched.number}/").content.decode()
    assert 'data-testid="assign-panel"' not in page
    r = client.post(f"/workorders/{dispatched.number}/assign/", {"assignee": "branch1"})
    assert r.status_code == 302 and fresh(dispatched).assignee is None
    assert (
        client_for("branch2")
        .post(f"/workorders/{dispatched.number}/assign/", {"assignee": "branch1"})
        .status_code
        == 404
    )


def test_a_get_of_the_assign_url_goes_to_the_order(dispatched, client_for):
    r = client_for("branch1").get(f"/workorders/{dispatched.number}/assign/")
    assert r.status_code == 302 and r["Location"] == f"/workorders/{dispatched.number}/"
