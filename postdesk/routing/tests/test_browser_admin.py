"""An administrator in a real browser: from the navigation to a unit's rules, adds a
rule (first with a district that is not in the city: the field says so and nothing is
saved), then tests an address on the same page and reads the answer with its reason."""

from __future__ import annotations

import pytest

from postdesk.routing.models import ServiceArea
from postdesk.routing.services import service_area_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_admin_adds_a_rule_then_tests_an_address(page, login, org):
    service_area_create(actor=None, unit=org["WZ-LC01"], district="鹿城区")
    login("admin")
    page.click("nav.mainnav a[data-nav=routing]")
    page.wait_for_selector("[data-testid=routing-units]")
    page.click("[data-testid=routing-units] tr[data-code='WZ-LC02'] a")
    page.wait_for_selector("[data-testid=rule-add]")
    assert "还没有规则" in page.inner_text("[data-testid=unit-rules]")

    form = page.locator("[data-testid=rule-add]")
    form.locator("input[name=city]").fill("温州市")
    form.locator("input[name=district]").fill("西湖区")
    form.locator("[data-testid=rule-add-submit]").click()
    assert "温州市没有“西湖区”" in page.inner_text("[data-testid=rule-add] [data-field=district]")
    assert not ServiceArea.objects.filter(unit=org["WZ-LC02"]).exists()

    form = page.locator("[data-testid=rule-add]")
    form.locator("input[name=district]").fill("鹿城区")
    form.locator("input[name=town]").fill("五马街道")
    form.locator("[data-testid=rule-add-submit]").click()
    page.wait_for_selector("[data-testid=unit-rules] tr[data-rule]")
    assert "已新增规则" in page.inner_text("ul.messages")
    assert "五马街道" in page.inner_text("[data-testid=unit-rules]")
    rule = ServiceArea.objects.get(unit=org["WZ-LC02"])
    assert (rule.province, rule.city, rule.town) == ("浙江省", "温州市", "五马街道")

    page.fill("[data-testid=tester-address]", "地址：温州鹿城 五马街道公园路１２号 近华联超市")
    page.click("[data-testid=tester-submit]")
    answer = page.locator("[data-testid=route-answer][data-status=matched]")
    answer.wait_for()
    assert "已匹配" in answer.locator("[data-testid=answer-status]").inner_text()
    assert "五马投递部（WZ-LC02）" in answer.locator("[data-testid=answer-unit]").inner_text()
    reason = answer.locator("[data-testid=answer-reason]").inner_text()
    assert "最具体" in reason and "精确度 4" in reason
    parsed = answer.locator("[data-testid=answer-parsed]").inner_text()
    assert "五马街道" in parsed and "公园路12号近华联超市" in parsed
    assert f"规则 {rule.pk}" in answer.locator("[data-testid=answer-rule]").inner_text()
    assert page.url.endswith("/routing/unit/WZ-LC02/")  # answered in place (htmx)
