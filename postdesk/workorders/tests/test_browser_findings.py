"""Issue 20, finding 9 (the layout glitches), one browser test per glitch, measured on the
page where the glitch was a matter of layout: bounding boxes, not only text."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _inside(inner: dict, outer: dict, slack: float = 1.0) -> bool:
    return (
        inner["x"] >= outer["x"] - slack
        and inner["y"] >= outer["y"] - slack
        and inner["x"] + inner["width"] <= outer["x"] + outer["width"] + slack
        and inner["y"] + inner["height"] <= outer["y"] + outer["height"] + slack
    )


def _no_sideways_scroll(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def test_the_delivery_results_radios_sit_in_their_form_under_the_legend(page, login):
    login("agent1")
    for width in (1366, 360):
        page.set_viewport_size({"width": width, "height": 800})
        page.goto("/tracking/results/")
        form = page.locator("[data-testid=result-form]").bounding_box()
        group = page.locator("[data-testid=entry-result]")
        legend = group.locator("legend").bounding_box()
        assert _inside(group.bounding_box(), form), width
        radios = group.locator("input[type=radio]")
        assert radios.count() == 2
        for i in range(radios.count()):
            box = radios.nth(i).bounding_box()
            assert _inside(box, form), (width, box)
            # below the legend, starting at its left edge, not floating in the middle
            assert box["y"] >= legend["y"] + legend["height"] - 1, (width, box, legend)
        first = radios.nth(0).bounding_box()
        assert first["x"] - legend["x"] < 40, (width, first, legend)
        # the two choices share a row
        second = radios.nth(1).bounding_box()
        assert abs(first["y"] - second["y"]) < 4, (first, second)
        assert _no_sideways_scroll(page) <= 0, width


def test_the_state_panels_caption_reads_on_one_line(page, login, staff, settings):
    settings.POSTDESK_PUSH_KEEPALIVE_SECONDS = 0.5
    from postdesk.calls.models import AgentStatePeriod

    login("agent1")
    page.goto("/calls/")
    page.wait_for_selector("[data-push-state=live]")
    page.wait_for_timeout(1000)  # the panel is swapped again once the push connects
    # no time in any state yet: a sentence, not an empty table's caption
    empty = page.locator("[data-testid=no-state-times]")
    assert empty.is_visible()
    # (the panel is swapped again when the push connects: measured in one step, which waits)
    assert empty.evaluate("el => el.getBoundingClientRect().height") < 40
    now = timezone.now()
    AgentStatePeriod.objects.create(
        user=staff["agent1"], state="ready", started_at=now - timedelta(minutes=5),
        ended_at=now - timedelta(minutes=1), seconds=240,
    )  # fmt: skip
    page.reload()
    page.wait_for_selector("[data-push-state=live]")
    page.wait_for_timeout(1000)
    caption = page.locator("table.times caption")
    box = caption.evaluate(
        "el => { const r = el.getBoundingClientRect(); return {width: r.width, height: r.height}; }"
    )
    size = caption.evaluate("el => parseFloat(getComputedStyle(el).fontSize)")
    chars = len(caption.inner_text().strip())
    assert chars >= 5
    # one line of text as wide as its characters, not one character a line
    assert box["height"] <= 2 * size, (box, size)
    assert box["width"] >= 0.9 * chars * size, (box, size, chars)
    page.goto("about:blank")  # the workbench's stream ends with the test
    page.wait_for_timeout(1500)


def test_the_team_boards_cards_keep_the_deadline_inside(page, login, make_order, act):
    from postdesk.workorders.models import WorkOrder

    order = act(make_order(), "agent1", "dispatch", unit="WZ-LC01")
    WorkOrder.objects.filter(pk=order.pk).update(due_at=timezone.now() + timedelta(hours=2))
    late = act(make_order(title="查单：超时未反馈"), "agent1", "dispatch", unit="WZ-LC01")
    WorkOrder.objects.filter(pk=late.pk).update(due_at=timezone.now() - timedelta(hours=1))
    login("lead1")
    for width in (1366, 390, 360):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto("/workorders/board/")
        for testid, number in (("board-soon", order.number), ("board-overdue", late.number)):
            card = page.locator(f"section.card:has([data-testid={testid}])").bounding_box()
            row = page.locator(f"[data-testid={testid}] tr[data-number='{number}']")
            due = row.locator("td.c-due")
            assert due.is_visible(), (width, testid)
            box = due.bounding_box()
            assert _inside(box, card), (width, testid, box, card)
            # the deadline's text is not clipped by its cell
            assert due.evaluate("el => el.scrollWidth <= el.clientWidth + 1"), (width, testid)
        assert _no_sideways_scroll(page) <= 0, width


def test_a_month_without_calls_shows_dashes(page, login):
    login("director1")
    page.goto("/reports/?month=2026-02")
    body = page.locator("main").inner_text()
    assert "ASA" in body
    assert " s\n" not in body and not body.rstrip().endswith(" s")
    for label in ("ASA", "AHT"):
        value = page.locator(f"dt:text-is('{label}') + dd").inner_text().strip()
        assert value == "—", (label, value)


def test_a_call_stamped_in_the_future_waits_no_negative_time(page, login, live_server):
    import json
    import urllib.request

    from postdesk.calls.services import cti_token_create

    _token, raw = cti_token_create(name="test pbx")
    request = urllib.request.Request(
        live_server.url + "/api/v1/cti/events",
        data=json.dumps(
            {
                "event": "newCall",
                "call_id": "future-browser",
                "timestamp": (timezone.now() + timedelta(seconds=245)).isoformat(),
                "direction": "in",
                "from": "13700006666",
                "to": "11185",
            }
        ).encode(),
        headers={"Authorization": f"Token {raw}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200
    login("lead1")
    page.goto("/calls/wallboard/")
    assert page.inner_text("[data-testid=waiting]") == "1"
    board = page.locator("main").inner_text()
    assert "−" not in board and "-245" not in board
    page.goto("about:blank")  # the wallboard's stream ends with the test


def test_the_order_list_counts_exactly_and_a_page_past_the_end_shows_the_last(
    page, login, make_order
):
    for i in range(11):
        make_order(title=f"包裹延误投诉 {i}")
    login("admin")
    page.goto("/workorders/")
    count = page.inner_text("[data-testid=wo-count]")
    assert count.strip() == "11 张工单", count
    page.goto("/workorders/?page=999999")
    pager = page.inner_text(".pager")
    assert "999999" not in pager
    page_no, _, pages = pager.strip().partition(" / ")
    assert page_no.strip().endswith(pages.strip()[:1]), pager
    assert page.locator("[data-testid=wo-table] tr[data-number]").count() >= 1


def test_the_dispatch_email_has_a_full_link_and_the_deadline(
    page, login, make_order, staff, settings
):
    from django.core import mail

    from postdesk.notify.services import outbox_sweep

    settings.POSTDESK_SITE_URL = "https://kefu.example.cn"
    staff["branch1"].email = "branch1@example.org"
    staff["branch1"].save()
    order = make_order()
    login("agent1")
    page.goto(f"/workorders/{order.number}/")
    page.select_option("[data-testid=dispatch-unit]", "WZ-LC01")
    page.click("[data-testid=do-dispatch]")
    page.wait_for_selector("[data-testid=timeline]")
    outbox_sweep()
    (message,) = [m for m in mail.outbox if "branch1@example.org" in m.to]
    assert f"https://kefu.example.cn/workorders/{order.number}/" in message.body
    assert "时限：" in message.body and "年" in message.body


def test_the_bell_stops_counting_once_the_order_is_acted_on(page, login, make_order, act):
    from postdesk.notify.services import outbox_sweep

    order = act(make_order(), "agent1", "dispatch", unit="WZ-LC01")
    other = act(make_order(title="查单：包裹未到"), "agent1", "dispatch", unit="WZ-LC01")
    outbox_sweep()
    login("branch1")
    page.goto("/workorders/inbox/")
    assert page.inner_text("[data-testid=bell] .badge") == "2"
    page.click(f"tr[data-number='{order.number}'] [data-testid=inbox-accept]")
    page.wait_for_selector("[data-testid=timeline]")
    assert page.inner_text("[data-testid=bell] .badge") == "1"
    assert other.number


def test_the_new_customer_form_names_every_fault_at_once(page, login):
    login("lead1")
    page.goto("/customers/new/")
    page.fill("input[name=phones], textarea[name=phones]", "12345")
    page.fill("input[name=email]", "not-an-address")
    page.click("form.card button[type=submit], form.card button:not([type])")
    page.wait_for_selector("small.error[data-field]")
    faulty = {
        page.locator("small.error[data-field]").nth(i).get_attribute("data-field")
        for i in range(page.locator("small.error[data-field]").count())
    }
    assert {"name", "phones", "email"} <= faulty, faulty
    assert page.input_value("input[name=email]") == "not-an-address"
