"""The month-end summary as an Excel workbook (XlsxWriter, in memory: a summary is small).

One sheet per table of `layout.py` — the same tables the PDF draws — with the title, the
month and the as-of time above a frozen header row; counts, rates and hours are numbers
(rates with a percent format), not text; columns are sized to their longest cell, counting
a Chinese character as two."""

from __future__ import annotations

import io
import unicodedata
from datetime import date, datetime
from typing import Any

import xlsxwriter
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from postdesk.core.exports import QUOTE_PREFIX, formula_like
from postdesk.reports.layout import COUNT, DECIMAL, RATE, TEXT, Block, summary_blocks, targets_block

HEADER_ROW = 3  # 0: the summary and month, 1: as-of, 2: the table's title, 3: its header
MAX_SHEET_NAME = 31  # Excel's limit


def display_width(text: str) -> int:
    """Columns a text needs in a spreadsheet: wide (CJK) characters count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _sheet_name(title: str, taken: set[str]) -> str:
    name = title.translate(str.maketrans("[]:*?/\\", "（）：＊？／＼"))[:MAX_SHEET_NAME]
    base, n = name, 2
    while name in taken:
        suffix = f" {n}"
        name, n = base[: MAX_SHEET_NAME - len(suffix)] + suffix, n + 1
    taken.add(name)
    return name


def month_report_xlsx(report: dict[str, Any]) -> bytes:
    buffer = io.BytesIO()
    # text is text: a unit's name beginning with "=" is never written as a formula, and
    # such a cell gets Excel's quote prefix (core/exports.py)
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    formats = {
        "head": book.add_format({"bold": True, "bg_color": "#E6F0EC", "border": 1}),
        "title": book.add_format({"bold": True, "font_size": 14}),
        "bold": book.add_format({"bold": True}),
        RATE: book.add_format({"num_format": "0.00%"}),
        DECIMAL: book.add_format({"num_format": "#,##0.0"}),
        COUNT: book.add_format({"num_format": "#,##0"}),
        "flag": book.add_format({"font_color": "#B42318"}),
        "quoted": book.add_format(QUOTE_PREFIX),
        "flag quoted": book.add_format({"font_color": "#B42318", **QUOTE_PREFIX}),
    }
    as_of = timezone.localtime(datetime.fromisoformat(report["as_of"]))
    year, month = (int(part) for part in report["month"].split("-"))
    month_label = date_format(date(year, month, 1), "YEAR_MONTH_FORMAT")
    heading = _("%(centre)s month-end summary") % {"centre": _("Postal customer service centre")}
    as_of_line = _("Figures as of %(as_of)s") % {"as_of": date_format(as_of, "DATETIME_FORMAT")}
    blocks = [targets_block(report), *(b for row in summary_blocks(report) for b in row)]
    taken: set[str] = set()
    for block in blocks:
        sheet = book.add_worksheet(_sheet_name(block.title, taken))
        sheet.write_string(0, 0, f"{heading} · {month_label}", formats["title"])
        sheet.write_string(1, 0, as_of_line)
        sheet.write_string(2, 0, block.title, formats["bold"])
        _write(sheet, block, formats)
    book.close()
    return buffer.getvalue()


def _write(sheet: Any, block: Block, formats: dict[str, Any]) -> None:
    widths = [display_width(c.label) for c in block.columns]
    for j, column in enumerate(block.columns):
        sheet.write_string(HEADER_ROW, j, column.label, formats["head"])
    for i, line in enumerate(block.rows):
        row = HEADER_ROW + 1 + i
        for j, value in enumerate(line):
            kind = block.kind(i, j)
            if value is None:
                sheet.write_string(row, j, "—")
            elif kind in (COUNT, RATE, DECIMAL):
                sheet.write_number(row, j, float(value), formats[kind])
            else:
                text = str(value)
                flag = "flag" if (i, j) in block.flagged else ""
                if formula_like(text):
                    flag = f"{flag} quoted".strip()
                sheet.write_string(row, j, text, formats[flag] if flag else None)
                widths[j] = max(widths[j], display_width(text))
            if kind != TEXT and value is not None:
                widths[j] = max(widths[j], 10)
    if not block.rows:
        sheet.write_string(HEADER_ROW + 1, 0, block.empty)
    for j, width in enumerate(widths):
        sheet.set_column(j, j, min(max(width + 2, 8), 60))
    sheet.freeze_panes(HEADER_ROW + 1, 0)
