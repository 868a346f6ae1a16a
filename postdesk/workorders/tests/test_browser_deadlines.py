"""Issue 20 finding 7 in the browser: the order page names each deadline, counts down the
running ones live, and says met / missed once a step is done — in Chinese, no ISO times."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from postdesk.workorders.models import WorkOrder

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ISO = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d")


def test_named_deadlines_count_down_and_say_how_they_ended(page, login, make_order, act):
    order = make_order()
    order = act(order, "agent1", "dispatch", unit="WZ-LC01")
    order = act(order, "branch1", "accept")
    now = timezone.now()
    # dispatched in time, accepted 25 minutes late, feedback due in 3 minutes, reply in 3 days
    WorkOrder.objects.filter(pk=order.pk).update(
        dispatch_due_at=now - timedelta(hours=2),
        dispatched_at=now - timedelta(hours=3),
        accept_due_at=now - timedelta(hours=1),
        accepted_at=now - timedelta(minutes=35),
        feedback_due_at=now + timedelta(minutes=3),
        due_at=now + timedelta(minutes=3),
        reply_due_at=now + timedelta(days=3, hours=1),
    )
    login("agent1")
    page.clock.install(time=now)
    page.goto(f"/workorders/{order.number}/")

    def cell(name):
        return page.locator(f"[data-testid=deadline-{name}]")

    assert cell("dispatch").locator("xpath=preceding-sibling::dt[1]").inner_text() == "派单时限"
    assert cell("dispatch").locator("[data-testid=deadline-state]").inner_text() == "按时完成"
    assert "提前 1 小时 0 分完成" in cell("dispatch").inner_text()
    assert cell("accept").locator("[data-testid=deadline-state]").inner_text() == "超时完成"
    assert "超时 25 分完成" in cell("accept").inner_text()
    assert cell("feedback").locator("[data-testid=deadline-state]").inner_text() == "即将到期"
    assert cell("reply").locator("xpath=preceding-sibling::dt[1]").inner_text() == "回复时限"
    assert cell("reply").locator("[data-testid=deadline-state]").inner_text() == "计时中"
    assert "剩余 3 天 1 小时" in cell("reply").inner_text()
    countdown = cell("feedback").locator("[data-testid=deadline-countdown]")
    page.wait_for_selector("[data-testid=deadline-feedback] [data-live='1']")
    assert countdown.inner_text() == "剩余 3 分"
    # the page keeps counting: five minutes on, the feedback deadline reads late
    page.clock.run_for(5 * 60 * 1000)
    assert re.fullmatch(r"已超时 [23] 分", countdown.inner_text())
    body = (
        page.locator("main").inner_text()
        if page.locator("main").count()
        else page.inner_text("body")
    )
    assert not ISO.search(body)
    # the order list names the running deadline
    page.goto("/workorders/?status=open")
    assert "反馈时限" in page.locator(f"tr:has-text('{order.number}') .c-due").inner_text()


def test_a_closed_order_shows_outcomes_and_no_countdown(page, login, make_order, act, staff):
    order = make_order(type="query", title="查询营业时间")
    now = timezone.now()
    WorkOrder.objects.filter(pk=order.pk).update(
        status="closed", closed_at=now, reply_due_at=now + timedelta(hours=5), due_at=None
    )
    login("agent1")
    page.goto(f"/workorders/{order.number}/")
    reply = page.locator("[data-testid=deadline-reply]")
    assert reply.locator("[data-testid=deadline-state]").inner_text() == "未到此环节"
    assert page.locator("[data-due-ms]").count() == 0
    assert "剩余" not in reply.inner_text()
