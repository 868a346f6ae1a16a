"""Correcting a card and merging two cards of one person in a real browser, in Chinese:
the edit form's errors shown together, the saved change in the card's history (masked);
a lead compares two cards side by side and merges them."""

from __future__ import annotations

import pytest

from postdesk.customers.models import Customer, CustomerChange
from postdesk.customers.services import customer_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_agent_corrects_a_phone_and_the_change_is_in_the_history(page, login, people):
    lc = people["lc"]
    login("agent1")
    page.goto(f"/customers/{lc.pk}/")
    page.click("[data-testid=edit]")
    page.wait_for_selector("[data-testid=save]")
    assert page.input_value("input[name=phones]") == "13812345678, 0577-88123456"
    page.fill("input[name=name]", "")
    page.fill("input[name=phones]", "13812345678, 12345")
    page.fill("input[name=email]", "zhangsan@")
    page.click("[data-testid=save]")
    errors = page.locator("small.error")
    errors.first.wait_for()
    text = " ".join(errors.all_inner_texts())
    assert "请输入客户姓名" in text or "姓名" in text
    assert "“12345”不是有效的电话号码。" in text
    assert errors.count() == 3  # name, phones and e-mail at once
    assert page.input_value("input[name=phones]") == "13812345678, 12345"  # kept as typed
    assert not CustomerChange.objects.exists()

    page.fill("input[name=name]", "张三")
    page.fill("input[name=phones]", "13812345678，13711112222")
    page.fill("input[name=email]", "zhangsan@example.cn")
    page.click("[data-testid=save]")
    page.wait_for_selector("text=客户信息已保存")
    assert "137****2222" in page.locator("[data-testid=phones]").inner_text()
    history = page.locator("[data-testid=changes]").inner_text()
    assert "电话号码" in history and "137****2222" in history
    assert "13711112222" not in page.content()
    assert "王晓燕" in history and "年" in history
    assert page.locator("[data-testid=merge-other]").count() == 0  # agents do not merge


def test_lead_merges_two_cards_after_comparing_them(page, login, people, org, staff):
    keep = people["lc"]
    drop = customer_create(
        actor=staff["admin"], name="张三", unit=org["WZ-LC01"], phones=["15000001111"]
    )
    login("lead1")
    page.goto(f"/customers/{keep.pk}/")
    page.fill("[data-testid=merge-other]", str(drop.pk))
    page.click("[data-testid=merge-start]")
    page.wait_for_selector("[data-testid=merge-confirm]")
    assert "150****1111" in page.locator("[data-testid=drop]").inner_text()
    assert "138****5678" in page.locator("[data-testid=keep]").inner_text()
    assert "合并客户卡" in page.locator("h1").inner_text()
    page.click("[data-testid=merge-confirm]")
    page.wait_for_selector(f"text=客户卡 {drop.pk} 已合并到本卡。")
    assert "150****1111" in page.locator("[data-testid=phones]").inner_text()
    assert f"将客户卡 #{drop.pk}" in page.locator("[data-testid=changes]").inner_text()
    assert Customer.objects.get(pk=drop.pk).merged_into_id == keep.pk

    page.goto(f"/customers/{drop.pk}/")
    assert "合并至 #" in page.locator("[data-testid=merged-into]").inner_text()
    assert page.locator("[data-testid=edit]").count() == 0
    # merging it again is refused on the compare page
    page.goto(f"/customers/{keep.pk}/merge/?other={drop.pk}")
    assert "其中一张客户卡已合并到其他卡" in page.locator("[data-testid=merge-error]").inner_text()
    assert page.locator("[data-testid=merge-confirm]").count() == 0
