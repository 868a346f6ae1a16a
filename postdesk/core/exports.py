"""What every CSV or Excel export does to a cell it writes.

A spreadsheet reads a cell that begins with `=`, `+`, `-` or `@` (or a tab or carriage
return before one) as a formula: a customer named `=HYPERLINK(...)` would run in the
exporting clerk's Excel. In a CSV such text is written with a leading apostrophe, which
the spreadsheet takes as "this is text" and hides; numbers stay numbers. In the small
XlsxWriter workbooks (reports, the access log) the same cells are written as strings
with Excel's own quote prefix (`QUOTE_PREFIX`, chosen by `formula_like`): shown exactly
as they are, and still text when someone edits the cell. The background export's
workbook (`XlsxSink`) writes them as text cells (never formulas) without the prefix.

Every CSV or Excel export goes through here (`core/tests/test_exports.py` finds any
writer that does not).
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from itertools import islice
from typing import Any

import rustpy_xlsxwriter
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
# Both take the rows as an iterator (`write`, with a progress callback) and keep nothing
# of the rows already written: a CSV through the csv module (`writerows`, a chunk at a
# time), a workbook through rustpy-xlsxwriter's constant-memory mode (it pulls the rows
# from a generator and streams them to a temporary file; `bench/exports_bench.py`
# compares it with XlsxWriter's constant-memory mode and openpyxl's write-only mode on
# this machine). Dates and times are written in local time: an Excel date cell in the
# workbook, "YYYY-MM-DD HH:MM:SS" in the CSV. A million-row export makes 14 million
# cells, so the cells of the common exact types are converted inline and everything
# else goes through the general path (`_csv_cell`, `_xlsx_cell`);
# `core/tests/test_export_fastpath.py` checks that both give the same cells.

#: `progress(done)`, called after every `every` rows written
Progress = Callable[[int], None]
#: rows handed to the csv module at once
WRITE_CHUNK = 1000
#: Excel's longest cell text (XlsxWriter cut longer text there; rust_xlsxwriter refuses it)
XLSX_TEXT_MAX = 32767
LOCAL_TIME_FORMAT = "yyyy-mm-dd hh:mm:ss"


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

    `write` is the fast path of an export: the cells of the exact types a list gives —
    text, None, aware datetimes, truth values — are converted inline (a local time is the
    instant moved to the current zone and cut to seconds, which is `strftime(LOCAL_TIME)`
    for years from 1000), anything else goes through `_csv_cell`; a chunk of rows is
    handed to `writerows` at once."""

    def __init__(self, path: str) -> None:
        self._file = open(path, "w", encoding="utf-8-sig", newline="")  # noqa: SIM115
        self._writer = csv.writer(self._file)
        self._zone = timezone.get_current_timezone()

    def header(self, headers: Sequence[str]) -> None:
        self._writer.writerow(safe_row(headers))

    def write(
        self, rows: Iterable[Sequence[Any]], progress: Progress | None = None, every: int = 5000
    ) -> int:
        """Write the rows; answers how many. `progress(done)` is called after every
        `every` rows."""
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
        for chunk in _chunks(rows, WRITE_CHUNK):
            self._writer.writerows([[cell(v) for v in values] for values in chunk])
            before, count = count, count + len(chunk)
            if progress is not None and count // every > before // every:
                progress(count)
        return count

    def close(self) -> None:
        self._file.close()


class XlsxSink:
    """One sheet, a bold frozen header row, column widths for Chinese; every text a text cell.

    Written by rustpy-xlsxwriter (rust_xlsxwriter under PyO3) in its constant-memory
    mode: `write` hands it a generator of the rows, which it pulls one at a time and
    streams to a temporary file, so nothing of the rows already written is held (the
    whole sheet is one call; `header` only remembers the headers). A row becomes a dict
    keyed by the headers (the library's record); a cell is dispatched on its exact type:
    text as text (cut at Excel's 32,767 characters, as XlsxWriter did), an aware datetime
    as its local wall time (an Excel date with the date-time format), a truth value, a
    number; anything else through `_cell`. Formula-like text is a text cell, never a
    formula (the library writes no string as a formula), but without XlsxWriter's quote
    prefix: the library takes formats by column, not by cell (see ARCHITECTURE)."""

    def __init__(self, path: str, sheet: str = "Sheet1") -> None:
        self._path = path
        self._sheet = sheet[:31]
        self._headers: list[str] = []
        self._written = False

    def header(self, headers: Sequence[str]) -> None:
        # the headers are the records' keys: a repeated one would merge two columns
        seen: dict[str, int] = {}
        keys = []
        for text in (str(h) for h in headers):
            seen[text] = seen.get(text, 0) + 1
            keys.append(text if seen[text] == 1 else f"{text} ({seen[text]})")
        self._headers = keys

    def write(
        self, rows: Iterable[Sequence[Any]], progress: Progress | None = None, every: int = 5000
    ) -> int:
        """Write the rows (once, after `header`); answers how many. `progress(done)` is
        called after every `every` rows."""
        if self._written:
            raise RuntimeError("XlsxSink.write is called once")
        self._written = True
        keys, zone, general, limit = self._headers, self._zone(), _xlsx_cell, XLSX_TEXT_MAX
        count = 0

        def records() -> Iterator[dict[str, Any]]:
            nonlocal count
            for values in rows:
                cells = []
                for value in values:
                    kind = type(value)
                    if kind is str:
                        cells.append(value if len(value) <= limit else value[:limit])
                    elif value is None or kind is bool or kind is int or kind is float:
                        cells.append(value)
                    elif kind is datetime and value.utcoffset() is not None:
                        local = value.astimezone(zone)
                        cells.append(
                            local.replace(tzinfo=None) if local.year >= 1900 else general(value)
                        )
                    else:
                        cells.append(general(value))
                yield dict(zip(keys, cells, strict=True))
                count += 1
                if progress is not None and count % every == 0:
                    progress(count)
            if not count:  # a record of nothing: the header row alone
                yield dict.fromkeys(keys)

        rustpy_xlsxwriter.write_worksheet(
            records(),
            self._path,
            sheet_name=self._sheet,
            freeze_row=1,
            bold_headers=True,
            datetime_format=LOCAL_TIME_FORMAT,
            # Chinese headers are about two units wide a character
            column_widths=[float(max(10, min(40, 2 * len(k) + 2))) for k in keys],
        )
        return count

    @staticmethod
    def _zone() -> Any:
        return timezone.get_current_timezone()

    def close(self) -> None:
        if not self._written:
            self.write(())


def _xlsx_cell(value: Any) -> Any:
    """Any other value as the cell the workbook gets (the general, slower path)."""
    value = _local(value)
    if isinstance(value, datetime) and value.year < 1900:
        return value.isoformat(" ")  # before Excel's day zero: as text
    if isinstance(value, date) and not isinstance(value, datetime) and value.year < 1900:
        return value.isoformat()
    if isinstance(value, bool | int | float | datetime | date):
        return value
    if isinstance(value, Decimal):
        return float(value)
    text = str(value)
    return text if len(text) <= XLSX_TEXT_MAX else text[:XLSX_TEXT_MAX]


def open_sink(fmt: str, path: str, sheet: str = "Sheet1") -> CsvSink | XlsxSink:
    return XlsxSink(path, sheet) if fmt == "xlsx" else CsvSink(path)
