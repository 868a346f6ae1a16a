"""What every CSV or Excel export does to a cell it writes.

A spreadsheet reads a cell that begins with `=`, `+`, `-` or `@` (or a tab or carriage
return before one) as a formula: a customer named `=HYPERLINK(...)` would run in the
exporting clerk's Excel. In a CSV such text is written with a leading apostrophe, which
the spreadsheet takes as "this is text" and hides; numbers stay numbers. In an Excel
workbook the same cells are written as strings with Excel's own quote prefix
(`QUOTE_PREFIX`, chosen by `formula_like`): shown exactly as they are, and still text
when someone edits the cell.

Every CSV or Excel export goes through here (`core/tests/test_exports.py` finds any
writer that does not).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import xlsxwriter
from django.utils import timezone

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def formula_like(value: Any) -> bool:
    """Would a spreadsheet take this cell for a formula?"""
    return isinstance(value, str) and value.startswith(FORMULA_START)


def spreadsheet_safe(value: Any) -> Any:
    """`value` as a CSV cell: text that a spreadsheet would take for a formula, defused."""
    if formula_like(value):
        return "'" + value
    return value


def safe_row(values: Iterable[Any]) -> list[Any]:
    return [spreadsheet_safe(value) for value in values]


#: XlsxWriter's format property for a formula-like text cell (with `strings_to_formulas:
#: False` on the workbook, so that no text is ever written as a formula)
QUOTE_PREFIX = {"quote_prefix": True}


# --- the streaming writers of background exports (core/export_jobs.py) ----------------------
#
# Both write a row at a time and keep nothing of the rows already written: a CSV through
# the csv module, a workbook through XlsxWriter's constant-memory mode (each row flushed
# to a temporary file as soon as the next begins; `bench/exports_bench.py` compares it with
# openpyxl's write-only mode on this machine). Dates and times are written in local time:
# an Excel date cell in the workbook, "YYYY-MM-DD HH:MM:SS" in the CSV.


def _local(value: Any) -> Any:
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.replace(tzinfo=None)
    return value


class CsvSink:
    """UTF-8 with a byte-order mark (Excel opens it as UTF-8), every cell defused."""

    def __init__(self, path: str) -> None:
        self._file = open(path, "w", encoding="utf-8-sig", newline="")  # noqa: SIM115
        self._writer = csv.writer(self._file)

    def header(self, headers: Sequence[str]) -> None:
        self._writer.writerow(safe_row(headers))

    def row(self, values: Sequence[Any]) -> None:
        cells = []
        for value in values:
            value = _local(value)
            if isinstance(value, datetime):
                value = value.strftime("%Y-%m-%d %H:%M:%S")
            elif isinstance(value, bool):
                value = "1" if value else "0"
            cells.append(spreadsheet_safe("" if value is None else value))
        self._writer.writerow(cells)

    def close(self) -> None:
        self._file.close()


class XlsxSink:
    """One sheet, a frozen header row; formula-like text written as text (quote prefix)."""

    def __init__(self, path: str, sheet: str = "Sheet1") -> None:
        self._book = xlsxwriter.Workbook(
            path,
            {
                "constant_memory": True,
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "strings_to_numbers": False,
            },
        )
        self._sheet = self._book.add_worksheet(sheet[:31])
        self._quoted = self._book.add_format(QUOTE_PREFIX)
        self._bold = self._book.add_format({"bold": True})
        self._when = self._book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
        self._day = self._book.add_format({"num_format": "yyyy-mm-dd"})
        self._row = 0

    def header(self, headers: Sequence[str]) -> None:
        self._sheet.freeze_panes(1, 0)
        for col, text in enumerate(headers):
            # Chinese headers are about two units wide a character
            self._sheet.set_column(col, col, max(10, min(40, 2 * len(str(text)) + 2)))
            self._sheet.write_string(0, col, str(text), self._bold)
        self._row = 1

    def row(self, values: Sequence[Any]) -> None:
        sheet, r = self._sheet, self._row
        for col, value in enumerate(values):
            value = _local(value)
            if value is None or value == "":
                continue
            if isinstance(value, str):
                if formula_like(value):
                    sheet.write_string(r, col, value, self._quoted)
                else:
                    sheet.write_string(r, col, value)
            elif isinstance(value, bool):
                sheet.write_boolean(r, col, value)
            elif isinstance(value, int | float | Decimal):
                sheet.write_number(r, col, float(value))
            elif isinstance(value, datetime):
                sheet.write_datetime(r, col, value, self._when)
            elif isinstance(value, date):
                sheet.write_datetime(r, col, value, self._day)
            else:
                text = str(value)
                sheet.write_string(r, col, text, self._quoted if formula_like(text) else None)
        self._row = r + 1

    def close(self) -> None:
        self._book.close()


def open_sink(fmt: str, path: str, sheet: str = "Sheet1") -> CsvSink | XlsxSink:
    return XlsxSink(path, sheet) if fmt == "xlsx" else CsvSink(path)
