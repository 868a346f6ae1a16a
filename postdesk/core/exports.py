"""What every CSV or Excel export does to a cell it writes.

A spreadsheet reads a cell that begins with `=`, `+`, `-` or `@` (or a tab or carriage
return before one) as a formula: a customer named `=HYPERLINK(...)` would run in the
exporting clerk's Excel. Such text is written with a leading apostrophe, which the
spreadsheet shows as text; numbers stay numbers.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: Any) -> Any:
    """`value` as a cell: text that a spreadsheet would take for a formula, defused."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def safe_row(values: Iterable[Any]) -> list[Any]:
    return [spreadsheet_safe(value) for value in values]
