"""What every CSV or Excel export does to a cell it writes.

A spreadsheet reads a cell that begins with `=`, `+`, `-` or `@` (or a tab or carriage
return before one) as a formula: a customer named `=HYPERLINK(...)` would run in the
exporting clerk's Excel. In a CSV such text is written with a leading apostrophe, which
the spreadsheet takes as "this is text" and hides; numbers stay numbers. In an Excel
workbook (`SafeSheet`) the same cells are written as strings with Excel's own quote
prefix: shown exactly as they are, and still text when someone edits the cell.

Every CSV or Excel export goes through here (`core/tests/test_exports.py` finds any
writer that does not).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

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


class SafeSheet:
    """An XlsxWriter worksheet whose `write` and `write_row` put formula-like text in
    as a string with the quote prefix (the workbook must be opened with
    `strings_to_formulas: False`, so no text is ever written as a formula); everything
    else (`write_number`, `set_column`, …) is the worksheet's own."""

    def __init__(self, book: Any, sheet: Any) -> None:
        self._sheet = sheet
        self._quoted = book.add_format({"quote_prefix": True})

    def write(self, row: int, col: int, value: Any, fmt: Any = None) -> None:
        if formula_like(value):
            self._sheet.write_string(row, col, value, self._quoted)
        elif fmt is None:
            self._sheet.write(row, col, value)
        else:
            self._sheet.write(row, col, value, fmt)

    def write_row(self, row: int, col: int, values: Iterable[Any], fmt: Any = None) -> None:
        for offset, value in enumerate(values):
            self.write(row, col + offset, value, fmt)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sheet, name)
