"""Tags 标签 in the browser (issue 20): added and removed on the order page by keyboard,
shown on the list's rows, and the list filtered by one (the filter a saved view keeps)."""

from __future__ import annotations

import pytest

from postdesk.workorders.models import WorkOrderEvent, WorkOrderTag

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def centre_tags(staff):
    from postdesk.workorders.services import tag_create

    lead = staff["lead1"]
    return {
        name: tag_create(actor=lead, name=name, colour=colour)
        for name, colour in [("重复来电", "red"), ("媒体关注", "purple"), ("VIP客户", "amber")]
    }


def test_an_agent_tags_an_order_and_filters_the_list_by_it(page, login, make_order, centre_tags):
    order = make_order(title="包裹五天未到")
    other = make_order(title="另一张工单")
    login("agent1")
    page.goto(f"/workorders/{order.number}/")
    bar = page.locator("[data-testid=tags]")
    assert "标签" in bar.inner_text() and bar.locator("[data-testid=no-tags]").is_visible()
    # the typeahead offers the centre's tags
    options = page.locator("#tag-choices option")
    assert sorted(options.evaluate_all("os => os.map(o => o.value)")) == sorted(centre_tags)
    box = page.locator("[data-testid=tag-input]")
    box.focus()
    page.keyboard.type("媒体关注")
    page.keyboard.press("Enter")
    chip = page.locator("[data-testid=tag-chip][data-tag='媒体关注']")
    chip.wait_for()
    assert page.url.endswith("#tags")
    assert "媒体关注" not in page.locator("#tag-choices").inner_html()  # on it already
    assert "添加标签" in page.locator("body").inner_text()  # the timeline says so
    # an unknown tag: the reason beside the box, what was typed kept
    box = page.locator("[data-testid=tag-input]")
    box.fill("没有这个标签")
    box.press("Enter")
    page.wait_for_selector("[data-testid=tag-error]")
    assert "请选择中心已有的标签" in page.locator("[data-testid=tag-error]").inner_text()
    assert page.locator("[data-testid=tag-input]").input_value() == "没有这个标签"
    # a second tag, then the first taken off with the keyboard (× is a button)
    page.locator("[data-testid=tag-input]").fill("VIP客户")
    page.locator("[data-testid=tag-input]").press("Enter")
    page.locator("[data-testid=tag-chip][data-tag='VIP客户']").wait_for()
    remove = page.locator("[data-testid=tag-chip][data-tag='媒体关注'] [data-testid=tag-remove]")
    assert remove.get_attribute("aria-label") == "移除标签 媒体关注"
    remove.focus()
    page.keyboard.press("Enter")
    page.locator("[data-testid=tag-chip][data-tag='媒体关注']").wait_for(state="detached")
    assert [t.tag.name for t in WorkOrderTag.objects.filter(order=order)] == ["VIP客户"]
    assert list(
        WorkOrderEvent.objects.filter(order=order, action__in=["tag", "untag"]).values_list(
            "action", flat=True
        )
    ) == ["tag", "tag", "untag"]

    # the list: the chip on the row, and the filter by tag
    page.goto("/workorders/")
    row = page.locator(f"tr[data-number='{order.number}']")
    assert row.locator("[data-testid=row-tag]").inner_text() == "VIP客户"
    assert page.locator(f"tr[data-number='{other.number}'] [data-testid=row-tag]").count() == 0
    page.select_option("select[name=tag]", label="VIP客户")
    page.locator("form.filters button.primary").click()
    page.wait_for_url(f"**tag={centre_tags['VIP客户'].pk}**")
    page.locator(f"tr[data-number='{other.number}']").wait_for(state="detached")
    numbers = page.locator("[data-testid=wo-table] tbody tr").evaluate_all(
        "rows => rows.map(r => r.dataset.number)"
    )
    assert numbers == [order.number]
    # the filter saved as a view keeps the tag
    page.fill("[data-testid=filter-name]", "VIP 客户")
    page.click("[data-testid=filter-save]")
    saved = page.locator("[data-testid=saved-filter] a", has_text="VIP 客户")
    assert f"tag={centre_tags['VIP客户'].pk}" in (saved.get_attribute("href") or "")
    # a chip on a row is itself a link to the list by that tag
    page.goto("/workorders/")
    page.locator(f"tr[data-number='{order.number}'] [data-testid=row-tag]").click()
    page.wait_for_url(f"**tag={centre_tags['VIP客户'].pk}")
    assert page.locator(f"tr[data-number='{other.number}']").count() == 0


def test_a_lead_tags_orders_in_bulk(page, login, make_order, centre_tags):
    a, b = make_order(title="甲"), make_order(title="乙")
    login("lead1")
    page.goto("/workorders/")
    page.check(f"tr[data-number='{a.number}'] [data-testid=bulk-pick]")
    page.check(f"tr[data-number='{b.number}'] [data-testid=bulk-pick]")
    page.select_option("[data-testid=bulk-action]", "tag")
    page.select_option("[data-testid=bulk-tag]", label="重复来电")
    page.click("[data-testid=bulk-run]")
    page.wait_for_selector("[data-testid=bulk-results]")
    for order in (a, b):
        row = page.locator(f"[data-testid=bulk-results] tr[data-number='{order.number}']")
        assert row.get_attribute("data-ok") == "1"
        assert (
            page.locator(
                f"[data-testid=wo-table] tr[data-number='{order.number}'] [data-testid=row-tag]"
            ).inner_text()
            == "重复来电"
        )
    assert WorkOrderTag.objects.filter(tag=centre_tags["重复来电"]).count() == 2
