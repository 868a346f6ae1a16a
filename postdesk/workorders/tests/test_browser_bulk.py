"""The team lead's bulk close on the work-order list, in the browser (issue 20)."""

from __future__ import annotations

import pytest

from postdesk.workorders.models import WorkOrder, WorkOrderEvent

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_lead_closes_orders_in_bulk_with_a_reason(page, login, make_order, act):
    done = make_order("booking", title="订票甲", details={"booking_kind": "air_ticket"})
    done = act(act(done, "agent2", "accept"), "agent2", "fulfil", result="fulfilled")
    waiting = make_order("booking", title="订票乙", details={"booking_kind": "air_ticket"})
    login("lead1")
    page.goto("/workorders/?type=booking")
    bar = page.locator("[data-testid=bulk-bar]")
    assert bar.is_visible()
    page.check("[data-testid=bulk-all]")  # select all: both bookings
    assert page.locator("[data-testid=bulk-pick]:checked").count() == 2
    page.select_option("[data-testid=bulk-action]", "close")
    page.fill("[data-testid=bulk-reason]", "客户已出票，批量办结")
    page.click("[data-testid=bulk-run]")
    page.wait_for_selector("[data-testid=bulk-results]")
    # back on the list with its filters, the answer per order
    assert page.url.endswith("/workorders/?type=booking")
    results = page.locator("[data-testid=bulk-results]")
    assert results.locator(f"tr[data-number='{done.number}']").get_attribute("data-ok") == "1"
    refused = results.locator(f"tr[data-number='{waiting.number}']")
    assert refused.get_attribute("data-ok") == "0"
    assert "未执行" in refused.inner_text()
    assert refused.locator("td").nth(2).inner_text().strip()  # the reason, in Chinese
    assert WorkOrder.objects.get(pk=done.pk).status == "closed"
    assert WorkOrder.objects.get(pk=waiting.pk).status == "new"
    event = WorkOrderEvent.objects.get(order=done, action="close")
    assert event.actor.username == "lead1" and "批量办结" in event.text
    # a reload shows the list, not the results again
    page.reload()
    assert page.locator("[data-testid=bulk-results]").count() == 0


def test_an_agent_sees_no_bulk_bar(page, login, make_order):
    make_order()
    login("agent1")
    page.goto("/workorders/")
    assert page.locator("[data-testid=bulk-bar]").count() == 0
    assert page.locator("[data-testid=bulk-pick]").count() == 0
