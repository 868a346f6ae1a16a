"""The pages: workbench, screen pop contents, wrap-up, states, call log, wallboard."""

from __future__ import annotations

from datetime import timedelta
from html import unescape
from urllib.parse import parse_qs, urlparse

import pytest
from django.utils import timezone

from postdesk.calls.models import AgentState, Call
from postdesk.calls.tests.helpers import post_event

# prepared: the workbench, pop and wallboard reads after events came in
pytestmark = [pytest.mark.prepared, pytest.mark.django_db]


def _live_call(cti, token, call_id, caller, agent="8001", hangup=False):
    now = timezone.now() - timedelta(seconds=30)
    post_event(
        cti,
        token,
        event="newCall",
        call_id=call_id,
        timestamp=now.isoformat(),
        direction="in",
        from_=caller,
        to="11185",
        queue="11185",
    )
    post_event(
        cti,
        token,
        event="answer",
        call_id=call_id,
        timestamp=(now + timedelta(seconds=4)).isoformat(),
        agent=agent,
    )
    if hangup:
        post_event(
            cti,
            token,
            event="hangup",
            call_id=call_id,
            timestamp=(now + timedelta(seconds=20)).isoformat(),
            agent=agent,
        )
    return Call.objects.get(call_id=call_id)


def test_pop_of_an_unknown_caller_offers_create(cti, cti_token, client_for, org):
    call = _live_call(cti, cti_token, "w1", "13700001111")
    html = client_for("agent1").get(f"/calls/pop/{call.pk}/").content.decode()
    assert 'data-testid="unknown-caller"' in html
    assert "/customers/new/?phone=13700001111" in html


def test_pop_of_a_shared_number_shows_every_customer(cti, cti_token, client_for, staff):
    from postdesk.customers.services import customer_create

    a = customer_create(actor=staff["admin"], name="张伟", phones=["0577-88123456"])
    b = customer_create(actor=staff["admin"], name="张敏", phones=["0577 8812 3456", "13911112222"])
    call = _live_call(cti, cti_token, "w2", "057788123456")
    response = client_for("agent1").get(f"/calls/pop/{call.pk}/")
    html = response.content.decode()
    assert html.count('data-testid="candidate"') == 2
    assert f"/customers/{a.pk}/" in html and f"/customers/{b.pk}/" in html
    # each candidate's buttons carry that customer; the pop's own buttons carry the call
    links = [
        urlparse(unescape(h.split('"')[0]))
        for h in html.split('href="')[1:]
        if h.startswith("/workorders/new/")
    ]
    queries = [parse_qs(link.query) for link in links]
    assert any(q.get("customer") == [str(a.pk)] for q in queries)
    assert any(q.get("customer") == [str(b.pk)] for q in queries)
    assert all(q["call"] == ["w2"] and q["phone"] == ["0577-88123456"] for q in queries)
    assert {"complaint", "pickup", "query"} <= {q["type"][0] for q in queries}


def test_last_contacts_show_earlier_calls_of_the_number(cti, cti_token, client_for, org):
    _live_call(cti, cti_token, "w3a", "13700002222", hangup=True)
    call = _live_call(cti, cti_token, "w3b", "13700002222")
    html = client_for("agent1").get(f"/calls/pop/{call.pk}/").content.decode()
    assert 'data-testid="last-contacts"' in html


def test_wrapup_from_the_pop_ends_after_call_work(cti, cti_token, client_for, staff):
    call = _live_call(cti, cti_token, "w4", "13700003333", hangup=True)
    assert AgentState.objects.get(user=staff["agent1"]).state == "after_call"
    client = client_for("agent1")
    response = client.post(f"/calls/{call.pk}/wrapup/", {"code": "complaint", "note": "催件"})
    assert response.status_code == 200
    call.refresh_from_db()
    assert call.wrapup_code == "complaint" and call.wrapup_at is not None
    assert call.acw_seconds is not None
    assert AgentState.objects.get(user=staff["agent1"]).state == "ready"
    bad = client.post(f"/calls/{call.pk}/wrapup/", {"code": "nonsense"})
    assert bad.status_code == 200 and bad["HX-Retarget"] == "#wrapup-error"
    assert (
        client_for("agent2").post(f"/calls/{call.pk}/wrapup/", {"code": "query"}).status_code == 404
    )


def test_ready_and_not_ready_from_the_workbench(client_for, staff):
    client = client_for("agent2")
    assert client.get("/calls/").status_code == 200
    client.post("/calls/state/", {"state": "not_ready", "reason": "training"})
    state = AgentState.objects.get(user=staff["agent2"])
    assert (state.state, state.reason) == ("not_ready", "training")
    response = client.post("/calls/state/", {"state": "not_ready", "reason": ""})
    assert "error" in response.content.decode()
    client.post("/calls/state/", {"state": "ready"})
    assert AgentState.objects.get(user=staff["agent2"]).state == "ready"
    html = client.get("/calls/state/panel/").content.decode()
    assert 'data-state="ready"' in html


def test_on_a_call_the_state_is_the_telephones(cti, cti_token, client_for, staff):
    _live_call(cti, cti_token, "w5", "13700004444", agent="8002")
    client_for("agent2").post("/calls/state/", {"state": "ready"})
    assert AgentState.objects.get(user=staff["agent2"]).state == "on_call"


def test_call_log_and_wallboard(cti, cti_token, client_for, org):
    _live_call(cti, cti_token, "w6", "13700005555", hangup=True)
    assert "13700005555" in client_for("lead1").get("/calls/log/").content.decode()
    assert "13700005555" in client_for("agent1").get("/calls/log/").content.decode()
    assert "13700005555" not in client_for("agent2").get("/calls/log/").content.decode()
    board = client_for("lead1").get("/calls/wallboard/")
    assert board.status_code == 200
    assert 'data-testid="offered">1<' in board.content.decode()
    assert client_for("agent1").get("/calls/wallboard/").status_code in (403, 404)
    assert client_for("agent1").get("/calls/panel/").status_code == 200


def test_demo_seed_is_idempotent(org):
    from postdesk.calls import demo

    demo.seed()
    count = Call.objects.count()
    assert count > 0
    demo.seed()
    assert Call.objects.count() == count


def test_pop_lists_the_callers_open_work_orders_and_the_ones_opened_from_the_call(
    cti, cti_token, client_for, staff
):
    from postdesk.workorders.services import work_order_create

    call = _live_call(cti, cti_token, "w7", "13700007777")
    earlier = work_order_create(
        actor=staff["agent1"], type="query", title="查询包裹去向", caller_phone="13700007777"
    )
    from_call = work_order_create(
        actor=staff["agent1"],
        type="query",
        title="本次来电",
        caller_phone="13700007777",
        call_id="w7",
    )
    other = work_order_create(
        actor=staff["agent1"], type="query", title="别人的", caller_phone="13700008888"
    )
    html = client_for("agent1").get(f"/calls/pop/{call.pk}/").content.decode()
    section = html.split('data-testid="open-work-orders"', 1)[1]
    assert earlier.number in section and from_call.number in section
    assert other.number not in html
    assert "本次来电已建工单" in html and f"/workorders/{from_call.number}/" in html


def test_a_waiting_call_stamped_in_the_future_waits_zero_seconds(cti, cti_token, org):
    from postdesk.calls.selectors import wallboard
    from postdesk.org.models import User

    post_event(
        cti,
        cti_token,
        event="newCall",
        call_id="future1",
        timestamp=(timezone.now() + timedelta(seconds=245)).isoformat(),
        direction="in",
        **{"from": "13700006666", "to": "11185"},
    )
    board = wallboard(user=User.objects.get(username="lead1"))
    assert board.waiting == 1
    assert board.longest_wait_seconds == 0


def test_the_state_panel_says_so_when_no_state_has_time_today(client_for):
    body = client_for("agent1").get("/calls/state/panel/").content.decode()
    assert 'data-testid="no-state-times"' in body
    assert "<caption" not in body


def test_the_pop_names_the_callers_temperament_in_chinese(cti, cti_token, client_for, staff):
    from postdesk.customers.models import Customer
    from postdesk.customers.services import customer_create

    caller = customer_create(actor=staff["admin"], name="李强", phones=["13922223333"])
    Customer.objects.filter(pk=caller.pk).update(temperament="agitated")
    call = _live_call(cti, cti_token, "tp1", "13922223333")
    page = client_for("agent1").get(f"/calls/pop/{call.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    html = page.content.decode()
    assert page.status_code == 200 and "激动型" in html and ">agitated<" not in html
