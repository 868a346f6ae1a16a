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


#: XlsxWriter's format property for a formula-like text cell (with `strings_to_formulas:
#: False` on the workbook, so that no text is ever written as a formula)
QUOTE_PREFIX = {"quote_prefix": True}
