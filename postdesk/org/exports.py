"""The access log as a CSV or an Excel file: the rows a reader filtered, every cell
through `core.exports` (a name beginning with `=` is text, never a formula)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import datetime

import xlsxwriter
from django.utils import timezone
from django.utils.translation import gettext as _

from postdesk.core.exports import QUOTE_PREFIX, formula_like, safe_row
from postdesk.core.models import AccessLogEntry
from postdesk.org.selectors import (
    access_log_detail,
    access_log_label,
    access_log_subject_type_label,
)

CSV = "text/csv; charset=utf-8"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LOCAL_TIME = "%Y-%m-%d %H:%M:%S"


def _header() -> list[str]:
    return [
        _("Time"),
        _("User"),
        _("Kind of record"),
        _("Record number"),
        _("Record"),
        _("Access"),
        _("Detail"),
        _("IP address"),
    ]


def _cells(entry: AccessLogEntry) -> tuple[datetime, list[str]]:
    """The entry's local time, and its other cells as text."""
    return timezone.localtime(entry.at), [
        entry.actor_username,
        access_log_subject_type_label(entry.subject_type),
        entry.subject_id,
        access_log_label(entry),
        str(entry.get_what_display()),
        access_log_detail(entry),
        entry.ip or "",
    ]


def access_log_csv(entries: Iterable[AccessLogEntry]) -> bytes:
    """UTF-8 with a byte-order mark (Excel opens it as UTF-8), local times."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(safe_row(_header()))
    for entry in entries:
        at, cells = _cells(entry)
        writer.writerow(safe_row([at.strftime(LOCAL_TIME), *cells]))
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def access_log_xlsx(entries: Iterable[AccessLogEntry]) -> bytes:
    """One sheet: a frozen header, local times as Excel date-times, text as text."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    head = book.add_format({"bold": True, "bg_color": "#E6F0EC", "border": 1})
    when = book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    quoted = book.add_format(QUOTE_PREFIX)
    sheet = book.add_worksheet(_("Access log"))
    header = _header()
    for j, label in enumerate(header):
        sheet.write_string(0, j, label, head)
    sheet.freeze_panes(1, 0)
    sheet.set_column(0, 0, 20)
    sheet.set_column(1, len(header) - 1, 16)
    for i, entry in enumerate(entries, start=1):
        at, cells = _cells(entry)
        sheet.write_datetime(i, 0, at.replace(tzinfo=None), when)
        for j, text in enumerate(cells, start=1):
            if formula_like(text):
                sheet.write_string(i, j, text, quoted)
            else:
                sheet.write_string(i, j, text)
    book.close()
    return buffer.getvalue()
