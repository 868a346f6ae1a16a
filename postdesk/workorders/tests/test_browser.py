"""The whole complaint loop in a real browser: an agent takes a complaint and dispatches it,
the branch handler accepts and feeds back, the agent replies, records the follow-up and
closes it."""

from __future__ import annotations

import pytest

from postdesk.workorders.models import WorkOrder

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_complaint_loop_in_the_browser(page, login, chromium, live_server):
    login("agent1")
    page.goto("/workorders/new/?phone=13812345678&type=complaint")
    # keyboard only: the phone field has the focus; type, tab and Ctrl+Enter
    assert page.evaluate("document.activeElement.name") == "caller_phone"
    page.select_option("select[name=subtype]", "delay")
    page.fill("input[name=waybill_no]", "EA473124829CN")
    page.fill("input[name=title]", "包裹延误投诉")
    page.fill("textarea[name=description]", "客户反映寄往杭州的包裹五天未到")
    page.select_option("select[name=dispatch_to]", "WZ-LC01")
    page.focus("textarea[name=description]")
    page.keyboard.press("Control+Enter")
    page.wait_for_selector("[data-testid=timeline]")
    order = WorkOrder.objects.get()
    assert order.status == "dispatched" and order.handling_unit.code == "WZ-LC01"
    assert "已派单" in page.inner_text("[data-testid=status]")

    # the branch handler, in another browser context
    context = chromium.new_context(base_url=live_server.url, locale="zh-CN")
    branch = context.new_page()
    branch.set_default_timeout(15_000)
    branch.goto("/login/")
    branch.fill("input[name=username]", "branch1")
    branch.fill("input[name=password]", "postdesk")
    branch.click("button[type=submit]")
    branch.wait_for_selector("header.topbar")
    branch.goto("/workorders/inbox/")
    branch.click(f"tr[data-number='{order.number}'] [data-testid=inbox-accept]")
    branch.wait_for_selector("[data-testid=timeline]")
    assert "处理中" in branch.inner_text("[data-testid=status]")
    branch.fill("[data-testid=feedback-text]", "经核查，包裹在中转环节滞留，已安排今日投递。")
    branch.select_option("[data-testid=feedback-ruling]", "responsible")
    branch.click("[data-testid=do-feedback]")
    branch.wait_for_selector("text=已反馈")
    context.close()

    page.goto(f"/workorders/{order.number}/")
    page.fill("[data-testid=reply-text]", "您好，您的包裹已找到，今日投递，给您带来不便深表歉意。")
    page.click("[data-testid=do-reply]")
    page.wait_for_selector("[data-testid=status]:has-text('已回复')")
    page.select_option("[data-testid=follow_up-satisfaction]", "satisfied")
    page.click("[data-testid=do-follow_up]")
    page.wait_for_selector("[data-testid=status]:has-text('已办结')")
    order.refresh_from_db()
    assert order.status == "closed" and order.satisfaction == "satisfied"
    timeline = page.inner_text("[data-testid=timeline]")
    for word in ("受理", "派单", "接单", "反馈", "回复客户", "回访"):
        assert word in timeline


def test_close_without_follow_up_and_an_invalid_action_is_explained(page, login, make_order, act):
    order = make_order()
    order = act(order, "agent1", "dispatch", unit="WZ-LC01")
    order = act(order, "branch1", "accept")
    order = act(order, "branch1", "feedback", text="已处理", ruling="partly")
    order = act(order, "agent1", "reply", text="已回复客户")
    login("agent1")
    page.goto(f"/workorders/{order.number}/")
    act(order, "agent1", "close")  # someone else closes it meanwhile
    page.select_option("[data-testid=follow_up-satisfaction]", "satisfied")
    page.click("[data-testid=do-follow_up]")
    page.wait_for_selector("[data-testid=action-error]")
    assert "已办结" in page.inner_text("[data-testid=status]")
