"""An agent searches the knowledge base, opens the answer, and copies a service phrase
into a reply that is checked for forbidden phrases (Chromium through Playwright)."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_agent_searches_and_copies_a_phrase_into_a_reply(page, login, staff):
    from postdesk.knowledge import demo

    demo.seed()
    login("agent1")
    page.click("a[data-nav=kb]")
    page.fill("[data-testid=kb-q]", "邮件丢失怎么赔偿")
    page.click("[data-testid=kb-search]")
    first = page.locator("[data-testid=kb-hit]").first
    assert first.inner_text() == "邮件丢失、损毁和延误的赔偿规定"
    assert page.locator("[data-testid=kb-hits] mark").count() > 0
    first.click()
    page.wait_for_selector("[data-testid=article-body]")
    assert "赔偿标准" in page.inner_text("[data-testid=article-body]")

    page.goto("/kb/")
    page.click("[data-testid=phrases-link]")
    page.click("[data-testid='copy-greeting.standard']")
    reply = page.locator("[data-testid=reply]")
    assert reply.input_value().startswith("您好，中国邮政11185")
    page.click("[data-testid='copy-apology.delay']")
    assert "非常抱歉" in reply.input_value()
    page.click("[data-testid=check-reply]")
    page.wait_for_selector("[data-testid=findings-ok]")

    reply.press("End")
    reply.type("这件事不归我们管。")
    page.click("[data-testid=check-reply]")
    finding = page.wait_for_selector("[data-testid=findings] li")
    assert "不归我们管" in finding.inner_text()
    assert "首问负责" in finding.inner_text()
