"""Issue 20, finding 8: no judgement preselected, the intake's fields by type with the
required ones marked, the dispatch list with the suggested unit first and then the tree."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _visible(page, name: str) -> bool:
    return page.locator(f"#wo-form [name={name}]").is_visible()


def test_the_intake_shows_the_fields_of_the_type_and_marks_the_required(page, login):
    login("agent1")
    page.goto("/workorders/new/?type=complaint")
    assert _visible(page, "subtype")
    label = page.locator("label[for=id_subtype]").inner_text()
    assert label.strip().endswith("*"), label
    assert page.locator("#id_subtype").evaluate("el => el.required")
    for name in ("address", "window", "item", "booking_kind", "booking_details"):
        assert not _visible(page, name), name
    page.select_option("#id_type", "pickup")
    assert _visible(page, "address") and _visible(page, "window")
    assert not _visible(page, "subtype") and not _visible(page, "booking_kind")
    # the hidden complaint kind no longer blocks the form
    assert not page.locator("#id_subtype").evaluate("el => el.required")
    page.select_option("#id_type", "booking")
    assert _visible(page, "booking_kind") and not _visible(page, "address")


def test_judgements_start_empty_and_the_suggested_unit_comes_first(
    page, login, staff, org, make_order, act
):
    from postdesk.customers.services import customer_create

    customer = customer_create(
        actor=staff["admin"], name="王先生", phones=["13812345670"], unit=org["WZ-LC02"]
    )
    order = make_order(customer_id=customer.pk)
    login("agent1")
    page.goto(f"/workorders/{order.number}/")
    select = page.locator("[data-testid=dispatch-unit]")
    assert select.input_value() == ""  # nothing chosen for the agent
    options = select.locator("option")
    first = options.nth(1)
    assert first.get_attribute("value") == "WZ-LC02"
    assert "★" in first.inner_text() and "客户" in first.inner_text()
    # then the tree: a branch is indented under its parent
    texts = options.all_inner_texts()
    tree = texts[2:]
    assert len(tree) >= 10
    assert not tree[0].startswith("\u3000")
    assert any(t.startswith("\u3000\u3000") for t in tree), tree

    order = act(order, "agent1", "dispatch", unit="WZ-LC01")
    order = act(order, "branch1", "accept")
    page.context.clear_cookies()
    login("branch1")
    page.goto(f"/workorders/{order.number}/")
    ruling = page.locator("[data-testid=feedback-ruling]")
    assert ruling.input_value() == ""
    assert ruling.evaluate("el => el.required")
    order = act(order, "branch1", "feedback", text="已核实。", ruling="not_responsible")
    order = act(order, "agent1", "reply", text="您好，已为您核实处理。")
    page.context.clear_cookies()
    login("agent1")
    page.goto(f"/workorders/{order.number}/")
    assert page.locator("[data-testid=follow_up-satisfaction]").input_value() == ""


def test_a_pickups_result_starts_empty(page, login, make_order, act):
    order = make_order(
        type="pickup",
        title="上门揽收",
        details={"address": "鹿城区五马街128号", "window": "明天上午", "item": "两箱"},
    )
    order = act(order, "agent1", "dispatch", unit="WZ-LC01")
    order = act(order, "branch1", "accept")
    login("branch1")
    page.goto(f"/workorders/{order.number}/")
    result = page.locator("[data-testid=feedback-result]")
    assert result.input_value() == ""
    assert result.locator("option").count() >= 3
