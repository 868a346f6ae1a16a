"""The fast path of background exports (`CsvSink.rows`, `XlsxSink.rows`: cells dispatched
on their exact type, local times without a naive copy, chunks to `writerows`) writes
cell for cell what the general path writes, and a work-order export made by it reads
back as the expected rows: masked callers, Chinese labels, local times, defused
formula-like text."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone as dj_timezone
from openpyxl import load_workbook

from postdesk.core.exports import CsvSink, XlsxSink, _csv_cell

SHANGHAI = ZoneInfo("Asia/Shanghai")

#: every kind of cell a list gives, and the odd ones the fast path hands to the general one
CELLS = [
    "普通文本",
    '=HYPERLINK("http://x","点我")',
    "+86 138",
    "-2",
    "@SUM(A1)",
    "\t=1",
    "a=b",
    "",
    None,
    True,
    False,
    7,
    61.5,
    Decimal("2.50"),
    datetime(2026, 11, 3, 1, 2, 3, 456789, tzinfo=UTC),  # 09:02:03.456789 in Shanghai
    datetime(2026, 11, 3, 17, 30, tzinfo=UTC),  # the next local day
    datetime(2026, 11, 3, 9, 0, tzinfo=timezone(timedelta(hours=-5))),  # another zone
    datetime(2026, 11, 3, 9, 0, tzinfo=SHANGHAI),
    datetime(1900, 1, 1, 12, 0, tzinfo=UTC),  # before Excel's 1900 leap day: general path
    datetime(1988, 7, 1, 12, 0, tzinfo=UTC),  # Shanghai in daylight saving time (+09:00)
    datetime(2026, 11, 3, 9, 0),  # naive
    date(2026, 11, 3),
]
CSV_CELLS = [
    "普通文本",
    '\'=HYPERLINK("http://x","点我")',
    "'+86 138",
    "'-2",
    "'@SUM(A1)",
    "'\t=1",
    "a=b",
    "",
    "",
    "1",
    "0",
    "7",
    "61.5",
    "2.50",
    "2026-11-03 09:02:03",
    "2026-11-04 01:30:00",
    "2026-11-03 22:00:00",
    "2026-11-03 09:00:00",
    "1900-01-01 20:05:43",  # Shanghai's local mean time then (+08:05:43)
    "1988-07-01 21:00:00",
    "2026-11-03 09:00:00",
    "2026-11-03",
]


@pytest.fixture(autouse=True)
def _shanghai(settings):
    settings.TIME_ZONE = "Asia/Shanghai"
    with dj_timezone.override("Asia/Shanghai"):
        yield


def test_csv_fast_path_writes_what_the_general_path_writes(tmp_path):
    sink = CsvSink(str(tmp_path / "a.csv"))
    sink.header(["列", "=列"])
    assert sink.rows([CELLS, list(reversed(CELLS))] * 1500) == 3000  # several chunks
    sink.row(CELLS)
    sink.close()
    text = (tmp_path / "a.csv").read_text(encoding="utf-8-sig")
    header, *rows = list(csv.reader(io.StringIO(text)))
    assert header == ["列", "'=列"]
    assert len(rows) == 3001
    assert rows[0] == rows[3000] == CSV_CELLS
    assert rows[1] == list(reversed(CSV_CELLS))
    assert [str(_csv_cell(value)) if value is not None else "" for value in CELLS] == CSV_CELLS


def _sheet_xml(path) -> str:
    with zipfile.ZipFile(path) as book:
        return book.read("xl/worksheets/sheet1.xml").decode()


def test_xlsx_fast_path_writes_the_general_paths_cells_exactly(tmp_path):
    rows = [CELLS, list(reversed(CELLS)), CELLS[::3]]
    fast = XlsxSink(str(tmp_path / "fast.xlsx"), sheet="工单")
    fast.header(["列"] * len(CELLS))
    assert fast.rows(rows) == 3
    fast.close()
    general = XlsxSink(str(tmp_path / "general.xlsx"), sheet="工单")
    general.header(["列"] * len(CELLS))
    for r, values in enumerate(rows, start=1):
        for col, value in enumerate(values):
            general._cell(r, col, value)
    general.close()
    # the same XML, cell for cell: values, Excel serial numbers, styles
    assert _sheet_xml(tmp_path / "fast.xlsx") == _sheet_xml(tmp_path / "general.xlsx")

    book = load_workbook(tmp_path / "fast.xlsx")
    [cells] = list(book.active.iter_rows(min_row=2, max_row=2))
    values = [cell.value for cell in cells]
    assert values[:8] == [
        "普通文本", '=HYPERLINK("http://x","点我")', "+86 138", "-2", "@SUM(A1)", "\t=1",
        "a=b", None,
    ]  # fmt: skip
    assert [cell.quotePrefix for cell in cells[:7]] == [False, True, True, True, True, True, False]
    assert all(cell.data_type == "s" for cell in cells[:7])  # text, never a formula
    assert values[8:14] == [None, True, False, 7, 61.5, 2.5]
    assert abs(values[14] - datetime(2026, 11, 3, 9, 2, 3, 456789)) < timedelta(milliseconds=1)
    assert values[15:18] == [
        datetime(2026, 11, 4, 1, 30), datetime(2026, 11, 3, 22, 0), datetime(2026, 11, 3, 9, 0),
    ]  # fmt: skip
    assert values[19] == datetime(1988, 7, 1, 21, 0)
    assert values[20:] == [datetime(2026, 11, 3, 9, 0), datetime(2026, 11, 3)]
    assert cells[15].number_format == "yyyy-mm-dd hh:mm:ss"
    assert cells[21].number_format == "yyyy-mm-dd"


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_masked_work_order_export_reads_back_as_the_expected_rows(
    fmt, staff, api_for, settings, tmp_path, django_capture_on_commit_callbacks
):
    from postdesk.core.tests.test_background_exports import read_back
    from postdesk.workorders.models import WorkOrder
    from postdesk.workorders.services import work_order_act, work_order_create

    settings.MEDIA_ROOT = tmp_path
    titles = ["=1+1", "+投诉", "-2", "@SUM(A1)", "包裹五天未到"]
    for title in titles:
        order = work_order_create(
            actor=staff["agent1"], type="complaint", subtype="delay", title=title,
            caller_phone="13812345678", caller_name="王小明", waybill_no="EA473124829CN",
        )  # fmt: skip
        work_order_act(
            actor=staff["agent1"], order=order, action="dispatch", payload={"unit": "WZ-LC01"}
        )
    client = api_for("branch1")  # a unit's handler: complaint callers masked
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(
            "/api/v1/exports/",
            {"list": "work_orders", "filters": {}, "format": fmt},
            content_type="application/json",
        )
    state = client.get(f"/api/v1/exports/{r.json()['id']}").json()
    assert state["status"] == "done" and state["rows"] == len(titles)
    body = b"".join(client.get(state["download"]).streaming_content)
    header, *rows = read_back(body, fmt)
    assert header == [
        "工单号", "类型", "子类", "优先级", "状态", "标题", "承办单位", "时限", "超时", "来电人",
        "来电号码", "邮件号", "建档时间", "办结时间",
    ]  # fmt: skip

    def local(at):
        naive = dj_timezone.localtime(at).replace(tzinfo=None)
        return naive.strftime("%Y-%m-%d %H:%M:%S") if fmt == "csv" else naive

    expected = []
    for order in WorkOrder.objects.select_related("handling_unit").order_by("-id"):
        title = ("'" + order.title) if fmt == "csv" and order.title[0] in "=+-@" else order.title
        expected.append([
            order.number, "投诉", "delay", "普通", "已派单", title, order.handling_unit.name,
            local(order.due_at), "0" if fmt == "csv" else False, "王**", "138****5678",
            "EA473124829CN", local(order.created_at), "" if fmt == "csv" else None,
        ])  # fmt: skip
    if fmt == "xlsx":  # Excel keeps milliseconds; compare the times to the millisecond
        for got, want in zip(rows, expected, strict=True):
            for col in (7, 12):
                assert abs(got[col] - want[col]) < timedelta(milliseconds=1)
                got[col] = want[col]
    assert rows == expected


@pytest.mark.django_db
def test_stream_values_reads_what_values_list_reads(staff):
    """On PostgreSQL through psycopg's own cursor and loader, elsewhere `iterator()`: the
    same tuples either way (the same instants, aware), and nothing for an empty filter."""
    from postdesk.core.exportlists import stream_values
    from postdesk.workorders import exports
    from postdesk.workorders.models import WorkOrder
    from postdesk.workorders.services import work_order_create

    for n in range(5):
        work_order_create(
            actor=staff["agent1"], type="consultation", title=f"第{n}条", caller_phone="13812345678"
        )
    orders = WorkOrder.objects.order_by("-id")
    streamed = list(stream_values(orders, exports.FIELDS, chunk=2))
    assert streamed == list(orders.values_list(*exports.FIELDS)) and len(streamed) == 5
    assert all(row[11].utcoffset() is not None for row in streamed)
    assert list(stream_values(orders.filter(pk__in=[]), exports.FIELDS)) == []
