"""What agents expect on the daily screens (issue 20): service phrases and knowledge-base
answers inserted into the reply box with one key, the `?` shortcut overlay, knowledge
suggestions while a complaint is typed."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def kb(db):
    from postdesk.knowledge import demo

    demo.seed()


def test_knowledge_suggestions_appear_while_the_complaint_is_typed(page, login, kb):
    login("agent1")
    page.goto("/workorders/new/")
    page.fill("[name=title]", "查单")
    page.locator("[name=description]").press_sequentially("客户的包裹延误，要求查单")
    hits = page.locator("[data-testid=kb-hit]")
    hits.first.wait_for()
    assert "查单" in page.locator("#kb-suggest").inner_text()


@pytest.fixture
def fed_back(make_order, act):
    order = make_order(caller_name="王芳")
    order = act(order, "agent1", "dispatch", unit="WZ-LC01")
    order = act(order, "branch1", "accept")
    return act(order, "branch1", "feedback", text="已核实，今日投递。", ruling="responsible")


def test_a_service_phrase_is_inserted_with_its_placeholders_filled(
    page, login, kb, fed_back, staff
):
    login("agent1")
    page.goto(f"/workorders/{fed_back.number}/")
    box = page.locator("[data-testid=reply-text]")
    box.fill("您好。")
    # a phrase that names the order: {工单号} filled, inserted at the cursor
    phrase = page.locator("[data-testid=aid]", has_text="工单号是").first
    phrase.click()
    written = box.input_value()
    assert written.startswith("您好。") and f"工单号是{fed_back.number}" in written
    assert "{" not in written
    # one with the agent's number and the caller's surname
    page.fill("[data-testid=aids-filter]", "回访员")
    page.locator("[data-testid=aid]:visible").first.click()
    written = box.input_value()
    assert f"工号{staff['agent1'].agent_no}" in written and "{工号}" not in written
    # the knowledge-base answers for the order's problem are offered too
    assert page.locator(".aid-answer").count() >= 1


def test_alt_digit_inserts_the_numbered_phrase(page, login, kb, fed_back):
    login("agent1")
    page.goto(f"/workorders/{fed_back.number}/")
    box = page.locator("[data-testid=reply-text]")
    box.click()
    aids = page.locator("[data-testid=aid]")
    second = aids.nth(1).get_attribute("data-insert")
    box.press("Alt+2")
    assert box.input_value() == second
    # "/" at the start of an empty box jumps to the search; Enter inserts the first match
    page.fill("[data-testid=reply-text]", "")
    box.press("/")
    assert page.evaluate("document.activeElement.dataset.testid") == "aids-filter"
    page.keyboard.type("致歉")
    page.keyboard.press("Enter")
    assert box.input_value()


def test_the_order_page_lists_its_own_shortcuts(page, login, make_order):
    order = make_order()
    login("agent1")
    page.goto(f"/workorders/{order.number}/")
    page.locator("body").press("?")
    dialog = page.locator("[data-testid=shortcuts]")
    assert dialog.is_visible() and "Alt" in dialog.inner_text()
    page.keyboard.press("Escape")
    assert not dialog.is_visible()
    # typing "?" in a text field types it, it opens nothing
    page.click("[data-testid=note-toggle]")
    page.fill("[data-testid=note-text]", "")
    page.locator("[data-testid=note-text]").press("?")
    assert not dialog.is_visible()
    assert page.input_value("[data-testid=note-text]") == "?"
    page.evaluate("document.activeElement.blur()")
    page.locator("body").press("g")
    page.locator("body").press("w")
    page.wait_for_url("**/calls/")
