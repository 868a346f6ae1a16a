"""Result entry through the page in a real browser: an agent finds the waybill on the
chase list, types the courier's result with the keyboard, saves, and the attempt leaves
the chase list while the parcel view shows the result."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from postdesk.tracking.kpi_rules import SHANGHAI
from postdesk.tracking.models import Attempt, Event
from postdesk.tracking.services import tracking_import
from postdesk.tracking.tests import kpi_fixtures as fx

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WAYBILL = "9700000000107"
OTHER = "9700000000108"


def _out_yesterday(tmp_path: Path) -> None:
    """Two items out for delivery yesterday morning at 五马投递部, no result since: both
    are on the chase list now (after yesterday's 20:00 cut-off)."""
    now = timezone.localtime(timezone.now(), SHANGHAI)
    ofd = (now - timedelta(days=1)).replace(hour=8, minute=30, second=0, microsecond=0)
    rows = [
        f"{wb},{(ofd - timedelta(hours=20)).isoformat()},ARRIVED,WZ-LC02,五马投递部,,,,,\n"
        f"{wb},{ofd.isoformat()},OUT_FOR_DELIVERY,WZ-LC02,五马投递部,,WZ-LC02-03,,,"
        for wb in (WAYBILL, OTHER)
    ]
    path = tmp_path / "out.csv"
    path.write_text(fx.csv_text(rows), encoding="utf-8")
    run = tracking_import(path=path)
    assert run.created == 4 and run.rejected == 0


def test_agent_types_a_failed_delivery_and_it_leaves_the_chase_list(
    page, login, org, tmp_path: Path
) -> None:
    _out_yesterday(tmp_path)
    login("agent1")

    page.goto("/tracking/chase/")
    chase = page.get_by_test_id("chase-list")
    assert chase.get_by_text(WAYBILL).count() == 1 and chase.get_by_text(OTHER).count() == 1

    page.goto("/tracking/results/")
    entry_chase = page.get_by_test_id("chase-list")
    assert entry_chase.get_by_text(WAYBILL).count() == 1
    # Keyboard only: the waybill box has the focus on arrival.
    waybill = page.get_by_test_id("entry-waybill")
    assert waybill.evaluate("el => el === document.activeElement")
    page.keyboard.type(WAYBILL.lower())  # the courier reads it out; case does not matter
    page.keyboard.press("Tab")  # to the result radios (none is checked: the handler says which)
    page.keyboard.press("ArrowRight")  # failed
    page.keyboard.press("Tab")  # to the reason
    page.keyboard.type("收件人不在")
    with page.expect_navigation():
        page.keyboard.press("Enter")  # submits the form

    assert page.url.endswith("/tracking/results/")
    assert WAYBILL in page.locator("ul.messages .msg-success").inner_text()
    remaining = page.get_by_test_id("chase-list")
    assert remaining.get_by_text(OTHER).count() == 1
    assert remaining.get_by_text(WAYBILL).count() == 0

    # What the browser did reached the database as the agent's entry.
    event = Event.objects.get(waybill_no=WAYBILL, event_code="DELIVERY_FAILED")
    assert event.reason == "收件人不在" and event.entered_by.username == "agent1"
    assert event.office_code == "WZ-LC02"
    assert not Attempt.objects.filter(waybill_no=WAYBILL, chase=True).exists()

    page.goto("/tracking/chase/")
    assert page.get_by_test_id("chase-list").get_by_text(WAYBILL).count() == 0

    page.goto("/tracking/")
    page.get_by_test_id("waybill-q").fill(WAYBILL)
    page.keyboard.press("Enter")
    parcel = page.get_by_test_id("parcel")
    parcel.wait_for()
    assert "未妥投" in parcel.locator("p").first.inner_text()  # status: delivery failed
    timeline = parcel.locator("tbody tr").first.inner_text()
    assert "未妥投" in timeline and "收件人不在" in timeline and "A001" in timeline
    assert page.get_by_test_id("flag-chase").count() == 0
