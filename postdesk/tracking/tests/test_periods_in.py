"""Months, days and as-of times as the tracking app's API, pages and command take them:
one parser (`core.periods`), so a month off the calendar (9999-12 has no following month,
there is no year 0) is a 400 naming the field everywhere, never a 500 (issue 11)."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from postdesk.tracking.services import tracking_import
from postdesk.tracking.tests import kpi_fixtures as fx

pytestmark = pytest.mark.django_db

BAD_MONTHS = ["9999-12", "0000-01", "0001-01", "2024-13", "2024-00", "2024-3", "三月", "2024-03-01"]


@pytest.mark.parametrize("month", BAD_MONTHS)
@pytest.mark.parametrize("path", ["/api/v1/reports/delivery", "/api/v1/reports/delivery/rows"])
def test_the_api_answers_400_naming_the_month(api_for, path, month):
    response = api_for("director1").get(path, {"month": month})
    assert response.status_code == 400, response.content
    assert response.json()["fields"].keys() == {"month"}


@pytest.mark.parametrize("path", ["/api/v1/reports/delivery", "/api/v1/reports/delivery/rows"])
def test_the_api_needs_a_month_and_a_valid_as_of(api_for, path):
    api = api_for("director1")
    assert api.get(path).json()["fields"].keys() == {"month"}
    for as_of in ("soon", "9999-12-31T23:59:59-12:00", "0001-01-01T00:00:00+14:00"):
        response = api.get(path, {"month": "2024-03", "as_of": as_of})
        assert response.status_code == 400 and response.json()["fields"].keys() == {"as_of"}


@pytest.mark.parametrize("month", ["1900-01", "9998-12"])
def test_the_calendars_first_and_last_months_are_months_like_any_other(api_for, client_for, month):
    api = api_for("director1")
    assert api.get("/api/v1/reports/delivery", {"month": month}).json()["month"] == month
    assert api.get("/api/v1/reports/delivery/rows", {"month": month}).status_code == 200
    page = client_for("lead1")
    assert page.get("/tracking/kpi/", {"month": month}).status_code == 200
    assert page.get("/tracking/kpi/325000/", {"month": month}).status_code == 200
    assert page.get("/tracking/kpi/325000/attempts/", {"month": month}).status_code == 200


@pytest.mark.parametrize("month", BAD_MONTHS)
@pytest.mark.parametrize(
    "path", ["/tracking/kpi/", "/tracking/kpi/325000/", "/tracking/kpi/325000/attempts/"]
)
def test_the_pages_answer_400_for_a_bad_month(client_for, path, month):
    response = client_for("lead1").get(path, {"month": month})
    assert response.status_code == 400


@pytest.mark.django_db(transaction=True)
def test_the_pages_check_the_day_and_the_as_of_too(client_for, tmp_path):
    path = tmp_path / "all.csv"
    path.write_text(fx.csv_text(fx.ALL), encoding="utf-8")
    tracking_import(path=path)
    lead = client_for("lead1")
    attempts = "/tracking/kpi/325000/attempts/"
    assert lead.get(attempts, {"day": "2024-02-30"}).status_code == 400
    assert lead.get(attempts, {"day": "9999-12-31"}).status_code == 400
    assert lead.get(attempts, {"day": "2024-03-11"}).status_code == 200
    assert lead.get("/tracking/kpi/", {"month": "2024-03", "as_of": "soon"}).status_code == 400
    # the page's own links carry the as-of time URL-encoded (a raw "+08:00" is a space)
    rows = lead.get("/tracking/kpi/", {"month": "2024-03"}).content.decode().split("<tbody>")[1]
    assert "as_of=" in rows and "+08:00" not in rows and "%2B08%3A00" in rows


@pytest.mark.parametrize("month", BAD_MONTHS)
def test_the_command_refuses_a_bad_month_with_a_message(month):
    with pytest.raises(CommandError, match="--month"):
        call_command("delivery_kpi", "--month", month, "--json")


def test_the_command_refuses_a_bad_as_of_and_takes_a_good_one():
    with pytest.raises(CommandError, match="--as-of"):
        call_command("delivery_kpi", "--month", "2024-03", "--as-of", "soon")
    out = io.StringIO()
    call_command(
        "delivery_kpi",
        "--month",
        "9998-12",
        "--as-of",
        "2024-03-31T12:00:00Z",
        "--json",
        stdout=out,
    )
    assert json.loads(out.getvalue())["month"] == "9998-12"
