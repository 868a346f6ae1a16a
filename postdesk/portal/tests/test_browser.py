"""The portal on a 360 px phone, by keyboard alone: home → track a parcel; follow a request
by its 公众查询码 and the phone's last four digits (real Chromium through Playwright)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from postdesk.tracking.models import Event
from postdesk.workorders.public_ref import format_public_ref

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


def test_track_and_follow_on_a_phone_with_the_keyboard(phone, make_order, act):
    t0 = timezone.now() - timedelta(days=1)
    for i, code in enumerate(["ACCEPTED", "ARRIVED", "DELIVERED"]):
        Event.objects.create(
            waybill_no="EA473124829CN",
            event_code=code,
            event_time=t0 + timedelta(hours=i),
            office_code=f"O{i}",
            office_name="杭州西湖揽投部",
            recorded_at=t0 + timedelta(hours=i),
            operator="投递员王小明",
        )
    phone.goto("/public/")
    _fits(phone)
    assert "自助服务" in phone.title() or phone.locator("h1").inner_text()
    phone.locator("[data-testid=tile-track]").focus()
    phone.keyboard.press("Enter")
    phone.wait_for_url("**/public/track/")
    phone.locator("[data-testid=track-waybill]").focus()
    phone.keyboard.type("ea473124828cn")
    phone.keyboard.press("Enter")
    assert "请核对" in phone.locator("[data-testid=track-error]").inner_text()
    phone.locator("[data-testid=track-waybill]").fill("")
    phone.keyboard.type("EA473124829CN")
    phone.keyboard.press("Enter")
    result = phone.locator("[data-testid=track-result]").inner_text()
    assert "妥投" in result and "杭州西湖揽投部" in result and "王小明" not in result
    _fits(phone)

    order = make_order()
    order = act(order, "agent1", "dispatch", unit="WZ-LC01")
    order = act(order, "branch1", "accept")
    order = act(order, "branch1", "feedback", text="内部反馈", ruling="partly")
    order = act(order, "agent1", "reply", text="您好，包裹已找到。")
    phone.goto("/public/follow/")
    phone.locator("[data-testid=follow-ref]").focus()
    phone.keyboard.type(format_public_ref(order.public_ref).lower())
    phone.keyboard.press("Tab")
    phone.keyboard.type("5678")
    phone.keyboard.press("Enter")
    assert phone.locator("[data-testid=follow-status]").inner_text() == "已回复"
    assert phone.locator("[data-testid=follow-reply]").inner_text() == "您好，包裹已找到。"
    assert "内部反馈" not in phone.locator("main").inner_text()
    _fits(phone)
