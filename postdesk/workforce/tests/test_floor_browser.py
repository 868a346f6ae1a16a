"""The live seat map in a real browser: a CTI event puts an agent on a call and the map
shows it without a reload; an open equipment fault marks the seat out of order."""

from __future__ import annotations

import json
import urllib.request
from datetime import timedelta

import pytest
from django.utils import timezone

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _streams_end_with_the_test(settings, page):
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


def test_the_seat_map_follows_the_agents_state(page, login, live_server, floor, staff):
    from postdesk.calls.services import cti_token_create
    from postdesk.workforce.services import ReportInput, internal_report_create

    _token, raw = cti_token_create(name="floor test pbx")
    internal_report_create(
        actor=staff["agent2"],
        data=ReportInput(kind="equipment_fault", title="耳麦损坏", seat="A02"),
    )
    login("lead1")
    page.goto("/workforce/floor/")
    page.wait_for_selector("[data-push-state=live]")
    seat = page.locator("[data-seat=A01]")
    assert seat.get_attribute("data-state") == "logged_out"
    assert "王晓燕" in seat.inner_text()
    assert "故障" in page.locator("[data-seat=A02]").inner_text()
    assert page.locator("[data-testid=floor-waiting]").inner_text() == "0"

    now = timezone.now()
    base = live_server.url
    call = {"event": "newCall", "call_id": "floor-1", "timestamp": now.isoformat(),
            "direction": "in", "from": "13957712345", "to": "11185", "queue": "11185"}  # fmt: skip
    assert _post(base, raw, call) == 200
    # the call waits in the queue: the map shows it without a reload
    page.wait_for_function(
        "() => document.querySelector('[data-testid=floor-waiting]').textContent.trim() === '1'"
    )
    answer = {"event": "answer", "call_id": "floor-1", "agent": "8001",
              "timestamp": (now + timedelta(seconds=2)).isoformat()}  # fmt: skip
    assert _post(base, raw, answer) == 200
    page.wait_for_selector("[data-seat=A01][data-state=on_call]")
    assert "通话" in page.locator("[data-seat=A01] [data-testid=seat-state]").inner_text()
    assert page.locator("[data-testid=floor-waiting]").inner_text() == "0"
    assert page.evaluate("window.__postdeskFloor.refreshed") >= 2
