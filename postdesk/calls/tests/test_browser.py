"""The agent's journey in a real browser: a simulated call pops on the signed-in agent's
page without reloading, and the agent opens a pre-filled work order from it."""

from __future__ import annotations

import json
import urllib.request
from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from django.utils import timezone

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _streams_end_with_the_test(settings, page):
    """The live server's stream threads notice a closed page at their next keepalive; keep
    that short and leave the page, so no stream outlives the test's database."""
    settings.POSTDESK_PUSH_KEEPALIVE_SECONDS = 0.5
    yield
    page.goto("about:blank")
    page.wait_for_timeout(1500)


def _post(base: str, token: str, body: dict) -> int:
    request = urllib.request.Request(
        base + "/api/v1/cti/events",
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status


def test_a_call_pops_and_opens_a_prefilled_work_order(
    page, login, live_server, staff, cti_token, settings
):
    from postdesk.calls.services import wrapup_codes_ensure
    from postdesk.customers.services import customer_create

    wrapup_codes_ensure()
    customer = customer_create(actor=staff["admin"], name="陈美玲", phones=["13957712345"])
    login("agent1")
    page.goto("/calls/")
    page.wait_for_selector("[data-push-state=live]")
    assert page.locator("[data-testid=pop-body]").count() == 0

    now = timezone.now()
    base = live_server.url
    assert (
        _post(
            base,
            cti_token,
            {
                "event": "newCall",
                "call_id": "br-1",
                "timestamp": now.isoformat(),
                "direction": "in",
                "from": "13957712345",
                "to": "11185",
                "queue": "11185",
            },
        )
        == 200
    )
    assert (
        _post(
            base,
            cti_token,
            {
                "event": "answer",
                "call_id": "br-1",
                "agent": "8001",
                "timestamp": (now + timedelta(seconds=3)).isoformat(),
            },
        )
        == 200
    )

    # the pop arrives without a reload
    pop = page.locator("[data-testid=pop-body][data-call-id=br-1]")
    pop.wait_for()
    assert page.locator("[data-testid=caller-number]").inner_text() == "13957712345"
    assert "陈*" in page.locator("[data-testid=candidate]").inner_text()
    assert page.locator("[data-testid=agent-state]").get_attribute("data-state") == "on_call"

    page.click("[data-testid=wo-complaint]")
    page.wait_for_url("**/workorders/new/**")
    query = parse_qs(urlparse(page.url).query)
    assert query == {
        "phone": ["13957712345"],
        "customer": [str(customer.pk)],
        "call": ["br-1"],
        "type": ["complaint"],
    }
    assert page.input_value("[name=caller_phone]") == "13957712345"


def test_the_workbench_recovers_after_a_dropped_connection(
    page, login, live_server, cti_token, settings
):
    settings.POSTDESK_PUSH_MAX_AGE_SECONDS = 3  # the server drops the connection soon
    login("agent2")
    page.goto("/calls/")
    page.wait_for_selector("[data-push-state=live]")
    # the connection drops while the browser is offline: the call comes meanwhile; back
    # online, the page reconnects by itself and its snapshot brings the call
    page.context.set_offline(True)
    page.wait_for_selector("[data-push-state=reconnecting]", timeout=20_000)
    now = timezone.now()
    assert (
        _post(
            live_server.url,
            cti_token,
            {
                "event": "newCall",
                "call_id": "br-2",
                "timestamp": now.isoformat(),
                "direction": "in",
                "from": "13800138000",
                "to": "11185",
            },
        )
        == 200
    )
    assert (
        _post(
            live_server.url,
            cti_token,
            {
                "event": "answer",
                "call_id": "br-2",
                "agent": "8002",
                "timestamp": (now + timedelta(seconds=2)).isoformat(),
            },
        )
        == 200
    )
    page.context.set_offline(False)
    page.locator("[data-testid=pop-body][data-call-id=br-2]").wait_for(timeout=40_000)
    assert page.locator("[data-testid=unknown-caller]").count() == 1


def test_the_wallboard_updates_live(page, login, live_server, cti_token):
    login("lead1")
    page.goto("/calls/wallboard/")
    page.wait_for_selector("[data-push-state=live]")
    assert page.inner_text("[data-testid=waiting]") == "0"
    now = timezone.now()
    assert (
        _post(
            live_server.url,
            cti_token,
            {
                "event": "newCall",
                "call_id": "br-3",
                "timestamp": now.isoformat(),
                "direction": "in",
                "from": "13800138001",
                "to": "11185",
                "queue": "11185",
            },
        )
        == 200
    )
    page.wait_for_function(
        "() => document.querySelector('[data-testid=waiting]').textContent.trim() === '1'"
    )
    assert page.inner_text("[data-testid=offered]") == "1"
    assert (
        _post(
            live_server.url,
            cti_token,
            {
                "event": "answer",
                "call_id": "br-3",
                "agent": "8001",
                "timestamp": (now + timedelta(seconds=4)).isoformat(),
            },
        )
        == 200
    )
    page.wait_for_function(
        "() => document.querySelector('[data-testid=waiting]').textContent.trim() === '0'"
    )
    assert page.inner_text("[data-testid=answered]") == "1"
    assert page.inner_text("[data-testid=state-on_call]").strip().endswith("1")


@pytest.mark.parametrize("form", ["to", "agent", "queue"])
def test_a_ringing_call_pops_whichever_way_the_pbx_names_the_extension(
    page, login, live_server, cti_token, form
):
    """Issue 20 (1): `to: "8001"` (inbound straight to the extension), `agent: "8001"`,
    or the queue ringing the agent (a further newCall naming it) — the caller pops on
    agent1's page while it rings (`to` used to nudge the page, whose fetch got 404)."""
    login("agent1")
    page.goto("/calls/")
    page.wait_for_selector("[data-push-state=live]")
    now = timezone.now()
    call = {
        "event": "newCall",
        "call_id": f"ring-{form}",
        "timestamp": now.isoformat(),
        "direction": "in",
        "from": "13957712399",
        "to": "8001" if form == "to" else "11185",
    }
    if form == "agent":
        call["agent"] = "8001"
    assert _post(live_server.url, cti_token, call) == 200
    if form == "queue":
        ring = {**call, "timestamp": (now + timedelta(seconds=2)).isoformat(), "agent": "8001"}
        assert _post(live_server.url, cti_token, ring) == 200
    page.locator(f"[data-testid=pop-body][data-call-id=ring-{form}]").wait_for()
    assert page.locator("[data-testid=caller-number]").inner_text() == "13957712399"
