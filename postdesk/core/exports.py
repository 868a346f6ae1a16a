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
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from itertools import islice
from typing import Any, cast

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
# Both take the rows a chunk at a time (`rows`) and keep nothing of the rows already
# written: a CSV through the csv module (`writerows`), a workbook through XlsxWriter's
# constant-memory mode (each row flushed to a temporary file as soon as the next begins;
# `bench/exports_bench.py` compares it with openpyxl's write-only mode on this machine).
# Dates and times are written in local time: an Excel date cell in the workbook,
# "YYYY-MM-DD HH:MM:SS" in the CSV. A million-row export makes 14 million cells, so the
# cells of the common exact types are converted inline and everything else goes through
# the general path (`_csv_cell`, `XlsxSink._cell`); `core/tests/test_export_fastpath.py`
# checks that both give the same cells.


#: Excel's day zero (the workbook's default 1900 system), as an instant in UTC
_EXCEL_EPOCH = datetime(1899, 12, 31, tzinfo=UTC)
_DAY_SECONDS = 60 * 60 * 24


def _local(value: Any) -> Any:
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.replace(tzinfo=None)
    return value


def _csv_cell(value: Any) -> Any:
    """Any value as the CSV cell it becomes (the general, slower path)."""
    value = _local(value)
    if isinstance(value, datetime):
        value = value.strftime(LOCAL_TIME)
    elif isinstance(value, bool):
        value = "1" if value else "0"
    return spreadsheet_safe("" if value is None else value)


LOCAL_TIME = "%Y-%m-%d %H:%M:%S"


def _chunks(rows: Iterable[Sequence[Any]], size: int) -> Iterator[list[Sequence[Any]]]:
    it = iter(rows)
    while chunk := list(islice(it, size)):
        yield chunk


class CsvSink:
    """UTF-8 with a byte-order mark (Excel opens it as UTF-8), every cell defused.

    `rows` is the fast path of an export (`row` is the same for one row): the cells of
    the exact types a list gives — text, None, aware datetimes, truth values — are
    converted inline (a local time is the instant moved to the current zone and cut to
    seconds, which is `strftime(LOCAL_TIME)` for years from 1000), anything else goes
    through `_csv_cell`; a chunk of rows is handed to `writerows` at once."""

    def __init__(self, path: str) -> None:
        self._file = open(path, "w", encoding="utf-8-sig", newline="")  # noqa: SIM115
        self._writer = csv.writer(self._file)
        self._zone = timezone.get_current_timezone()

    def header(self, headers: Sequence[str]) -> None:
        self._writer.writerow(safe_row(headers))

    def row(self, values: Sequence[Any]) -> None:
        self.rows((values,))

    def rows(self, rows: Iterable[Sequence[Any]]) -> int:
        """Write the rows; answers how many."""
        zone, start, general = self._zone, FORMULA_START, _csv_cell

        def cell(value: Any) -> Any:
            kind = type(value)
            if kind is str:
                return "'" + value if value.startswith(start) else value
            if value is None:
                return ""
            if kind is datetime and value.utcoffset() is not None:
                local = value.astimezone(zone)
                if local.year >= 1000:
                    return local.isoformat(" ", "seconds")[:19]
            elif kind is bool:
                return "1" if value else "0"
            elif kind is int or kind is float:
                return value
            return general(value)

        count = 0
        for chunk in _chunks(rows, 1000):
            self._writer.writerows([[cell(v) for v in values] for values in chunk])
            count += len(chunk)
        return count

    def close(self) -> None:
        self._file.close()


class XlsxSink:
    """One sheet, a frozen header row; formula-like text written as text (quote prefix).

    `rows` is the fast path of an export (`row` is the same for one row): a cell is
    dispatched on its exact type; an aware datetime becomes its Excel serial number in
    local time computed as XlsxWriter computes it (whole days, then seconds and
    microseconds over a day, plus Excel's 1900 leap day) without building a naive copy,
    and is written with the date-time format, which is what `write_datetime` stores;
    anything else goes through `_cell`, the general path."""

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
        self._zone = timezone.get_current_timezone()
        self._row = 0

    def header(self, headers: Sequence[str]) -> None:
        self._sheet.freeze_panes(1, 0)
        for col, text in enumerate(headers):
            # Chinese headers are about two units wide a character
            self._sheet.set_column(col, col, max(10, min(40, 2 * len(str(text)) + 2)))
            self._sheet.write_string(0, col, str(text), self._bold)
        self._row = 1

    def row(self, values: Sequence[Any]) -> None:
        self.rows((values,))

    def rows(self, rows: Iterable[Sequence[Any]]) -> int:
        """Write the rows; answers how many."""
        sheet, zone, start = self._sheet, self._zone, FORMULA_START
        write_string, write_number = sheet.write_string, sheet.write_number
        write_boolean, general = sheet.write_boolean, self._cell
        quoted, when, epoch, day = self._quoted, self._when, _EXCEL_EPOCH, _DAY_SECONDS
        r = self._row
        for values in rows:
            for col, value in enumerate(values):
                kind = type(value)
                if kind is str:
                    if not value:
                        continue
                    if value.startswith(start):
                        write_string(r, col, value, quoted)
                    else:
                        write_string(r, col, value)
                elif value is None:
                    continue
                elif kind is datetime and value.utcoffset() is not None:
                    # the local wall time's distance from Excel's day zero
                    delta = value - epoch + cast(timedelta, value.astimezone(zone).utcoffset())
                    if delta.days > 61:  # past 1900-03-01: XlsxWriter's plain case
                        serial = delta.days + (delta.seconds + delta.microseconds / 1e6) / day
                        write_number(r, col, serial + 1, when)
                    else:
                        general(r, col, value)
                elif kind is bool:
                    write_boolean(r, col, value)
                else:
                    general(r, col, value)
            r += 1
        count = r - self._row
        self._row = r
        return count

    def _cell(self, r: int, col: int, value: Any) -> None:
        """Any value, the general path."""
        sheet = self._sheet
        value = _local(value)
        if value is None or value == "":
            return
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

    def close(self) -> None:
        self._book.close()


def open_sink(fmt: str, path: str, sheet: str = "Sheet1") -> CsvSink | XlsxSink:
    return XlsxSink(path, sheet) if fmt == "xlsx" else CsvSink(path)
