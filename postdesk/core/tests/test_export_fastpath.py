"""The fast path of background exports (`CsvSink.write`, `XlsxSink.write`: cells
dispatched on their exact type, chunks to `writerows`, records to rustpy-xlsxwriter)
writes cell for cell what the general path writes, and a work-order export made by it
reads back as the expected rows: masked callers, Chinese labels, local times as dates,
defused formula-like text, numbers as numbers, a frozen bold header."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone as dj_timezone
from openpyxl import load_workbook

from postdesk.core.exports import CsvSink, XlsxSink, _csv_cell, _xlsx_cell

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
    seen: list[int] = []
    assert sink.write([CELLS, list(reversed(CELLS))] * 1500 + [CELLS], seen.append, 1000) == 3001
    sink.close()
    assert seen == [1000, 2000, 3000]  # the progress after every 1,000 rows
    text = (tmp_path / "a.csv").read_text(encoding="utf-8-sig")
    header, *rows = list(csv.reader(io.StringIO(text)))
    assert header == ["列", "'=列"]
    assert len(rows) == 3001
    assert rows[0] == rows[3000] == CSV_CELLS
    assert rows[1] == list(reversed(CSV_CELLS))
    assert [str(_csv_cell(value)) if value is not None else "" for value in CELLS] == CSV_CELLS


#: what `CELLS` read back as from the workbook (openpyxl): text as text, local times as
#: Excel dates to the second, a date as a date-time, numbers as numbers
XLSX_CELLS = [
    "普通文本",
    '=HYPERLINK("http://x","点我")',
    "+86 138",
    "-2",
    "@SUM(A1)",
    "\t=1",
    "a=b",
    None,
    None,
    True,
    False,
    7,
    61.5,
    2.5,
    datetime(2026, 11, 3, 9, 2, 3),
    datetime(2026, 11, 4, 1, 30),
    datetime(2026, 11, 3, 22, 0),
    datetime(2026, 11, 3, 9, 0),
    datetime(1900, 1, 1, 20, 5, 43),
    datetime(1988, 7, 1, 21, 0),
    datetime(2026, 11, 3, 9, 0),
    datetime(2026, 11, 3, 0, 0),
]


def test_the_xlsx_sink_writes_every_kind_of_cell_as_expected(tmp_path):
    """Cell by cell through rustpy-xlsxwriter, read back by openpyxl: text cells (never a
    formula), numbers, local times as Excel dates with the date-time format; a bold
    frozen header with widths; the progress; what Excel cannot hold made to fit."""
    odd = [datetime(1899, 12, 30, 12, 0, tzinfo=UTC), "长" * 40000, object]
    rows = [CELLS + odd, list(reversed(CELLS)) + odd] * 6
    sink = XlsxSink(str(tmp_path / "a.xlsx"), sheet="工单" * 20)
    sink.header(["列"] * (len(CELLS) + 2) + ["编号"])
    seen: list[int] = []
    assert sink.write(iter(rows), seen.append, 5) == 12
    sink.close()
    assert seen == [5, 10]

    sheet = load_workbook(tmp_path / "a.xlsx").active
    assert sheet.title == ("工单" * 20)[:31]
    assert sheet.freeze_panes == "A2"
    header, first, second, *_rest = list(sheet.iter_rows())
    assert [cell.value for cell in header] == ["列", *[f"列 ({n})" for n in range(2, 25)], "编号"]
    assert all(cell.font.b for cell in header)
    assert sheet.column_dimensions["A"].width > 10 and sheet.column_dimensions["Y"].width > 10
    values = [cell.value for cell in first]
    assert values[: len(CELLS)] == XLSX_CELLS
    assert [cell.value for cell in second][: len(CELLS)] == list(reversed(XLSX_CELLS))
    assert all(cell.data_type == "s" for cell in first[:7])  # text, never a formula
    assert first[11].data_type == first[12].data_type == "n"
    assert first[9].data_type == "b"
    assert {first[i].number_format for i in range(14, 22)} == {"yyyy-mm-dd hh:mm:ss"}
    assert values[len(CELLS) :] == ["1899-12-30 20:05:43", "长" * 32767, str(object)]
    assert _general_cells(CELLS) == [  # the general path gives what the fast path gives
        None if v == "" else v for v in (_xlsx_cell(c) if c is not None else None for c in CELLS)
    ]


def _general_cells(cells):
    from postdesk.core.exports import _local

    out = []
    for value in cells:
        if type(value) is datetime and value.utcoffset() is not None:
            out.append(_local(value))
        elif isinstance(value, Decimal):
            out.append(float(value))
        else:
            out.append(None if value == "" else value)
    return out


def test_an_xlsx_export_of_no_rows_has_its_header(tmp_path):
    sink = XlsxSink(str(tmp_path / "a.xlsx"))
    sink.header(["工单号", "标题"])
    sink.close()
    sheet = load_workbook(tmp_path / "a.xlsx").active
    assert [[cell.value for cell in row] for row in sheet.iter_rows()] == [["工单号", "标题"]]
    assert sheet.freeze_panes == "A2"


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
    if fmt == "xlsx":  # the workbook keeps whole seconds
        for got, want in zip(rows, expected, strict=True):
            for col in (7, 12):
                assert abs(got[col] - want[col]) < timedelta(seconds=1)
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
