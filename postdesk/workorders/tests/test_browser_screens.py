"""The five daily screens (the order, the workbench, the team board, the wallboard, the
branch inbox) at a phone's 360 px and a desk's 1366 px: nothing scrolls sideways, no
text leaves its box, no raw ISO timestamp or code is shown. FINDINGS_SHOTS=<dir> keeps a
screenshot of each for a person to look at."""

from __future__ import annotations

import os
import re
from datetime import timedelta

import pytest
from django.utils import timezone

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ISO = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d")

#: Elements whose text runs past their own box (clipped or spilling), as "tag.class: text".
OVERFLOWING = """() => {
  const out = [];
  for (const el of document.querySelectorAll('main *, header *')) {
    const style = getComputedStyle(el);
    if (style.display === 'none' || style.visibility === 'hidden') continue;
    if (!el.offsetParent && style.position !== 'fixed') continue;
    if (['SELECT', 'INPUT', 'TEXTAREA', 'svg', 'PATH'].includes(el.tagName)) continue;
    if (!Array.from(el.childNodes).some(n => n.nodeType === 3 && n.textContent.trim())) continue;
    if (style.overflowX === 'visible' && style.whiteSpace !== 'nowrap') {
      // text that wraps cannot spill sideways unless a word is wider than the box
      if (el.scrollWidth <= el.clientWidth + 1) continue;
    }
    if (el.scrollWidth > el.clientWidth + 1 && el.clientWidth > 0
        && !el.closest('.table-wrap') && style.overflowX !== 'auto') {
      const text = el.textContent.trim().slice(0, 40);
      out.push(el.tagName.toLowerCase() + '.' + el.className + ': ' + text);
    }
  }
  return out;
}"""


@pytest.fixture
def floor(make_order, act, staff, live_server):
    import json
    import urllib.request

    from postdesk.calls.services import cti_token_create
    from postdesk.notify.services import outbox_sweep
    from postdesk.workorders.models import WorkOrder

    orders = []
    for title, due in (
        ("包裹延误投诉：寄往杭州的包裹五天未到", timedelta(hours=2)),
        ("上门揽收申请：鹿城区五马街128号", timedelta(hours=30)),
        ("查单：包裹未到", -timedelta(hours=3)),
    ):
        order = act(make_order(title=title), "agent1", "dispatch", unit="WZ-LC01")
        WorkOrder.objects.filter(pk=order.pk).update(due_at=timezone.now() + due)
        orders.append(order)
    orders.append(make_order(title="投诉：快递员未按址投递，电话不接"))  # to dispatch
    accepted = act(orders[0], "branch1", "accept")
    act(accepted, "branch1", "feedback", text="已核实，今日投递。", ruling="responsible")
    outbox_sweep()
    _token, raw = cti_token_create(name="test pbx")
    request = urllib.request.Request(
        live_server.url + "/api/v1/cti/events",
        data=json.dumps(
            {
                "event": "newCall",
                "call_id": "screens-1",
                "timestamp": (timezone.now() - timedelta(seconds=40)).isoformat(),
                "direction": "in",
                "from": "13700006666",
                "to": "11185",
                "queue": "11185",
            }
        ).encode(),
        headers={"Authorization": f"Token {raw}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200
    return orders


SCREENS = [
    ("order", "agent1", "/workorders/{number}/"),
    ("workbench", "agent1", "/calls/"),
    ("board", "lead1", "/workorders/board/"),
    ("wallboard", "lead1", "/calls/wallboard/"),
    ("inbox", "branch1", "/workorders/inbox/"),
    ("order-dispatch", "agent1", "/workorders/{new}/"),
    ("list", "lead1", "/workorders/"),
]


@pytest.mark.parametrize("width", [360, 1366])
def test_the_daily_screens_fit_the_width(chromium, live_server, floor, width):
    shots = os.environ.get("FINDINGS_SHOTS")
    problems = []
    for name, username, path in SCREENS:
        context = chromium.new_context(
            base_url=live_server.url,
            locale="zh-CN",
            viewport={"width": width, "height": 800},
            is_mobile=width < 600,
            has_touch=width < 600,
        )
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.goto("/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", "postdesk")
        page.click("button[type=submit]")
        page.wait_for_selector("header.topbar")
        page.goto(path.format(number=floor[0].number, new=floor[3].number))
        page.wait_for_load_state("load")
        page.wait_for_timeout(300)
        if shots:
            os.makedirs(shots, exist_ok=True)
            page.screenshot(path=f"{shots}/{name}-{width}.png", full_page=True)
        sideways = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        if sideways > 0:
            problems.append(f"{name}: scrolls {sideways} px sideways")
        for item in page.evaluate(OVERFLOWING):
            problems.append(f"{name}: text leaves its box: {item}")
        text = page.locator("body").inner_text()
        if ISO.search(text):
            problems.append(f"{name}: an ISO timestamp {ISO.search(text).group()}")
        page.goto("about:blank")  # the pages' streams end with the test
        context.close()
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("username", ["agent1", "lead1"])
def test_the_navigation_takes_one_row_on_a_desk(page, login, username):
    """At 1366 px the header is one row: the agent's links fit; a lead's many links fold
    into the menu button instead of a second green row over every page."""
    page.set_viewport_size({"width": 1366, "height": 800})
    login(username)
    page.goto("/calls/wallboard/" if username == "lead1" else "/calls/")
    header = page.locator("header.topbar").bounding_box()
    assert header["height"] <= 60, header
    links = page.locator(".mainnav a")
    if page.locator("[data-testid=nav-toggle]").is_visible():
        assert username == "lead1"  # only a role whose links do not fit folds them
        page.click("[data-testid=nav-toggle]")
        assert page.locator(".mainnav a[data-nav=wallboard]").is_visible()
        last = links.nth(links.count() - 1).bounding_box()
        assert last["x"] + last["width"] <= 1366
    else:
        tops = {round(links.nth(i).bounding_box()["y"]) for i in range(links.count())}
        assert len(tops) == 1, tops
    page.goto("about:blank")


def test_the_board_on_a_phone_reads_its_headings_and_callers(page, login, make_order, act):
    """At 360 px: nothing to route is a sentence (the empty table's headings stacked a
    character a line); a caller without a name shows the number right after the label."""
    order = act(make_order(), "agent1", "dispatch", unit="WZ-LC01")
    from postdesk.workorders.models import WorkOrder

    WorkOrder.objects.filter(pk=order.pk).update(due_at=timezone.now() - timedelta(hours=1))
    page.set_viewport_size({"width": 360, "height": 800})
    login("lead1")
    page.goto("/workorders/board/")
    routed = page.locator("[data-testid=board-to-route]")
    assert routed.locator("[data-testid=nothing-to-route]").is_visible()
    for i in range(routed.locator("th").count()):
        th = routed.locator("th").nth(i)
        size = th.evaluate("el => parseFloat(getComputedStyle(el).fontSize)")
        assert th.bounding_box()["height"] <= 2.5 * size, th.inner_text()
    caller = page.locator(
        f"[data-testid=board-overdue] tr[data-number='{order.number}'] td.c-caller"
    )
    text = caller.evaluate("el => el.textContent")  # the label is the cell's ::before
    assert text.startswith("138"), repr(text)


#: Vertical gaps (px) between a page's consecutive top-level blocks of cards.
GAPS = """() => {
  const blocks = Array.from(document.querySelectorAll('main > .card, main > .grid2'));
  const gaps = [];
  for (let i = 1; i < blocks.length; i++) {
    const above = blocks[i - 1].getBoundingClientRect(), below = blocks[i].getBoundingClientRect();
    gaps.push(Math.round(below.top - above.bottom));
  }
  return gaps;
}"""


def test_cards_stacked_on_each_other_keep_a_gap(page, login, make_order, act):
    order = act(make_order(), "agent1", "dispatch", unit="WZ-LC01")
    login("lead1")
    for width, path in ((1366, f"/workorders/{order.number}/"), (360, "/workorders/board/")):
        page.set_viewport_size({"width": width, "height": 800})
        page.goto(path)
        gaps = page.evaluate(GAPS)
        assert gaps and min(gaps) >= 8, (width, path, gaps)


def test_the_caller_label_sits_on_the_line_of_the_number(page, login, make_order):
    """The reveal button beside the number made the row taller and left 来电人 above the
    number it names."""
    order = make_order()
    login("agent1")
    for width in (1366, 360):
        page.set_viewport_size({"width": width, "height": 800})
        page.goto(f"/workorders/{order.number}/")
        # the text's own box (a grid cell stretches to the row)
        label = page.locator("dl.kv dt").first.evaluate(
            "el => { const r = document.createRange(); r.selectNodeContents(el);"
            " return r.getBoundingClientRect().bottom; }"
        )
        number = page.locator("[data-testid=caller-phone]").bounding_box()
        assert abs(label - number["y"] - number["height"]) <= 3, (width, label, number)


@pytest.mark.parametrize("width", [360, 1366])
def test_the_ringing_pop_fits_the_width(page, login, live_server, staff, width, settings):
    import json
    import urllib.request

    from postdesk.calls.services import cti_token_create, wrapup_codes_ensure
    from postdesk.customers.services import customer_create

    settings.POSTDESK_PUSH_KEEPALIVE_SECONDS = 0.5
    wrapup_codes_ensure()
    customer_create(actor=staff["admin"], name="陈美玲", phones=["13957712345"])
    _token, raw = cti_token_create(name="test pbx")
    page.set_viewport_size({"width": width, "height": 800})
    login("agent1")
    page.goto("/calls/")
    page.wait_for_selector("[data-push-state=live]")
    request = urllib.request.Request(
        live_server.url + "/api/v1/cti/events",
        data=json.dumps(
            {
                "event": "newCall",
                "call_id": "pop-width",
                "timestamp": timezone.now().isoformat(),
                "direction": "in",
                "from": "13957712345",
                "to": "8001",
            }
        ).encode(),
        headers={"Authorization": f"Token {raw}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200
    page.locator("[data-testid=pop-body][data-call-id=pop-width]").wait_for()
    page.wait_for_timeout(1500)  # the recent calls refresh 500 ms after the push
    # the refreshed list goes back into its card, under the card's heading
    assert page.locator("#recent-calls > h2").is_visible()
    assert page.locator("#recent-calls #recent-list").count() == 1
    shots = os.environ.get("FINDINGS_SHOTS")
    if shots:
        page.screenshot(path=f"{shots}/workbench-pop-{width}.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    assert page.evaluate(OVERFLOWING) == []
    assert not ISO.search(page.locator("body").inner_text())
    page.goto("about:blank")
    page.wait_for_timeout(1500)


def test_the_list_filters_checkbox_sits_before_its_label_and_the_button_says_filter(page, login):
    login("lead1")
    page.set_viewport_size({"width": 360, "height": 800})
    page.goto("/workorders/")
    box = page.locator("form.filters input[name=mine]").bounding_box()
    label = page.locator("form.filters label:has(input[name=mine])").evaluate(
        "el => { const t = Array.from(el.childNodes)"
        ".find(n => n.nodeType === 3 && n.textContent.trim());"
        " const r = document.createRange(); r.selectNodeContents(t);"
        " const b = r.getBoundingClientRect(); return {x: b.x, y: b.y, height: b.height}; }"
    )
    assert box["x"] + box["width"] <= label["x"], (box, label)
    assert abs((box["y"] + box["height"] / 2) - (label["y"] + label["height"] / 2)) < 8
    assert page.locator("form.filters button.primary").first.inner_text() == "筛选"
