"""axe-core (the engine axe-playwright-python ships) on every public page at 360 px: home,
tracking (a result and a typo), the filing pages of each type and the answer page,
following (by code, with the rating form, and by phone: number, code, list), the
knowledge base's search and an article — zero serious or critical violations. Then one
form by the keyboard alone: a consultation filed with Tab, typing and Enter."""

from __future__ import annotations

from datetime import timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core import signing
from django.utils import timezone

from postdesk.tracking.models import Event
from postdesk.workorders.public_ref import format_public_ref

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Axe()
BLOCKING = {"serious", "critical"}


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


PROBLEMS: list[str] = []


def accessible(page, what: str) -> None:
    """Note any serious or critical axe-core violation on the page as it is now, and a
    page wider than the phone (the test asserts none at its end: one run lists all)."""
    results = AXE.run(page)
    bad = [v for v in results.response["violations"] if v.get("impact") in BLOCKING]
    report = "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(n.get("html", "")[:120] for n in v["nodes"][:3])
        for v in bad
    )
    if bad:
        PROBLEMS.append(f"{what}:\n{report}")
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > 360:
        PROBLEMS.append(f"{what}: {width} px wide")


@pytest.fixture(autouse=True)
def _fresh_problems():
    PROBLEMS.clear()


def no_problems() -> None:
    assert not PROBLEMS, "\n".join(PROBLEMS)


def _replied(make_order, act):
    order = make_order()
    order = act(order, "agent1", "dispatch", unit="WZ-LC01")
    order = act(order, "branch1", "accept")
    order = act(order, "branch1", "feedback", text="内部反馈", ruling="partly")
    return act(order, "agent1", "reply", text="您好，包裹已找到。")


def test_every_public_page_passes_axe_core(phone, make_order, act, sms_gateway, settings):
    from postdesk.knowledge import demo
    from postdesk.knowledge.models import Article
    from postdesk.portal.filing_views import DONE_SALT

    demo.seed()
    settings.POSTDESK_PORTAL_POW_BITS = 8
    t0 = timezone.now() - timedelta(days=1)
    for i, code in enumerate(["ACCEPTED", "ARRIVED", "DELIVERY_FAILED", "DELIVERED"]):
        Event.objects.create(
            waybill_no="EA473124829CN",
            event_code=code,
            event_time=t0 + timedelta(hours=i),
            office_code=f"O{i}",
            office_name="杭州西湖揽投部",
            recorded_at=t0 + timedelta(hours=i),
            reason="收件人不在" if code == "DELIVERY_FAILED" else "",
        )
    order = _replied(make_order, act)
    pages = [
        ("/public/", "home"),
        ("/public/track/", "track"),
        ("/public/track/?waybill=EA473124829CN", "track result"),
        ("/public/track/?waybill=EA473124828CN", "track typo"),
        ("/public/file/", "file: choose"),
        *[(f"/public/file/?type={t}", f"file: {t}") for t in ("complaint", "suggestion",
                                                               "consultation", "pickup")],
        (f"/public/file/done/?t={signing.dumps(order.public_ref, salt=DONE_SALT)}", "answer"),
        ("/public/follow/", "follow"),
        ("/public/follow/phone/", "follow by phone"),
        ("/public/kb/", "kb search"),
        ("/public/kb/?q=赔偿", "kb results"),
    ]  # fmt: skip
    article = Article.objects.filter(visibility="public").order_by("pk").first()
    if article is not None:
        pages.append((f"/public/kb/{article.pk}/", "kb article"))
    for url, what in pages:
        response = phone.goto(url)
        assert response is not None and response.status in (200, 400), (url, response.status)
        accessible(phone, what)

    # the follow result with its rating form, and the form's error state
    phone.goto("/public/follow/")
    phone.locator("[data-testid=follow-ref]").fill(format_public_ref(order.public_ref))
    phone.locator("[data-testid=follow-last4]").fill("5678")
    phone.keyboard.press("Enter")
    phone.locator("[data-testid=rate-form]").wait_for()
    accessible(phone, "follow result with the rating form")
    phone.locator("[data-testid=rate-dissatisfied]").check()
    phone.locator("[data-testid=rate-submit]").click()  # no comment: the field's error
    phone.locator("[data-testid=rate-form] .error").first.wait_for()
    accessible(phone, "rating form with an error")
    phone.locator("[data-testid=rate-satisfied]").check()
    phone.locator("[data-testid=rate-submit]").click()
    phone.locator("[data-testid=rate-thanks]").wait_for()
    accessible(phone, "rated")

    # a filing form sent with errors
    phone.goto("/public/file/?type=consultation")
    phone.locator("[data-testid=file-text]").fill("寄往北京的信件几天能到？")
    phone.locator("[data-testid=file-name]").fill("赵女士")
    phone.locator("[data-testid=file-phone]").fill("12345")
    phone.locator("[data-testid=file-submit]").click()
    phone.locator("[aria-invalid=true]").first.wait_for()
    accessible(phone, "filing form with an error")

    # following by phone: the code step, a wrong code, the list
    phone.goto("/public/follow/phone/")
    phone.locator("[data-testid=otp-phone]").fill("13812345678")
    phone.locator("[data-testid=otp-send]").click()
    phone.locator("[data-testid=otp-code]").wait_for()
    accessible(phone, "follow by phone: the code")
    code = str(sms_gateway.accepted[-1]["params"]["code"])
    phone.locator("[data-testid=otp-code]").fill(f"{(int(code) + 1) % 10**6:06d}")
    phone.locator("[data-testid=otp-verify]").click()
    phone.locator("[data-testid=otp-error]").wait_for()
    accessible(phone, "follow by phone: a wrong code")
    phone.locator("[data-testid=otp-code]").fill(code)
    phone.locator("[data-testid=otp-verify]").click()
    phone.locator("[data-testid=otp-list]").wait_for()
    assert (
        format_public_ref(order.public_ref) in phone.locator("[data-testid=otp-list]").inner_text()
    )
    accessible(phone, "follow by phone: the list")
    no_problems()


def _tab_to(page, element_id: str, limit: int = 25) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement && document.activeElement.id") == element_id:
            return
    raise AssertionError(f"Tab never reached #{element_id}")


def test_a_consultation_filed_with_the_keyboard_alone(phone, org, settings):
    settings.POSTDESK_PORTAL_POW_BITS = 8
    phone.goto("/public/file/?type=consultation")
    _tab_to(phone, "f-text")
    phone.keyboard.type("寄往北京的信件几天能到？")
    _tab_to(phone, "f-name")
    phone.keyboard.type("赵女士")
    _tab_to(phone, "f-phone")
    phone.keyboard.type("13957701234")
    # the honeypot is never reached: the next stop after the phone is the send button
    phone.keyboard.press("Tab")
    focused = phone.evaluate(
        "[document.activeElement.tagName, document.activeElement.dataset.testid || '']"
    )
    assert focused == ["BUTTON", "file-submit"], focused
    outline = phone.evaluate(
        "(() => { const s = getComputedStyle(document.activeElement);"
        " return [s.outlineStyle, s.outlineWidth, s.boxShadow]; })()"
    )
    assert outline[0] != "none" or outline[2] != "none", outline  # the focus is visible
    phone.keyboard.press("Enter")
    phone.wait_for_url("**/public/file/done/**")
    reference = phone.locator("[data-testid=file-reference]").inner_text().strip()
    assert reference and "最迟于" in phone.locator("[data-testid=file-next]").inner_text()
    accessible(phone, "answer page after the keyboard filing")
    no_problems()
