"""指派 / 领取 on a phone (issue 20, "what agents expect"): a handler claims an order from
its inbox card, finds it under 我的 with their name on it, and it leaves 未分配."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
WIDTH = 390


def test_a_handler_claims_from_the_inbox_on_a_phone(chromium, live_server, make_order, act):
    claimed = act(make_order(title="包裹延误投诉"), "agent1", "dispatch", unit="WZ-LC01")
    other = act(make_order(title="查单：包裹未到"), "agent1", "dispatch", unit="WZ-LC01")
    context = chromium.new_context(
        base_url=live_server.url,
        locale="zh-CN",
        viewport={"width": WIDTH, "height": 740},
        is_mobile=True,
        has_touch=True,
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto("/login/")
    page.fill("input[name=username]", "branch1")
    page.fill("input[name=password]", "postdesk")
    page.click("button[type=submit]")
    page.wait_for_selector("header.topbar")
    page.goto("/workorders/inbox/")
    # the views are tabs within the screen, each big enough for a thumb
    for code, label in (("all", "全部"), ("mine", "我的"), ("unassigned", "未分配")):
        tab = page.locator(f"[data-testid=tab-{code}]")
        assert label in tab.inner_text()
        box = tab.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= WIDTH and box["height"] >= 40, box
    assert page.locator("[data-testid=tab-mine] .count").inner_text() == "0"
    card = page.locator(f"[data-number='{claimed.number}']")
    assert "未分配" in card.locator("[data-testid=row-assignee]").inner_text()
    claim = card.locator("[data-testid=inbox-claim]")
    box = claim.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= WIDTH and box["height"] >= 40, box
    assert claim.inner_text() == "领取"
    claim.click()
    page.wait_for_selector("[data-testid=inbox-tabs]")
    assert "已由您领取" in page.content()
    page.click("[data-testid=tab-mine]")
    page.wait_for_url("**/workorders/inbox/?view=mine")
    mine = page.locator(f"[data-number='{claimed.number}']")
    assert "徐建国" in mine.locator("[data-testid=row-assignee]").inner_text()
    assert page.locator(f"[data-number='{other.number}']").count() == 0
    assert mine.locator("[data-testid=inbox-claim]").count() == 0  # already mine
    assert page.locator("[data-testid=tab-mine] .count").inner_text() == "1"
    page.click("[data-testid=tab-unassigned]")
    page.wait_for_url("**/workorders/inbox/?view=unassigned")
    assert page.locator(f"[data-number='{claimed.number}']").count() == 0
    assert page.locator(f"[data-number='{other.number}']").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH
    # the order page shows who works it, and the timeline says 指派
    page.goto(f"/workorders/{claimed.number}/")
    assert page.locator("[data-testid=assignee-name]").inner_text() == "徐建国"
    assert "指派" in page.locator("[data-testid=timeline]").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH
    context.close()
