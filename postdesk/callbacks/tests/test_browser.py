"""The agent's callback list in a real browser, by keyboard: the overdue one of mine
first, Enter on its "外呼" shows the number to dial, the PBX reports the outbound call,
the outcome is chosen and recorded with the keyboard, and the attempt holds the call."""

from __future__ import annotations

import json
import urllib.request
from datetime import timedelta

import pytest
from django.utils import timezone

from postdesk.callbacks.models import CallbackAttempt, CallbackTask

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _cti(base: str, token: str, body: dict) -> None:
    request = urllib.request.Request(
        base + "/api/v1/cti/events",
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200


def test_the_agent_works_the_list_by_keyboard(page, login, live_server, task_for, cti_token):
    now = timezone.now()
    overdue = task_for(
        assignee="agent1",
        phone="13900001111",
        name="王五",
        window_start=now - timedelta(hours=3),
        window_end=now - timedelta(hours=1),
    )
    later = task_for(assignee="agent1", reason="follow_up", window_end=now + timedelta(hours=5))
    team = task_for(by="lead1", reason="failed_pickup", window_end=now + timedelta(minutes=20))
    login("agent1")
    page.click(".mainnav a[data-nav=callbacks]")
    page.wait_for_selector("[data-testid=callbacks-mine]")
    assert page.title().startswith("回电任务")
    mine_rows = page.locator("[data-testid=callbacks-mine] tbody tr")
    assert [mine_rows.nth(i).get_attribute("data-task") for i in range(2)] == [
        str(overdue.pk),
        str(later.pk),
    ]
    first = mine_rows.nth(0).inner_text()
    assert "超时" in first and "139****1111" in first and "王五" not in first
    assert "回访到期" in mine_rows.nth(1).inner_text()
    team_row = page.locator(f"[data-testid=callbacks-team] tr[data-task='{team.pk}']")
    assert "揽收失败回访" in team_row.inner_text() and "领取" in team_row.inner_text()
    # the first call of mine has the focus: Enter starts it
    assert page.evaluate("document.activeElement.dataset.testid") == f"start-{overdue.pk}"
    page.keyboard.press("Enter")
    page.wait_for_selector("[data-testid=dial]")
    assert page.locator("[data-testid=dial] a").get_attribute("href") == "tel:13900001111"
    assert page.locator("[data-testid=status]").inner_text() == "回电中"
    # the agent dials from extension 8001; the PBX reports the outbound call
    start = timezone.now()
    base = live_server.url
    _cti(
        base,
        cti_token,
        {
            "event": "newCall",
            "call_id": "cb-browser",
            "direction": "out",
            "from": "8001",
            "to": "13900001111",
            "agent": "8001",
            "timestamp": start.isoformat(),
        },
    )
    _cti(
        base,
        cti_token,
        {
            "event": "answer",
            "call_id": "cb-browser",
            "agent": "8001",
            "timestamp": (start + timedelta(seconds=4)).isoformat(),
        },
    )
    _cti(
        base,
        cti_token,
        {
            "event": "hangup",
            "call_id": "cb-browser",
            "agent": "8001",
            "cause": "normalClearing",
            "timestamp": (start + timedelta(seconds=64)).isoformat(),
        },
    )
    # the outcome by keyboard: focus the first radio, move to 已接通 … it is the first one
    page.focus("[data-testid=attempt-form] input[name=outcome][value=reached]")
    page.keyboard.press("Space")
    page.focus("[data-testid=attempt-form] input[name=note]")
    page.keyboard.type("已告知客户改约明天上午揽收")
    page.keyboard.press("Enter")
    page.wait_for_selector("[data-testid=callbacks-mine]")
    assert "已登记结果：已接通" in page.locator(".messages").inner_text()
    assert page.locator(f"tr[data-task='{overdue.pk}']").count() == 0  # done: off the list
    overdue.refresh_from_db()
    assert (overdue.status, overdue.attempts_count) == ("done", 1)
    attempt = CallbackAttempt.objects.get(task=overdue)
    assert attempt.call is not None and attempt.call.call_id == "cb-browser"
    assert attempt.note == "已告知客户改约明天上午揽收"
    assert CallbackTask.objects.filter(status="open").count() == 2
