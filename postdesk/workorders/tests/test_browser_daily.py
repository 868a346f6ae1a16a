"""The daily screens of issue 20, one browser test per finding: a refused reply keeps the
text (2), post/redirect/get after every action (3), the branch inbox on a phone (4)."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def fed_back(make_order, act):
    order = make_order()
    order = act(order, "agent1", "dispatch", unit="WZ-LC01")
    order = act(order, "branch1", "accept")
    return act(order, "branch1", "feedback", text="已核实，今日投递。", ruling="responsible")


def test_a_refused_reply_keeps_the_text_and_explains_beside_the_box(page, login, fed_back):
    login("agent1")
    page.goto(f"/workorders/{fed_back.number}/")
    written = "您好，这件事不归我们管，请您联系寄件人。"
    page.fill("[data-testid=reply-text]", written)
    page.click("[data-testid=do-reply]")
    page.wait_for_selector("[data-testid=reply-text-error]")
    # post/redirect/get: the address is the order's, and what the agent wrote is still there
    assert page.url.endswith(f"/workorders/{fed_back.number}/#act-reply")
    assert page.input_value("[data-testid=reply-text]") == written
    form = page.locator("details[data-action=reply] form")
    error = form.locator("[data-testid=reply-text-error]")
    assert error.is_visible()
    assert form.locator("mark").first.inner_text() == "不归我们管"
    assert "首问负责" in error.inner_text()
    suggestion = form.locator("[data-testid=phrase-suggestion]").first
    assert suggestion.inner_text().strip()
    # the suggested service phrase replaces the marked words with one click
    suggestion.click()
    replaced = page.input_value("[data-testid=reply-text]")
    assert "不归我们管" not in replaced and suggestion.get_attribute("data-copy") in replaced
    # nothing was sent
    fed_back.refresh_from_db()
    assert fed_back.status == "fed_back"
    # the reload shows the order, not a blank 405, and the error is gone
    page.reload()
    assert page.locator("[data-testid=status]").inner_text() == "已反馈"
    assert page.locator("[data-testid=reply-text-error]").count() == 0


def test_action_urls_redirect_to_the_order(page, login, make_order):
    order = make_order()
    login("agent1")
    page.goto(f"/workorders/{order.number}/")
    assert page.locator("details[data-action=dispatch]").get_attribute("open") is not None
    page.select_option("[data-testid=dispatch-unit]", "WZ-LC01")
    page.fill("[data-testid=dispatch-assisting]", "NO-SUCH-UNIT")
    page.click("[data-testid=do-dispatch]")
    page.wait_for_selector("[data-testid=dispatch-assisting_units-error]")
    assert page.url.endswith(f"/workorders/{order.number}/#act-dispatch")
    # the values the agent chose are kept
    assert page.input_value("[data-testid=dispatch-unit]") == "WZ-LC01"
    assert page.input_value("[data-testid=dispatch-assisting]") == "NO-SUCH-UNIT"
    response = page.reload()
    assert response.status == 200
    for tail in ("act/dispatch/", "act/reply/", "note/", "caller/"):
        response = page.goto(f"/workorders/{order.number}/{tail}")
        assert response.status == 200, tail
        assert page.url.endswith(f"/workorders/{order.number}/"), tail
    # an empty note is refused on the order page itself
    page.click("[data-testid=note-toggle]")
    page.click("[data-testid=do-note]")
    page.wait_for_selector("[data-testid=note-text-error]")
    assert page.url.endswith(f"/workorders/{order.number}/#note")


@pytest.mark.parametrize("width", [360, 390])
def test_the_branch_inbox_on_a_phone(chromium, live_server, staff, make_order, act, width):
    orders = []
    for title in ("上门揽收申请：鹿城区五马街128号", "包裹延误投诉", "查单：包裹未到"):
        order = make_order(title=title)
        orders.append(act(order, "agent1", "dispatch", unit="WZ-LC01"))
    context = chromium.new_context(
        base_url=live_server.url,
        locale="zh-CN",
        viewport={"width": width, "height": 740},
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
    # the navigation is folded: the header takes little of the screen
    header = page.locator("header.topbar").bounding_box()
    assert header["height"] <= 0.15 * 740, header
    assert not page.locator(".mainnav").is_visible()
    page.click("[data-testid=nav-toggle]")
    assert page.locator(".mainnav a[data-nav=inbox]").is_visible()
    page.click("[data-testid=nav-toggle]")
    # nothing scrolls sideways
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    # each order is a card; its title reads on one line at least a few characters wide
    card = page.locator(f"[data-number='{orders[0].number}']")
    assert card.evaluate("el => getComputedStyle(el).display") != "table-row"
    title = card.locator("[data-testid=row-title]").bounding_box()
    assert title["width"] >= width * 0.6, title
    # the accept button is on the screen and big enough for a thumb
    button = card.locator("[data-testid=inbox-accept]")
    box = button.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= width, box
    assert box["height"] >= 40, box
    button.click()
    page.wait_for_selector("[data-testid=timeline]")
    assert page.locator("[data-testid=status]").inner_text() == "处理中"
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    context.close()


SPEAKABLE = "23456789ABCDEFGHJKMNPQRSTVWXYZ"  # no 0/O, 1/I/L, no U


def test_the_public_reference_is_speakable_and_public_leads_to_the_kb(page, login, make_order):
    """Finding 10: the 公众查询码 reads over the phone; /public/ is not a 404."""
    import re

    order = make_order()
    login("agent1")
    page.goto(f"/workorders/{order.number}/")
    shown = page.locator("[data-testid=public-ref]").inner_text().strip()
    assert re.fullmatch(rf"[{SPEAKABLE}]{{4}}-[{SPEAKABLE}]{{4}}", shown), shown
    response = page.goto("/public/")
    assert response.status == 200
    page.locator("[data-testid=tile-kb]").click()
    assert page.url.endswith("/public/kb/")
    assert page.locator("input[name=q]").is_visible()
