"""The customer journey in a real browser: find a caller by any writing of the number,
see the masked card, reveal it in full (logged); the director has no reveal button and a
branch handler cannot open another unit's customer."""

from __future__ import annotations

import pytest

from postdesk.core.models import AccessLogEntry

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_agent_finds_reveals_and_is_logged(page, login, people):
    login("agent1")
    page.goto("/customers/")
    page.fill("[data-testid=customer-q]", "+86 138 1234 5678")
    page.keyboard.press("Enter")
    page.wait_for_url("**/customers/?q=*")
    table = page.locator("table tbody").inner_text()
    assert "张*" in table and "138****5678" in table
    assert "13812345678" not in page.content()

    page.click("table tbody a")
    assert "138****5678" in page.locator("[data-testid=phones]").inner_text()
    assert AccessLogEntry.objects.count() == 0
    page.click("[data-testid=reveal]")
    page.wait_for_selector("text=13812345678")
    assert "13812345678" in page.locator("[data-testid=phones]").inner_text()
    assert page.locator("h1").inner_text().startswith("张三")
    entry = AccessLogEntry.objects.get()
    assert (entry.actor_username, entry.subject_id, entry.what) == (
        "agent1",
        str(people["lc"].pk),
        "view",
    )


def test_director_sees_no_reveal_and_branch_sees_no_other_unit(page, login, people):
    login("director1")
    page.goto(f"/customers/{people['lc'].pk}/")
    assert "138****5678" in page.locator("[data-testid=phones]").inner_text()
    assert page.locator("[data-testid=reveal]").count() == 0

    page.context.clear_cookies()
    login("branch1")
    response = page.goto(f"/customers/{people['lw'].pk}/")
    assert response.status == 404
    assert "李" not in page.content()
    response = page.goto(f"/customers/{people['lc'].pk}/")
    assert response.status == 200
    assert page.locator("[data-testid=reveal]").count() == 1
