"""A complaint filed on a 360 px phone — the page's own proof of work in the browser, the
"these may help" articles while typing — then followed by its code and the phone's last
four digits (PostgreSQL, Chromium through Playwright)."""

from __future__ import annotations

import hashlib

import pytest

from postdesk.workorders.models import WorkOrder
from postdesk.workorders.public_ref import parse_public_ref

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def phone(chromium, live_server):
    context = chromium.new_context(
        base_url=live_server.url,
        locale="zh-CN",
        viewport={"width": 360, "height": 740},
        is_mobile=True,
        has_touch=True,
    )
    page = context.new_page()
    page.set_default_timeout(45_000)
    yield page
    context.close()


def _fits(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, width


def test_file_a_complaint_on_a_phone_then_follow_it(phone, org, settings):
    from postdesk.knowledge import demo

    demo.seed()
    settings.POSTDESK_PORTAL_POW_BITS = 12  # some thousands of hashes in the page
    phone.goto("/public/")
    phone.locator("[data-testid=tile-file]").tap()
    phone.wait_for_url("**/public/file/")
    _fits(phone)
    phone.locator("[data-testid=file-complaint]").tap()
    phone.wait_for_url("**/public/file/?type=complaint")
    # the script's SHA-256 (the one used without crypto.subtle) agrees with Python's
    text = "投诉:" + "EA473124829CN" * 9
    js = phone.evaluate(
        "t => Array.from(window.postdeskPow.sha256(new TextEncoder().encode(t)))"
        ".map(b => b.toString(16).padStart(2, '0')).join('')",
        text,
    )
    assert js == hashlib.sha256(text.encode()).hexdigest()
    phone.locator("[data-testid=file-subtype]").select_option("loss")
    phone.locator("[data-testid=file-text]").fill("邮件丢失了怎么赔偿？寄出十天还没有收到")
    hints = phone.locator("[data-testid=kb-hints]")
    hints.wait_for(state="visible")
    assert "邮件丢失、损毁和延误的赔偿规定" in hints.inner_text()
    assert "内部" not in hints.inner_text()
    phone.locator("[data-testid=file-waybill]").fill("EA473124829CN")
    phone.locator("[data-testid=file-name]").fill("赵女士")
    phone.locator("[data-testid=file-phone]").fill("139 5770 1234")
    _fits(phone)
    phone.locator("[data-testid=file-submit]").tap()  # waits for the check if need be
    phone.wait_for_url("**/public/file/done/**")
    reference = phone.locator("[data-testid=file-reference]").inner_text().strip()
    order = WorkOrder.objects.get(public_ref=parse_public_ref(reference))
    assert order.details["channel"] == "web" and order.subtype == "loss"
    next_step = phone.locator("[data-testid=file-next]").inner_text()
    assert "最迟于" in next_step and "年" in next_step and "T" not in next_step
    _fits(phone)

    phone.locator("[data-testid=file-follow]").tap()
    phone.wait_for_url("**/public/follow/**")
    assert phone.locator("[data-testid=follow-ref]").input_value() == reference
    phone.locator("[data-testid=follow-last4]").fill("1234")
    phone.keyboard.press("Enter")
    assert phone.locator("[data-testid=follow-status]").inner_text() == "已受理"
    assert "已受理您的诉求" in phone.locator("[data-testid=follow-timeline]").inner_text()
    assert phone.locator("[data-testid=rate-form]").count() == 0  # nothing to rate yet
    main = phone.locator("main").inner_text()
    assert order.number not in main and "网上自助服务" not in main
    _fits(phone)
