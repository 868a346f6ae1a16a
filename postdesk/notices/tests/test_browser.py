"""The unit's notice inbox on a phone-sized browser: acknowledge, then feed back in one
step with the thumb; the notice's page and the team lead's chase list agree."""

from __future__ import annotations

import pytest

from postdesk.notices.models import Notice
from postdesk.notices.services import notice_issue

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def phone_page(chromium, live_server):
    context = chromium.new_context(
        base_url=live_server.url,
        locale="zh-CN",
        viewport={"width": 375, "height": 740},
        is_mobile=True,
        has_touch=True,
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def sign_in(page, username: str) -> None:
    page.goto("/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "postdesk")
    page.click("button[type=submit]")
    page.wait_for_selector("header.topbar")


def test_the_handlers_inbox_on_a_phone(phone_page, staff):
    page = phone_page
    notices = [
        notice_issue(
            actor=staff["agent1"],
            kind=kind,
            unit="WZ-LC01",
            waybill_no="EA473124829CN" if kind != "pickup" else "",
            phone="13812345678",
            name="张三",
            address="浙江省温州市鹿城区五马街88号3单元",
            text="客户要求明天上午处理，请提前电话联系。",
        )
        for kind in ("redelivery", "hold", "pickup")
    ]
    first = notices[0]
    sign_in(page, "branch1")
    page.click("[data-testid=nav-toggle]")
    page.click(".mainnav a[data-nav=notice_inbox]")
    page.wait_for_selector("[data-testid=inbox]")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375  # nothing sideways
    card = page.locator(f"[data-number='{first.number}']")
    assert "再投" in card.inner_text() and "138****5678" in card.inner_text()
    assert "张三" not in card.inner_text()  # masked on the list
    ack = card.locator("[data-testid=ack]")
    box = ack.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 375 and box["height"] >= 40, box
    ack.click()
    page.wait_for_selector("[data-testid=inbox]")
    card = page.locator(f"[data-number='{first.number}']")
    assert card.locator("[data-testid=card-status]").inner_text() == "已确认"
    # the feedback in one step: result, reason, text, one button
    card.locator("[data-testid=fb-result]").select_option("failed")
    card.locator("[data-testid=fb-reason]").select_option("customer_absent")
    card.locator("[data-testid=fb-text]").fill("两次上门无人，已电话留言")
    submit = card.locator("[data-testid=fb-submit]")
    assert submit.bounding_box()["height"] >= 40
    submit.click()
    page.wait_for_selector(".messages")
    assert "反馈：已完成" in page.locator(".messages").inner_text()
    assert page.locator(f"[data-number='{first.number}']").count() == 0
    assert page.locator("[data-testid=inbox] li.notice-card").count() == 2
    first.refresh_from_db()
    assert (first.status, first.result, first.reason) == ("fed_back", "failed", "customer_absent")
    # a failed feedback without a reason is refused on the page, nothing written
    other = page.locator(f"[data-number='{notices[1].number}']")
    other.locator("[data-testid=fb-result]").select_option("failed")
    other.locator("[data-testid=fb-submit]").click()
    page.wait_for_selector("[data-testid=action-error]")
    assert "原因" in page.locator("[data-testid=action-error]").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert Notice.objects.get(pk=notices[1].pk).status == "issued"


def test_the_agent_issues_and_the_lead_chases(page, login, staff):
    login("agent1")
    page.goto("/notices/new/?waybill=EA473124829CN&phone=13812345678")
    page.select_option("[name=kind]", "appointment")
    page.fill("[name=unit]", "WZ-LC01")
    page.fill("[name=name]", "李四")
    page.fill("[name=text]", "客户预约周六上午投递")
    page.click("[data-testid=issue]")
    page.wait_for_selector("[data-testid=timeline]")
    assert page.locator("[data-testid=status]").inner_text() == "已下发"
    number = page.url.rstrip("/").rsplit("/", 1)[-1]
    assert "预约投递待确认" in page.locator("[data-testid=sms]").inner_text()
    assert page.locator("[data-testid=contact-name]").inner_text() == "李*"  # masked
    page.context.clear_cookies()
    login("lead1")
    page.goto("/notices/chase/")
    assert number in page.locator("[data-testid=chase]").inner_text()
