"""The month-end report on a hand-made month: each of the four targets counted from the
owning apps' real records, the work-order summary, scope, the page and the Excel file."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from postdesk.core.periods import Month
from postdesk.reports.selectors import month_report, notification_feedback, target_trend
from postdesk.workorders.tests.conftest import act, make_order  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
MONTH = Month.current()


def _target(report, key):
    return next(t for t in report["targets"] if t["key"] == key)


def _import(tmp_path, lines):
    from postdesk.tracking.services import tracking_import

    path = tmp_path / "events.csv"
    header = (
        "waybill_no,event_time,event_code,office_code,office_name,"
        "recorded_at,operator,reason,signer,description\n"
    )
    path.write_text(header + "\n".join(lines) + "\n", encoding="utf-8")
    return tracking_import(path=path)


def four_target_month(make_order, act, tmp_path):  # noqa: F811
    """A month with two of each: delivery attempts (one online in time, one without a
    result), complaints (one replied), pickups dispatched (one fed back)."""
    today = timezone.localdate()
    day = today.isoformat()
    # Delivery: two attempts at WZ-LC01; one result put online in time, one not at all.
    out = f"{day}T00:10:00+08:00"
    delivered = f"{day}T00:20:00+08:00"
    run = _import(
        tmp_path,
        [
            f"EA473124829CN,{out},OUT_FOR_DELIVERY,WZ-LC01,鹿城支局,{out},张三,,,",
            f"EA473124829CN,{delivered},DELIVERED,WZ-LC01,鹿城支局,{delivered},张三,,王五,",
            f"1234567890123,{out},OUT_FOR_DELIVERY,WZ-LC01,鹿城支局,{out},张三,,,",
        ],
    )
    assert run.rejected == 0
    # Complaints: two this month, one replied.
    replied = act(make_order(), "agent1", "dispatch", unit="WZ-LC01")
    replied = act(replied, "branch1", "accept")
    replied = act(replied, "branch1", "feedback", text="已核实", ruling="responsible")
    act(replied, "agent1", "reply", text="您好，您的邮件已找到，明天投递。")
    make_order()
    # Pickups: two dispatched, one fed back.
    fed = act(
        make_order("pickup", title="上门揽收", details={"address": "五马街1号"}),
        "agent1",
        "dispatch",
        unit="WZ-LC01",
    )
    fed = act(fed, "branch1", "accept")
    act(fed, "branch1", "feedback", result="picked_up")
    act(
        make_order("pickup", title="上门揽收", details={"address": "五马街2号"}),
        "agent1",
        "dispatch",
        unit="WZ-LC01",
    )


def test_four_targets_from_real_records(make_order, act, staff, tmp_path):  # noqa: F811
    four_target_month(make_order, act, tmp_path)
    as_of = timezone.now() + timedelta(days=1)  # whatever the hour the test runs at
    report = month_report(user=staff["director1"], month=MONTH, as_of=as_of)

    online = _target(report, "online_rate")
    assert (online["numerator"], online["denominator"], online["met"]) == (1, 2, False)
    assert online["value"] == pytest.approx(0.5)
    assert _target(report, "timely_rate")["numerator"] == 1
    complaints = _target(report, "complaint_reply_rate")
    assert (complaints["numerator"], complaints["denominator"]) == (1, 2)
    feedback = _target(report, "notification_feedback_rate")
    assert (feedback["numerator"], feedback["denominator"], feedback["value"]) == (1, 2, 0.5)
    kinds = {row["type"]: row for row in report["work_orders"]}
    assert kinds["complaint"]["created"] == 2 and kinds["pickup"]["created"] == 2
    assert report["calls"] is not None  # the director sees the month's calls


def test_no_data_is_not_a_rate(staff):
    report = month_report(user=staff["director1"], month=Month(2020, 1), as_of=timezone.now())
    assert all(t["value"] is None and t["met"] is None for t in report["targets"])


def test_a_handler_counts_only_its_units_pickups(make_order, act, staff):  # noqa: F811
    act(
        make_order("pickup", title="揽收", details={"address": "永中街道1号"}),
        "agent1",
        "dispatch",
        unit="WZ-LW01",
    )
    assert notification_feedback(user=staff["director1"], month=MONTH)["dispatched"] == 1
    assert notification_feedback(user=staff["branch1"], month=MONTH)["dispatched"] == 0
    assert notification_feedback(user=staff["branch2"], month=MONTH)["dispatched"] == 1


def test_page_api_and_excel(client_for, api_for):
    director = client_for("director1")
    page = director.get(f"/reports/?month={MONTH}")
    assert page.status_code == 200
    assert "特快专递投递信息上网率" in page.content.decode()
    xlsx = director.get(f"/reports/month.xlsx?month={MONTH}")
    assert xlsx.status_code == 200
    with zipfile.ZipFile(io.BytesIO(xlsx.content)) as book:
        assert "xl/workbook.xml" in book.namelist()
        strings = book.read("xl/sharedStrings.xml").decode()
    assert "服务投诉处理回复率" in strings
    assert director.get("/reports/?month=2026-13").status_code == 400
    assert client_for("agent1").get("/reports/").status_code == 404  # not an agent's page
    body = api_for("director1").get(f"/api/v1/reports/month?month={MONTH}").json()
    assert [t["key"] for t in body["targets"]] == [
        "online_rate",
        "timely_rate",
        "complaint_reply_rate",
        "notification_feedback_rate",
    ]


def test_a_late_result_counts_online_but_not_timely(staff, tmp_path):
    now = timezone.now().astimezone(SH)
    out = (now - timedelta(hours=30)).replace(hour=9, minute=0, second=0, microsecond=0)
    result = out + timedelta(hours=2)
    late = datetime.combine(result.date() + timedelta(days=1), datetime.min.time(), SH)
    _import(
        tmp_path,
        [
            f"EA473124829CN,{out.isoformat()},OUT_FOR_DELIVERY,WZ-LC01,鹿城支局,{out.isoformat()},张三,,,",
            f"EA473124829CN,{result.isoformat()},DELIVERED,WZ-LC01,鹿城支局,{late.isoformat()},张三,,王五,",
        ],
    )
    report = month_report(user=staff["director1"], month=Month.of(out), as_of=timezone.now())
    assert _target(report, "online_rate")["numerator"] == 1
    assert _target(report, "timely_rate")["numerator"] == 0


@pytest.mark.parametrize(
    "month", ["9999-12", "0000-01", "0001-01", "2026-13", "2026-1", "2026-11-05", "十一月", "-1-5"]
)
def test_a_month_outside_the_calendar_is_400_naming_the_field_everywhere(
    month, client_for, api_for
):
    api, page = api_for("director1"), client_for("director1")
    for response in (
        api.get(f"/api/v1/reports/month?month={month}"),
        api.get(f"/api/v1/reports/complaints?month={month}"),
        page.get(f"/reports/?month={month}"),
        page.get(f"/reports/month.xlsx?month={month}"),
        page.get(f"/reports/month.pdf?month={month}"),
        api.get(f"/api/v1/reports/month.pdf?month={month}"),
    ):
        assert response.status_code == 400, (month, response.request["PATH_INFO"])
    assert api.get(f"/api/v1/reports/month?month={month}").json()["fields"].keys() == {"month"}


def test_the_page_shows_the_month_asked_for_and_this_month_without_one(client_for):
    page = client_for("director1")
    assert str(page.get("/reports/?month=2026-01").context["month"]) == "2026-01"
    assert page.get("/reports/").context["month"] == Month.current()


def test_the_trend_stops_at_the_calendars_first_month(staff, client_for):
    trend = target_trend(user=staff["director1"], month=Month(1900, 2), as_of=timezone.now())
    assert trend["months"] == ["1900-01", "1900-02"]
    trend = target_trend(user=staff["director1"], month=Month(2026, 2), as_of=timezone.now())
    assert trend["months"] == ["2025-09", "2025-10", "2025-11", "2025-12", "2026-01", "2026-02"]
    for month in ("1900-01", "9998-12"):  # the calendar's ends are months like any other
        assert client_for("director1").get(f"/reports/?month={month}").status_code == 200


def test_a_month_without_calls_shows_a_dash_not_an_empty_figure(client_for):
    body = client_for("director1").get("/reports/?month=2026-02").content.decode()
    assert "<dt>ASA</dt><dd>—</dd>" in body
    assert "<dt>AHT</dt><dd>—</dd>" in body
    assert " s</dd>" not in body
