"""Background exports (issue 17) through the API: each list with a filter, read back cell
by cell (openpyxl for XLSX, the csv module for CSV); formula neutralisation; the owner's
scope; another user's export is 404; bad list, format or filter is 400 and queues
nothing; the access log; expiry. The job runs in the test (BACKGROUND_MODE "sync", after
commit); `test_exports_worker.py` runs it in a real Celery worker on PostgreSQL."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import datetime, timedelta

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from postdesk.core.export_jobs import exports_expire
from postdesk.core.models import AccessLogEntry, Export

pytestmark = pytest.mark.django_db

EVIL = '=HYPERLINK("http://x","点我")'


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def export(django_capture_on_commit_callbacks):
    """export(client, list, filters, fmt) -> (status JSON, rows read back as lists)."""

    def run(client, list_key: str, filters: dict, fmt: str = "xlsx"):
        with django_capture_on_commit_callbacks(execute=True):
            r = client.post(
                "/api/v1/exports/",
                {"list": list_key, "filters": filters, "format": fmt},
                content_type="application/json",
            )
        assert r.status_code == 202, r.content
        state = client.get(f"/api/v1/exports/{r.json()['id']}").json()
        assert state["status"] == "done", state
        download = client.get(state["download"])
        assert download.status_code == 200
        body = b"".join(download.streaming_content)
        return state, read_back(body, fmt)

    return run


def read_back(body: bytes, fmt: str) -> list[list]:
    if fmt == "csv":
        assert body.startswith(b"\xef\xbb\xbf")  # Excel reads it as UTF-8
        return [row for row in csv.reader(io.StringIO(body.decode("utf-8-sig")))]
    book = load_workbook(io.BytesIO(body), read_only=True)
    [sheet] = book.worksheets
    return [[cell for cell in row] for row in sheet.iter_rows(values_only=True)]


def _orders(staff):
    from postdesk.workorders.services import work_order_act, work_order_create

    def make(title: str, unit: str, type_: str = "complaint", **fields):
        order = work_order_create(
            actor=staff["agent1"],
            type=type_,
            subtype="delay" if type_ == "complaint" else "",
            title=title,
            caller_phone="13812345678",
            caller_name="王小明",
            **fields,
        )
        if type_ != "complaint":
            return order
        return work_order_act(
            actor=staff["agent1"], order=order, action="dispatch", payload={"unit": unit}
        )

    return make


def test_work_orders_filtered_read_back_cell_by_cell(staff, api_for, export):
    make = _orders(staff)
    first = make(EVIL, "WZ-LC01")
    make("龙湾的投诉", "WZ-LW01")
    make("一条咨询", "WZ-LC01", type_="consultation")
    state, rows = export(api_for("lead1"), "work_orders", {"type": "complaint", "unit": "WZ-LC01"})
    assert state["rows"] == 1 and state["progress"] == 1.0
    header, *body = rows
    assert header[:7] == ["工单号", "类型", "子类", "优先级", "状态", "标题", "承办单位"]
    [row] = body
    first.refresh_from_db()
    assert row[0] == first.number
    assert row[1] == "投诉" and row[2] == "delay"
    assert row[5] == EVIL  # text, not a formula: read back exactly as written
    assert row[6] == first.handling_unit.name
    assert isinstance(row[7], datetime)  # a real Excel date
    assert row[8] is False
    assert (row[9], row[10]) == ("王小明", "13812345678")  # a team lead sees callers in full
    created = timezone.localtime(first.created_at).replace(tzinfo=None)
    assert abs(row[12] - created) < timedelta(seconds=1)  # the workbook keeps whole seconds


def test_xlsx_formula_cells_are_text_cells(staff, api_for, export, settings):
    """rustpy-xlsxwriter writes every string as a text cell, never a formula; it has no
    per-cell quote prefix (formats go by column), so none is asked of it."""
    _orders(staff)(EVIL, "WZ-LC01")
    client = api_for("lead1")
    with_state, _rows = export(client, "work_orders", {})
    path = Export.objects.get(pk=with_state["id"]).path
    book = load_workbook(path)  # not read-only: the cell's style is there
    cell = book.active["F2"]
    assert cell.value == EVIL and cell.data_type == "s"
    with zipfile.ZipFile(path) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet and "HYPERLINK" in sheet  # no formula anywhere


def test_csv_neutralises_formula_like_cells(staff, api_for, export):
    make = _orders(staff)
    for title in (EVIL, "+1+1", "-2", "@SUM(A1)", "普通标题"):
        make(title, "WZ-LC01")
    _state, rows = export(api_for("lead1"), "work_orders", {}, fmt="csv")
    titles = sorted(row[5] for row in rows[1:])
    assert titles == sorted(["'" + EVIL, "'+1+1", "'-2", "'@SUM(A1)", "普通标题"])


def test_a_handlers_export_holds_only_their_units_orders(staff, api_for, export):
    make = _orders(staff)
    mine = make("鹿城的", "WZ-LC01")
    make("龙湾的", "WZ-LW01")
    _state, rows = export(api_for("branch1"), "work_orders", {}, fmt="csv")
    assert [row[0] for row in rows[1:]] == [mine.number]
    # a complaint's caller stays masked to the units, as on their pages
    assert rows[1][9] != "王小明" and "5678" in rows[1][10] and "1234" not in rows[1][10]


def test_customers_export_is_logged_and_the_page_export_shares_its_columns(
    staff, api_for, client_for, export
):
    from postdesk.customers.services import customer_create

    customer = customer_create(actor=staff["admin"], name="李=四", phones=["13955550000"])
    customer_create(actor=staff["admin"], name="王五", phones=["13955550001"])
    state, rows = export(api_for("agent1"), "customers", {"q": "李"}, fmt="csv")
    assert rows == [
        ["编号", "姓名", "电话", "地址", "电子邮箱", "合同编号"],
        [str(customer.pk), "李=四", "13955550000", "", "", ""],
    ]
    [entry] = AccessLogEntry.objects.filter(subject_type="customer", what="export")
    assert entry.subject_id == f"export:{state['id']}" and "customers" in entry.detail
    page = client_for("agent1").post("/customers/export.csv", {"q": "李"})
    page_rows = list(csv.reader(io.StringIO(b"".join(page.streaming_content).decode("utf-8-sig"))))
    assert page_rows[0] == rows[0]  # one definition of the columns


def test_a_director_may_not_export_customers(api_for):
    r = api_for("director1").post(
        "/api/v1/exports/", {"list": "customers", "format": "csv"}, content_type="application/json"
    )
    assert r.status_code == 403 and not Export.objects.exists()


def test_calls_of_a_day_and_direction(staff, api_for, export):
    from postdesk.calls.models import Call

    at = timezone.make_aware(datetime(2026, 11, 3, 9, 30))
    Call.objects.create(
        call_id="c1", direction="in", from_number="13812345678", to_number="11185",
        started_at=at, talk_seconds=61.5, outcome="answered", agent=staff["agent1"],
        unit=staff["agent1"].unit, queue="general", agent_extension="8001",
    )  # fmt: skip
    Call.objects.create(
        call_id="c2", direction="out", from_number="11185", to_number="13812345678",
        started_at=at, outcome="answered", agent=staff["agent1"], unit=staff["agent1"].unit,
    )  # fmt: skip
    Call.objects.create(call_id="c3", direction="in", started_at=at - timedelta(days=1))
    _state, rows = export(api_for("lead1"), "calls", {"day": "2026-11-03", "direction": "in"})
    assert rows[0][:4] == ["开始时间", "方向", "主叫号码", "被叫号码"]
    [row] = rows[1:]
    assert row[0] == datetime(2026, 11, 3, 9, 30)
    assert row[1:7] == ["呼入", "13812345678", "11185", "general", "王晓燕", "8001"]
    assert row[8] == 61.5 and row[11] == "已接听"
    assert AccessLogEntry.objects.filter(subject_type="call", what="export").count() == 1


def test_notices_filtered_by_kind_masked_for_a_director(staff, api_for, export):
    from postdesk.notices.services import notice_issue

    def issue(kind: str):
        return notice_issue(
            actor=staff["agent1"], kind=kind, unit="WZ-LC01",
            waybill_no="EA473124829CN" if kind != "pickup" else "", phone="13812345678",
            name="张三", address="鹿城区五马街88号3单元", text="@客户要求明天上午再投",
        )  # fmt: skip

    notice = issue("redelivery")
    issue("pickup")
    _state, rows = export(api_for("lead1"), "notices", {"kind": "redelivery"}, fmt="csv")
    [row] = rows[1:]
    assert row[0] == notice.number and row[1] == "再投"
    assert row[5:8] == ["张三", "13812345678", "鹿城区五马街88号3单元"]
    assert row[13] == "'@客户要求明天上午再投"
    _state, rows = export(api_for("director1"), "notices", {"kind": "redelivery"}, fmt="csv")
    assert rows[1][5] != "张三" and "1234" not in rows[1][6]
    # the lead's full export is logged; the director's masked one is not
    assert AccessLogEntry.objects.filter(subject_type="notice", what="export").count() == 1


def test_tracking_results_of_an_office_and_which(staff, api_for, export):
    from postdesk.tracking.models import Attempt

    at = timezone.make_aware(datetime(2026, 11, 3, 10, 0))
    Attempt.objects.create(
        waybill_no="EA000000001CN", office_code="325000", day=at.date(), result_code="DELIVERED",
        result_time=at, result_recorded_at=at + timedelta(minutes=5), deadline=at,
    )  # fmt: skip
    Attempt.objects.create(
        waybill_no="EA000000002CN", office_code="325000", day=at.date(), ofd_time=at,
        ofd_operator="-赵师傅",
    )  # fmt: skip
    Attempt.objects.create(waybill_no="EA000000003CN", office_code="325100", day=at.date())
    filters = {"office": "325000", "day": "2026-11-03", "which": "not_online"}
    _state, rows = export(api_for("director1"), "tracking_results", filters)
    assert rows[1:] == [
        ["EA000000002CN", "325000", datetime(2026, 11, 3), datetime(2026, 11, 3, 10, 0),
         "-赵师傅", None, None, None, None, None, None],
    ]  # fmt: skip
    assert not AccessLogEntry.objects.filter(what="export").exists()


def test_access_log_is_for_administrators_and_auditors_only(staff, api_for, export):
    from postdesk.core.services import access_log_record

    access_log_record(
        actor=staff["lead1"], subject_type="customer", what="view", subjects=[("7", "王*")]
    )
    access_log_record(
        actor=staff["agent1"], subject_type="customer", what="view", subjects=[("8", "李*")]
    )
    r = api_for("lead1").post(
        "/api/v1/exports/", {"list": "access_log", "format": "csv"}, content_type="application/json"
    )
    assert r.status_code == 403
    _state, rows = export(api_for("admin"), "access_log", {"user": "lead1"}, fmt="csv")
    assert [row[1:6] for row in rows[1:]] == [["lead1", "完整查看", "customer", "7", "王*"]]
    _state, rows = export(api_for("auditor1"), "access_log", {"what": "view"}, fmt="csv")
    assert sorted(row[1] for row in rows[1:]) == ["agent1", "lead1"]


def test_another_users_export_and_its_file_are_404(staff, api_for, export):
    _orders(staff)("一条", "WZ-LC01")
    state, _rows = export(api_for("lead1"), "work_orders", {})
    other = api_for("lead2")
    assert other.get(f"/api/v1/exports/{state['id']}").status_code == 404
    assert other.get(state["download"]).status_code == 404
    assert other.get("/api/v1/exports/").json() == {"results": []}
    assert api_for("lead1").get("/api/v1/exports/").json()["results"][0]["id"] == state["id"]


@pytest.mark.parametrize(
    "body, field",
    [
        ({"list": "parcels", "format": "csv"}, "list"),
        ({"list": "work_orders", "format": "pdf"}, "format"),
        ({"list": "work_orders", "format": "csv", "filters": {"colour": "red"}}, "colour"),
        ({"list": "work_orders", "format": "csv", "filters": {"type": "nonsense"}}, "type"),
        ({"list": "work_orders", "format": "csv", "filters": {"created_from": "2026-13-01"}},
         "created_from"),
        ({"list": "calls", "format": "csv", "filters": {"day": "yesterday"}}, "day"),
        ({"list": "calls", "format": "csv", "filters": {"direction": "sideways"}}, "direction"),
        ({"list": "notices", "format": "csv", "filters": {"status": "lost"}}, "status"),
        ({"list": "tracking_results", "format": "csv", "filters": {"which": "late"}}, "which"),
        ({"list": "customers", "format": "csv", "filters": {"q": ["a"]}}, "q"),
        ({"list": "access_log", "format": "csv", "filters": {"from": "2026-02-30"}}, "from"),
    ],
)  # fmt: skip
def test_bad_list_format_or_filter_is_400_and_queues_nothing(
    body, field, api_for, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        r = api_for("admin").post("/api/v1/exports/", body, content_type="application/json")
    assert r.status_code == 400, r.content
    assert field in r.json()["fields"]
    assert not callbacks and not Export.objects.exists()


def test_progress_is_written_every_n_rows(staff, api_for, export, settings, monkeypatch):
    from postdesk.core import export_jobs

    monkeypatch.setattr(export_jobs, "PROGRESS_EVERY", 2)
    make = _orders(staff)
    for n in range(5):
        make(f"第{n}条", "WZ-LC01")
    state, rows = export(api_for("lead1"), "work_orders", {})
    assert state["rows"] == 5 and len(rows) == 6 and state["total"] == 5


def test_files_are_deleted_after_seven_days(staff, api_for, export):
    from pathlib import Path

    _orders(staff)("一条", "WZ-LC01")
    client = api_for("lead1")
    state, _rows = export(client, "work_orders", {})
    made = Export.objects.get(pk=state["id"])
    assert made.expires_at - made.finished_at == timedelta(days=7)
    assert exports_expire(now=made.finished_at + timedelta(days=6)) == 0
    assert Path(made.path).is_file()
    assert exports_expire(now=made.finished_at + timedelta(days=7, seconds=1)) == 1
    assert not Path(made.path).exists()
    assert client.get(f"/api/v1/exports/{made.pk}").json()["status"] == "expired"
    assert client.get(state["download"]).status_code == 404
    assert exports_expire(now=made.finished_at + timedelta(days=8)) == 0  # idempotent


def test_the_list_page_starts_an_export_and_my_exports_shows_it(
    staff, client_for, django_capture_on_commit_callbacks
):
    make = _orders(staff)
    make("鹿城的", "WZ-LC01")
    make("龙湾的", "WZ-LW01")
    lead = client_for("lead1")
    page = lead.get("/workorders/?unit=WZ-LC01").content.decode()
    assert 'name="list" value="work_orders"' in page and 'name="unit" value="WZ-LC01"' in page
    with django_capture_on_commit_callbacks(execute=True):
        r = lead.post("/exports/start", {"list": "work_orders", "format": "csv", "unit": "WZ-LC01"})
    assert r.status_code == 302 and r["Location"] == "/exports/"
    made = Export.objects.get()
    assert (made.filters, made.status, made.rows) == ({"unit": "WZ-LC01"}, "done", 1)
    html = lead.get("/exports/").content.decode()
    assert "我的导出" in html and "工单" in html and "已完成" in html
    assert f"/api/v1/exports/{made.pk}/download" in html
    assert "保留 7 天" in html
    # a bad filter from a page: nothing queued, the reason shown
    r = lead.post("/exports/start", {"list": "work_orders", "format": "csv", "type": "x"})
    assert r.status_code == 302 and Export.objects.count() == 1
    assert client_for("lead2").get("/exports/").content.decode().count("/download") == 0
