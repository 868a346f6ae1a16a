"""The "to be routed" (待分派) queue in a real browser: an agent opens two pickups, one
whose address routes to one unit (dispatched at once, the box checked) and one that
ties between two; the team lead finds the second on the board with the reason in
Chinese and the candidates, picks the unit there, and it is dispatched."""

from __future__ import annotations

import pytest

from postdesk.routing.services import service_area_create
from postdesk.workorders.models import WorkOrder

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def open_pickup(page, address, phone):
    page.goto(f"/workorders/new/?phone={phone}&type=pickup")
    page.fill("input[name=title]", "上门揽收")
    page.fill("input[name=address]", address)
    assert page.is_checked("input[name=dispatch_routed]")
    page.click("[data-testid=save-order]")
    page.wait_for_selector("[data-testid=timeline]")


def test_the_lead_routes_a_pickup_from_the_board(page, login, org):
    service_area_create(actor=None, unit=org["WZ-LC01"], district="鹿城区")
    service_area_create(actor=None, unit=org["WZ-LC02"], district="鹿城区", town="五马街道")
    service_area_create(actor=None, unit=org["WZ-LC03"], district="鹿城区", keywords="解放路")
    login("agent1")
    open_pickup(page, "温州鹿城南郊街道信河街5号", "13812345678")
    routed = WorkOrder.objects.get()
    assert routed.status == "dispatched" and routed.handling_unit.code == "WZ-LC01"
    open_pickup(page, "鹿城区五马街道解放路12号", "13900001111")
    assert "待分派" in page.inner_text("body")  # the agent is told where it went
    tie = WorkOrder.objects.exclude(pk=routed.pk).get()
    assert tie.status == "new" and tie.handling_unit is None

    page.context.clear_cookies()
    login("lead1")
    page.goto("/workorders/board/")
    queue = page.locator("[data-testid=board-to-route]")
    assert "待分派" in queue.inner_text()
    row = queue.locator(f"tr[data-number='{tie.number}']")
    assert "多个单位" in row.locator("[data-testid=to-route-reason]").inner_text()
    candidates = row.locator("[data-testid=to-route-candidates]").inner_text()
    assert "五马投递部" in candidates and "南郊支局" in candidates
    assert routed.number not in queue.inner_text()  # a routed pickup never waits
    row.locator("[data-testid=to-route-unit]").select_option("WZ-LC03")
    row.locator("[data-testid=to-route-dispatch]").click()
    page.wait_for_selector("[data-testid=timeline]")
    assert "已派单" in page.inner_text("[data-testid=status]")
    tie.refresh_from_db()
    assert tie.status == "dispatched" and tie.handling_unit.code == "WZ-LC03"
    page.goto("/workorders/board/")
    assert "没有待分派" in page.inner_text("[data-testid=board-to-route]")
