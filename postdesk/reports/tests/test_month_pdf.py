"""The month-end summary as a PDF: its text extracted (poppler's pdftotext) and checked
against the hand-built month of `test_month_sections` and against the summary itself, its
fonts embedded (pdffonts), who may download it, and a bad month."""

from __future__ import annotations

import io
import re
import subprocess
import tempfile

import pytest
from django.utils import timezone
from pypdf import PdfReader

from postdesk.core.periods import Month
from postdesk.org.models import Unit
from postdesk.reports.pdf import render_month_pdf
from postdesk.reports.selectors import month_report
from postdesk.reports.tests.test_month_sections import hand_month  # noqa: F401 (fixture)
from postdesk.workorders.tests.conftest import act, make_order  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db
MONTH = Month.current()


def _lines(content: bytes) -> list[str]:
    assert content.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(content))
    assert all(round(float(p.mediabox.width)) == 595 for p in reader.pages)  # A4
    assert all(round(float(p.mediabox.height)) == 842 for p in reader.pages)
    text = _poppler("pdftotext", content, "-layout", "-")
    # laid out as on the page: a table's cells are two or more spaces apart on their line
    return [
        cell for line in text.splitlines() for cell in re.split(r"\s{2,}", line.strip()) if cell
    ]


def _poppler(tool: str, content: bytes, *args: str) -> str:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as pdf:
        pdf.write(content)
        pdf.flush()
        run = subprocess.run([tool, pdf.name, *args], capture_output=True, check=True, text=True)
    return run.stdout


def _fonts(content: bytes) -> list[dict[str, str]]:
    """pdffonts' table: a font's name, type and whether it is embedded."""
    lines = _poppler("pdffonts", content).splitlines()[2:]
    return [{"name": line.split()[0], "emb": line.split()[-5]} for line in lines]


def _row(lines: list[str], heading: str, label: str, width: int) -> list[str]:
    """The `width` cells after the first row labelled `label` below `heading`."""
    start = lines.index(label, lines.index(heading) + 1)
    return lines[start + 1 : start + 1 + width]


def test_the_pdf_carries_the_hand_built_months_figures(hand_month, client_for, staff):  # noqa: F811
    response = client_for("director1").get(f"/reports/month.pdf?month={MONTH}")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="postdesk-{MONTH}.pdf"'
    lines = _lines(response.content)
    month_label = f"{MONTH.year}年{MONTH.month}月"
    assert lines[0] == f"邮政客服中心月度汇总 · {month_label}"  # every page's head …
    pages = len(PdfReader(io.BytesIO(response.content)).pages)
    assert lines.count(f"邮政客服中心月度汇总 · {month_label}") == pages
    assert lines.count("邮政客服中心") == pages  # … and foot
    assert f"第 1 页，共 {pages} 页" in lines and f"第 {pages} 页，共 {pages} 页" in lines
    assert "邮政客服中心月度汇总" in lines and month_label in lines
    assert any(line.startswith(f"数据截至 {month_label}") for line in lines)
    fonts = _fonts(response.content)
    assert fonts and all(f["emb"] == "yes" for f in fonts), fonts  # renders everywhere
    assert all("Noto-Sans-CJK-SC" in f["name"] for f in fonts), fonts

    # counted by hand from the fixture: 3 complaints (2 replied), 1 consultation overdue …
    assert _row(lines, "质量目标", "服务投诉处理回复率", 7) == [
        "66.67%",
        "100.00%",
        "2",
        "3",
        "0.00%",  # last month's one complaint went unanswered
        "—",
        "进行中",  # the unreplied one is still inside its reply time limit: not late
    ]
    assert _row(lines, "本月工单", "投诉", 4) == ["3", "0", "3", "1"]
    assert _row(lines, "本月工单", "咨询", 4) == ["1", "0", "1", "1"]
    assert _row(lines, "按类型和子类型的工单", "丢失", 4) == ["1", "0", "1", "0"]
    assert _row(lines, "按渠道的工单", "监管转办（12305）", 4) == ["1", "0", "1", "1"]
    assert _row(lines, "回复用时", "90% 分位（小时）", 3) == ["2", "6.0", "9.2"]
    assert _row(lines, "按单位的工单", "鹿城支局", 4) == ["3", "0", "3", "1"]
    assert _row(lines, "分单位投诉", "鹿城支局", 5) == ["2", "2", "100.00%", "2", "100.00%"]
    assert _row(lines, "投诉主要原因", "包裹延误", 1) == ["2"]
    assert _row(lines, "超时最多的单位", "鹿城支局", 1) == ["2"]
    assert _row(lines, "通知及反馈", "下发", 1) == ["0"]
    assert _row(lines, "本月话务", "呼入", 1) == ["0"]  # a director sees the calls

    # … and every row of the summary's tables is in the PDF with the summary's numbers
    report = month_report(user=staff["director1"], month=MONTH, as_of=timezone.now())
    for t in report["targets"]:
        cells = _row(lines, "质量目标", t["label"], 4)
        target = f"{t['target'] * 100:.2f}%"
        assert cells == [t["value_pct"], target, str(t["numerator"]), str(t["denominator"])]
    wo = report["work_order_breakdowns"]
    for heading, rows, label in (
        ("本月工单", report["work_orders"], "label"),
        ("按渠道的工单", wo["by_channel"], "label"),
        ("按单位的工单", [r for r in wo["by_unit"] if r["unit"]], "unit_name"),
    ):
        for r in rows:
            figures = [str(r[k]) for k in ("created", "closed", "open", "overdue")]
            assert _row(lines, heading, r[label], 4) == figures, (heading, r)


def test_an_empty_month_and_a_name_that_looks_like_markup(hand_month, staff):  # noqa: F811
    Unit.objects.filter(code="WZ-LC01").update(name="鹿城<b>支局</b>&东")
    summary = month_report(user=staff["director1"], month=MONTH, as_of=timezone.now())
    lines = _lines(render_month_pdf(summary, centre="温州邮政客服中心"))
    assert lines[0].startswith("温州邮政客服中心月度汇总")
    assert _row(lines, "按单位的工单", "鹿城<b>支局</b>&东", 4) == ["3", "0", "3", "1"]

    empty = month_report(user=staff["lead1"], month=Month(2020, 1), as_of=timezone.now())
    empty["calls"] = None
    lines = _lines(render_month_pdf(empty))
    assert "2020年1月" in lines
    assert _row(lines, "质量目标", "特快专递投递信息上网率", 7)[0] == "—"
    assert lines.count("本月没有工单。") == 2 and "本月无投诉。" in lines
    assert "没有超时工单。" not in lines  # overdue units count at as-of, whatever the month
    assert "本月话务" not in lines


def test_the_page_links_the_pdf_and_the_api_answers_it(hand_month, client_for, api_for):  # noqa: F811
    page = client_for("director1").get(f"/reports/?month={MONTH}").content.decode()
    assert f'href="/reports/month.pdf?month={MONTH}"' in page
    assert "下载 PDF" in page
    response = api_for("lead1").get(f"/api/v1/reports/month.pdf?month={MONTH}")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert _row(_lines(response.content), "本月工单", "投诉", 1) == ["3"]


@pytest.mark.parametrize("username", ["agent1", "branch1"])
def test_an_agent_or_a_branch_handler_gets_no_pdf(username, client_for, api_for):
    assert client_for(username).get(f"/reports/month.pdf?month={MONTH}").status_code == 404
    response = api_for(username).get(f"/api/v1/reports/month.pdf?month={MONTH}")
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_a_bad_month_is_a_400_naming_the_field(client_for, api_for):
    response = api_for("director1").get("/api/v1/reports/month.pdf?month=2026-13")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "validation_error" and body["fields"].keys() == {"month"}
    assert body["message"]
    assert client_for("director1").get("/reports/month.pdf?month=十一月").status_code == 400


def test_the_calendars_ends_are_months_like_any_other(client_for):
    for month, label in (("1900-01", "1900年1月"), ("9998-12", "9998年12月")):
        response = client_for("director1").get(f"/reports/month.pdf?month={month}")
        assert response.status_code == 200
        assert label in _lines(response.content)
