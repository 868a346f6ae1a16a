"""One test per page and endpoint (and their errors). The browser journey of result
entry is in ``test_browser.py``."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from postdesk.tracking.models import Event, ImportRun
from postdesk.tracking.services import tracking_import
from postdesk.tracking.tests import kpi_fixtures as fx

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def loaded(tmp_path: Path) -> None:
    path = tmp_path / "all.csv"
    path.write_text(fx.csv_text(fx.ALL), encoding="utf-8")
    tracking_import(path=path)


def test_report_api(api_for, loaded) -> None:
    api = api_for("director1")
    r = api.get("/api/v1/reports/delivery", {"month": "2024-03", "as_of": fx.AS_OF})
    assert r.status_code == 200, r.content
    doc = r.json()
    assert doc["daily"] == fx.EXPECTED_DAILY and doc["centre"]["attempts"] == 10
    bad = api.get("/api/v1/reports/delivery", {"month": "2024-13"})
    assert bad.status_code == 400 and "month" in bad.json()["fields"]
    bad = api.get("/api/v1/reports/delivery", {"month": "2024-03", "as_of": "soon"})
    assert bad.status_code == 400 and "as_of" in bad.json()["fields"]


def test_report_api_needs_a_token(client, loaded) -> None:
    assert client.get("/api/v1/reports/delivery?month=2024-03").status_code == 401


def test_branch_handler_sees_only_its_offices(api_for, loaded) -> None:
    doc = api_for("branch1").get("/api/v1/reports/delivery", {"month": "2024-03"})
    assert doc.status_code in (200, 403)
    if doc.status_code == 200:
        assert doc.json()["offices"] == {}


def test_parcel_api(api_for, loaded) -> None:
    api = api_for("agent1")
    r = api.get("/api/v1/tracking/items/ea473124829cn")
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "DELIVERED" and len(body["events"]) == 4 and len(body["attempts"]) == 2
    assert api.get("/api/v1/tracking/items/EA000000000CN").status_code == 404


def test_result_api(api_for, loaded) -> None:
    api = api_for("agent1")
    r = api.post(
        "/api/v1/tracking/results",
        {"waybill_no": "9700000000007", "result": "failed", "reason": "收件人不在"},
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    assert Event.objects.filter(waybill_no="9700000000007", event_code="DELIVERY_FAILED").exists()
    bad = api.post(
        "/api/v1/tracking/results",
        {"waybill_no": "9700000000007", "result": "failed"},
        content_type="application/json",
    )
    assert bad.status_code == 400 and "reason" in bad.json()["fields"]


def test_import_upload_api_runs_in_background(api_for) -> None:
    api = api_for("lead1")
    upload = SimpleUploadedFile("e.csv", fx.csv_text([*fx.REDELIVERY, "bad,x,y,z,,,,,,"]).encode())
    r = api.post("/api/v1/tracking/imports", {"file": upload})
    assert r.status_code == 202, r.content
    run_id = r.json()["id"]
    status = api.get(f"/api/v1/tracking/imports/{run_id}").json()  # sync mode in tests
    assert status["status"] == "done" and status["created"] == 4 and status["rejected"] == 1
    csv_text = api.get(f"/api/v1/tracking/imports/{run_id}/rejected.csv").content.decode()
    assert "bad,x,y,z" in csv_text
    assert api_for("agent1").post("/api/v1/tracking/imports", {"file": upload}).status_code == 403


def test_pages(client_for, loaded) -> None:
    lead = client_for("lead1")
    assert "EA473124829CN" in lead.get("/tracking/?q=EA473124829CN").content.decode()
    assert lead.get("/tracking/?q=EA000000000CN").status_code == 404
    page = lead.get("/tracking/kpi/?month=2024-03&as_of=2024-03-31T12:00:00%2B08:00")
    assert page.status_code == 200 and "325000" in page.content.decode()
    assert lead.get("/tracking/kpi/325000/?month=2024-03").status_code == 200
    drill = lead.get("/tracking/kpi/325000/attempts/?day=2024-03-11&which=not_online")
    assert "9700000000007" in drill.content.decode()
    assert lead.get("/tracking/chase/").status_code == 200
    assert "9700000000007" in lead.get("/tracking/stale/").content.decode()
    assert lead.get("/tracking/imports/").status_code == 200
    assert client_for("agent1").get("/tracking/kpi/").status_code == 403


def test_result_entry_page(client_for, loaded) -> None:
    agent = client_for("agent1")
    blank = agent.get("/tracking/results/").content.decode()
    assert 'type="radio"' in blank and "checked" not in blank  # nothing preselected
    before = Event.objects.filter(waybill_no="9700000000007").count()
    r = agent.post("/tracking/results/", {"waybill_no": "9700000000007"})
    assert (
        r.status_code == 200 and Event.objects.filter(waybill_no="9700000000007").count() == before
    )
    r = agent.post(
        "/tracking/results/",
        {"waybill_no": "9700000000007", "result": "delivered", "signer": "本人"},
    )
    assert r.status_code == 302
    r = agent.post("/tracking/results/", {"waybill_no": "9700000000007", "result": "failed"})
    assert (
        r.status_code == 200
        and Event.objects.filter(event_code="DELIVERY_FAILED", waybill_no="9700000000007").count()
        == 0
    )


def test_import_page_and_progress(client_for) -> None:
    lead = client_for("lead1")
    upload = SimpleUploadedFile("e.csv", fx.csv_text(fx.RESULT_ONLY).encode())
    r = lead.post("/tracking/imports/", {"file": upload})
    assert r.status_code == 302
    run = ImportRun.objects.get()
    detail = lead.get(f"/tracking/imports/{run.pk}/")
    assert detail.status_code == 200 and "import-progress" in detail.content.decode()
    partial = lead.get(f"/tracking/imports/{run.pk}/", HTTP_HX_REQUEST="true")
    assert "<html" not in partial.content.decode()


def test_report_rows_api(api_for, loaded) -> None:
    api = api_for("lead1")
    rows = api.get(
        "/api/v1/reports/delivery/rows", {"month": "2024-03", "as_of": fx.AS_OF, "by": "office"}
    ).json()
    assert [r["key"] for r in rows] == ["325100", "325000"]  # both short; lower timely first
    assert rows[1]["attempts"] == 7 and rows[1]["short"]
    by_operator = api.get(
        "/api/v1/reports/delivery/rows", {"month": "2024-03", "as_of": fx.AS_OF, "by": "operator"}
    ).json()
    assert {r["key"] for r in by_operator} == {"c1", "c2", "c3", "c4", "c5", "c6", "c7"}
