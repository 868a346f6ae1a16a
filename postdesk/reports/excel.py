"""The month-end report as an Excel workbook (XlsxWriter, in memory: a report is small)."""

from __future__ import annotations

import io
from typing import Any

import xlsxwriter
from django.utils.translation import gettext as _

from postdesk.core.exports import SafeSheet


def month_report_xlsx(report: dict[str, Any]) -> bytes:
    buffer = io.BytesIO()
    # text is text: a unit's name beginning with "=" is never written as a formula, and
    # SafeSheet gives it Excel's quote prefix (core/exports.py)
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    bold = book.add_format({"bold": True, "bg_color": "#EEF1F4"})
    pct = book.add_format({"num_format": "0.00%"})
    title = book.add_format({"bold": True, "font_size": 14})

    sheet = SafeSheet(book, book.add_worksheet(_("Quality targets")))
    sheet.write(0, 0, _("Month-end report %(month)s") % {"month": report["month"]}, title)
    headers = [
        _("Target"),
        _("Achieved"),
        _("Target value"),
        _("Numerator"),
        _("Denominator"),
        _("Met"),
    ]
    sheet.write_row(2, 0, headers, bold)
    for row, target in enumerate(report["targets"], start=3):
        sheet.write(row, 0, target["label"])
        if target["value"] is None:
            sheet.write(row, 1, "—")
        else:
            sheet.write_number(row, 1, target["value"], pct)
        sheet.write_number(row, 2, target["target"], pct)
        sheet.write_number(row, 3, target["numerator"])
        sheet.write_number(row, 4, target["denominator"])
        met = target["met"]
        sheet.write(row, 5, "—" if met is None else (_("yes") if met else _("no")))
    sheet.set_column(0, 0, 34)
    sheet.set_column(1, 5, 12)

    sheet = SafeSheet(book, book.add_worksheet(_("Work orders")))
    sheet.write_row(0, 0, [_("Type"), _("Created"), _("Closed"), _("Open"), _("Overdue")], bold)
    for row, line in enumerate(report["work_orders"], start=1):
        sheet.write_row(
            row, 0, [line["label"], line["created"], line["closed"], line["open"], line["overdue"]]
        )
    sheet.set_column(0, 0, 16)

    sheet = SafeSheet(book, book.add_worksheet(_("Complaints by unit")))
    sheet.write_row(
        0,
        0,
        [
            _("Unit"),
            _("Complaints"),
            _("Replied"),
            _("Reply rate"),
            _("Replied in time"),
            _("Timely rate"),
        ],
        bold,
    )
    for row, line in enumerate(report["complaints"]["by_unit"], start=1):
        sheet.write(row, 0, f"{line['unit_name']} ({line['unit'] or '—'})")
        sheet.write_number(row, 1, line["complaints"])
        sheet.write_number(row, 2, line["replied"])
        if line["reply_rate"] is not None:
            sheet.write_number(row, 3, line["reply_rate"], pct)
        sheet.write_number(row, 4, line["timely"])
        if line["timely_rate"] is not None:
            sheet.write_number(row, 5, line["timely_rate"], pct)
    sheet.set_column(0, 0, 24)

    calls = report.get("calls")
    if calls:
        sheet = SafeSheet(book, book.add_worksheet(_("Calls")))
        metrics = [
            ("offered", _("Offered")),
            ("answered", _("Answered")),
            ("abandoned", _("Abandoned")),
            ("short_abandoned", _("Short abandoned")),
            ("service_level", _("Service level")),
            ("abandonment_rate", _("Abandonment rate")),
            ("asa_seconds", _("Average speed of answer (s)")),
            ("aht_seconds", _("Average handling time (s)")),
        ]
        sheet.write_row(0, 0, [_("Metric"), _("Value")], bold)
        for row, (key, label) in enumerate(metrics, start=1):
            sheet.write(row, 0, label)
            value = calls.get(key)
            if value is None:
                sheet.write(row, 1, "—")
            elif key in {"service_level", "abandonment_rate"}:
                sheet.write_number(row, 1, value, pct)
            else:
                sheet.write_number(row, 1, value)
        sheet.set_column(0, 0, 28)
    book.close()
    return buffer.getvalue()
