"""The month-end workbook read back cell by cell (openpyxl): a sheet per table of the
summary, numbers stored as numbers with their formats, the header frozen, Chinese
columns wide enough, the same figures as the summary and the PDF."""

from __future__ import annotations

import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from postdesk.core.periods import Month
from postdesk.org.models import Unit
from postdesk.reports.excel import display_width, month_report_xlsx
from postdesk.reports.selectors import month_report
from postdesk.reports.tests.test_month_sections import hand_month  # noqa: F401 (fixture)
from postdesk.workorders.tests.conftest import act, make_order  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db
MONTH = Month.current()


def _rows(sheet):
    """The table under the frozen header: {first cell: the row's other cells}."""
    return {row[0]: list(row[1:]) for row in sheet.iter_rows(min_row=5, values_only=True)}


def test_the_workbook_carries_the_hand_built_month(hand_month, client_for, staff):  # noqa: F811
    response = client_for("director1").get(f"/reports/month.xlsx?month={MONTH}")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames[:3] == ["质量目标", "本月工单", "按类型和子类型的工单"]
    assert {"分单位投诉", "投诉主要原因", "通知及反馈", "本月话务"} <= set(book.sheetnames)

    targets = book["质量目标"]
    assert targets["A1"].value == f"邮政客服中心月度汇总 · {MONTH.year}年{MONTH.month}月"
    assert targets["A2"].value.startswith("数据截至 ") and targets["A3"].value == "质量目标"
    assert [c.value for c in targets[4]] == [
        "指标", "完成值", "目标值", "分子", "分母", "上月", "去年同月", "达标",
    ]  # fmt: skip
    assert targets.freeze_panes == "A5"
    complaints = _rows(targets)["服务投诉处理回复率"]
    assert complaints[0] == pytest.approx(2 / 3, abs=1e-4) and complaints[1:4] == [1, 2, 3]
    # the unreplied complaint is still inside its reply time limit: in progress, not late
    assert complaints[4] == 0 and complaints[5] == "—" and complaints[6] == "进行中"
    assert targets["B7"].number_format == "0.00%" and targets["D7"].number_format == "#,##0"
    colour = getattr(targets["H7"].font.color, "rgb", None)
    assert not (isinstance(colour, str) and colour.endswith("B42318"))  # red is for "short"

    assert _rows(book["本月工单"])["投诉"] == [3, 0, 3, 1]
    assert _rows(book["回复用时"]) == {2: [6.0, pytest.approx(9.2)]}
    assert book["回复用时"]["B5"].number_format == "#,##0.0"
    by_unit = _rows(book["分单位投诉"])["鹿城支局"]
    assert by_unit == [2, 2, 1, 2, 1]
    assert _rows(book["投诉主要原因"])["包裹延误"] == [2]
    calls = _rows(book["本月话务"])
    assert calls["呼入"] == [0] and calls["服务水平"] == ["—"]
    # a column fits its longest Chinese cell
    sheet = book["按单位的工单"]
    assert sheet.column_dimensions["A"].width >= display_width("鹿城支局")

    # every target of the summary, the same numbers
    report = month_report(user=staff["director1"], month=MONTH, as_of=timezone.now())
    rows = _rows(targets)
    for t in report["targets"]:
        assert rows[t["label"]][2:4] == [t["numerator"], t["denominator"]]


def test_text_is_never_a_formula_and_an_empty_month_says_so(hand_month, staff):  # noqa: F811
    Unit.objects.filter(code="WZ-LC01").update(name="=HYPERLINK(1)")
    book = load_workbook(
        io.BytesIO(
            month_report_xlsx(
                month_report(user=staff["director1"], month=MONTH, as_of=timezone.now())
            )
        )
    )
    (cell,) = [
        c for (c,) in book["按单位的工单"].iter_rows(max_col=1) if c.value == "=HYPERLINK(1)"
    ]
    assert cell.data_type == "s"  # a string, not a formula
    empty = month_report(user=staff["lead1"], month=Month(2020, 1), as_of=timezone.now())
    book = load_workbook(io.BytesIO(month_report_xlsx(empty)))
    assert book["按单位的工单"]["A5"].value == "本月没有工单。"
    assert "本月话务" in book.sheetnames  # a team lead sees the calls
