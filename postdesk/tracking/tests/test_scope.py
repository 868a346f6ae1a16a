"""Who sees which parcels: unit handlers (and county centres) see the items that passed
through one of their offices, record results only there, chase only theirs; anything
else answers 404 exactly as an unknown waybill does."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from postdesk.core.errors import NotFound
from postdesk.tracking.kpi_rules import SHANGHAI
from postdesk.tracking.models import Event
from postdesk.tracking.selectors import (
    chase_list,
    items_for_waybills,
    parcel_get,
    stale_items,
)
from postdesk.tracking.services import delivery_result_record, tracking_import
from postdesk.tracking.tests import kpi_fixtures as fx

pytestmark = pytest.mark.django_db(transaction=True)

OURS = "9700000000201"  # out for delivery at WZ-LC01 (branch1's unit)
THEIRS = "9700000000202"  # out for delivery at WZ-LW01 (branch2's unit)
HUB_ONLY = "9700000000203"  # seen only at the sorting centre (no unit of ours)
UNKNOWN = "9700000000299"


@pytest.fixture
def parcels(org, tmp_path: Path) -> None:
    now = timezone.localtime(timezone.now(), SHANGHAI)
    ofd = (now - timedelta(days=1)).replace(hour=9, minute=0, second=0, microsecond=0)
    arrived = (ofd - timedelta(hours=12)).isoformat()
    old = (now - timedelta(days=12)).isoformat()
    rows = [
        f"{OURS},{arrived},ARRIVED,325000,温州邮区中心局,,,,,",
        f"{OURS},{ofd.isoformat()},OUT_FOR_DELIVERY,WZ-LC01,鹿城支局,,LC01-02,,,",
        f"{THEIRS},{arrived},ARRIVED,325000,温州邮区中心局,,,,,",
        f"{THEIRS},{ofd.isoformat()},OUT_FOR_DELIVERY,WZ-LW01,龙湾支局,,LW01-07,,,",
        f"{HUB_ONLY},{old},ARRIVED,325000,温州邮区中心局,,,,,",
        "9700000000204," + old + ",ARRIVED,WZ-LC01,鹿城支局,,,,,",  # stale at branch1's
    ]
    path = tmp_path / "scope.csv"
    path.write_text(fx.csv_text(rows), encoding="utf-8")
    run = tracking_import(path=path)
    assert run.created == len(rows) and run.rejected == 0


def test_parcel_api_is_404_outside_the_handlers_offices(api_for, parcels) -> None:
    branch1 = api_for("branch1")
    ours = branch1.get(f"/api/v1/tracking/items/{OURS}")
    assert ours.status_code == 200, ours.content
    assert [e["office_code"] for e in ours.json()["events"]] == ["WZ-LC01", "325000"]
    unknown = branch1.get(f"/api/v1/tracking/items/{UNKNOWN}")
    assert unknown.status_code == 404
    for number in (THEIRS, HUB_ONLY):
        outside = branch1.get(f"/api/v1/tracking/items/{number}")
        assert outside.status_code == 404
        assert outside.json() == unknown.json()  # existence does not leak
    # the other branch sees its own, not ours; the city centre's agent sees both
    assert api_for("branch2").get(f"/api/v1/tracking/items/{THEIRS}").status_code == 200
    assert api_for("branch2").get(f"/api/v1/tracking/items/{OURS}").status_code == 404
    agent = api_for("agent1")
    for number in (OURS, THEIRS, HUB_ONLY):
        assert agent.get(f"/api/v1/tracking/items/{number}").status_code == 200
    # a county bureau's centre sees only its county's offices
    assert api_for("ra_agent1").get(f"/api/v1/tracking/items/{OURS}").status_code == 404


def test_parcel_page_is_404_outside_scope(client_for, parcels) -> None:
    branch1 = client_for("branch1")
    ours = branch1.get("/tracking/", {"q": OURS})
    assert ours.status_code == 200 and 'data-testid="parcel"' in ours.content.decode()
    theirs = branch1.get("/tracking/", {"q": THEIRS})
    body = theirs.content.decode()
    assert theirs.status_code == 404 and 'data-testid="not-found"' in body
    assert "龙湾支局" not in body and "LW01-07" not in body
    assert branch1.get("/tracking/", {"q": UNKNOWN}).status_code == 404


def test_parcel_selector(staff, parcels) -> None:
    now = timezone.now()
    assert parcel_get(user=staff["branch1"], waybill_no=OURS.lower(), now=now).waybill_no == OURS
    with pytest.raises(NotFound):
        parcel_get(user=staff["branch1"], waybill_no=THEIRS, now=now)
    assert parcel_get(user=staff["agent1"], waybill_no=THEIRS, now=now).where == "龙湾支局"


def test_chase_list_is_the_handlers_own(api_for, client_for, staff, parcels) -> None:
    now = timezone.now()
    assert [a.waybill_no for a in chase_list(now=now, user=staff["branch1"])] == [OURS]
    assert [a.waybill_no for a in chase_list(now=now, user=staff["branch2"])] == [THEIRS]
    assert {a.waybill_no for a in chase_list(now=now, user=staff["agent1"])} == {OURS, THEIRS}
    api = api_for("branch1").get("/api/v1/tracking/chase")
    assert api.status_code == 200 and [a["waybill_no"] for a in api.json()] == [OURS]
    # asking for another unit's office by name gives an empty list, not its items
    other = api_for("branch1").get("/api/v1/tracking/chase", {"office": "WZ-LW01"})
    assert other.status_code == 200 and other.json() == []
    page = client_for("branch1").get("/tracking/chase/").content.decode()
    assert OURS in page and THEIRS not in page


def test_result_entry_only_at_the_handlers_offices(api_for, client_for, staff, parcels) -> None:
    api = api_for("branch1")
    refused = api.post(
        "/api/v1/tracking/results",
        {"waybill_no": THEIRS, "result": "delivered", "signer": "本人"},
        content_type="application/json",
    )
    assert refused.status_code == 404 and "waybill_no" in refused.json()["fields"]
    # naming another unit's office for our own item is refused the same way
    refused = api.post(
        "/api/v1/tracking/results",
        {"waybill_no": OURS, "result": "delivered", "office_code": "WZ-LW01"},
        content_type="application/json",
    )
    assert refused.status_code == 404
    page = client_for("branch1").post(
        "/tracking/results/", {"waybill_no": THEIRS, "result": "delivered"}
    )
    assert page.status_code == 200 and 'data-testid="result-form"' in page.content.decode()
    assert not Event.objects.filter(event_code="DELIVERED").exists()  # nothing written

    made = api.post(
        "/api/v1/tracking/results",
        {"waybill_no": OURS, "result": "failed", "reason": "电话无人接听"},
        content_type="application/json",
    )
    assert made.status_code == 201, made.content
    assert made.json()["office_code"] == "WZ-LC01"
    assert [a.waybill_no for a in chase_list(now=timezone.now(), user=staff["agent1"])] == [THEIRS]
    with pytest.raises(NotFound):
        delivery_result_record(
            user=staff["branch2"], waybill_no=OURS, result="delivered", signer="本人"
        )
    # the city centre's agents record for any office
    delivery_result_record(user=staff["agent1"], waybill_no=THEIRS, result="delivered")
    assert Event.objects.get(event_code="DELIVERED").office_code == "WZ-LW01"


def test_unknown_waybill_result_is_404_for_everyone(api_for, parcels) -> None:
    r = api_for("agent1").post(
        "/api/v1/tracking/results",
        {"waybill_no": UNKNOWN, "result": "delivered"},
        content_type="application/json",
    )
    assert r.status_code == 404 and "waybill_no" in r.json()["fields"]


def test_stale_and_item_summaries_are_scoped(client_for, staff, parcels) -> None:
    later = timezone.now()
    stale = {i.waybill_no for i in stale_items(now=later, user=staff["branch1"])}
    assert stale == {"9700000000204"}
    everyone = {i.waybill_no for i in stale_items(now=later, user=staff["agent1"])}
    assert everyone == {"9700000000204", HUB_ONLY}
    page = client_for("branch1").get("/tracking/stale/").content.decode()
    assert "9700000000204" in page and HUB_ONLY not in page
    numbers = [OURS, THEIRS, HUB_ONLY, UNKNOWN]
    assert [i.waybill_no for i in items_for_waybills(user=staff["branch1"], waybills=numbers)] == [
        OURS
    ]
    assert {i.waybill_no for i in items_for_waybills(user=staff["agent1"], waybills=numbers)} == {
        OURS,
        THEIRS,
        HUB_ONLY,
    }


def test_handlers_do_not_see_kpis_or_imports(client_for, parcels) -> None:
    branch1 = client_for("branch1")
    assert branch1.get("/tracking/kpi/").status_code == 403
    assert branch1.get("/tracking/imports/").status_code == 403
