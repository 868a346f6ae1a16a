"""The month-end summary as an A4 PDF (reportlab, in memory: a summary is small).

It lays out exactly the document `selectors.month_report` returns — the page and the
Excel show the same — and recounts nothing. Chinese is set in reportlab's built-in CID
font STSong-Light (Adobe-GB1), so no font file ships with postdesk: the PDF names the
font and the reader supplies a Song face (Acrobat's Asian font pack, pdf.js, poppler and
the browsers all do); a CID font is referenced, not embedded.
"""

from __future__ import annotations

import io
from datetime import date, datetime
from typing import Any
from xml.sax.saxutils import escape

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))

MARGIN = 18 * mm
WIDTH = A4[0] - 2 * MARGIN  # 174 mm of text
INK = colors.HexColor("#1F2933")
ACCENT = colors.HexColor("#0B6E4F")  # China Post green
HEAD = colors.HexColor("#E6F0EC")
ZEBRA = colors.HexColor("#F7F9FA")
RULE = colors.HexColor("#B8C4CC")
RED = colors.HexColor("#B42318")

_BODY = ParagraphStyle("body", fontName=FONT, fontSize=9, leading=12, textColor=INK)
_CELL = ParagraphStyle("cell", parent=_BODY, wordWrap="CJK")
_TITLE = ParagraphStyle("title", parent=_BODY, fontSize=18, leading=24, textColor=ACCENT)
_SUB = ParagraphStyle("sub", parent=_BODY, fontSize=10, leading=14)
_H2 = ParagraphStyle("h2", parent=_BODY, fontSize=12, leading=16, spaceBefore=10, spaceAfter=4)
_H3 = ParagraphStyle("h3", parent=_BODY, fontSize=10, leading=14, spaceBefore=6, spaceAfter=3)
_HEAD_R = ParagraphStyle("head_r", parent=_CELL, alignment=2)  # a figure's column heading
_MUTED = ParagraphStyle("muted", parent=_BODY, textColor=colors.HexColor("#6B7785"))
HALF = WIDTH / mm / 2 - 3  # a table in one of two columns, mm


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.2f}%"


def _num(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.1f}"
    return f"{int(value):,}"


def _met(met: bool | None) -> str:
    return _("no data") if met is None else (_("met") if met else _("below target"))


def _unit(row: dict[str, Any]) -> str:
    return str(row.get("unit_name") or _("No unit"))


def _text(value: Any, style: ParagraphStyle = _CELL) -> Paragraph:
    return Paragraph(escape(str(value)), style)


def _table(
    header: list[str], rows: list[list[Any]], widths: list[float], *, text_cols: int = 1
) -> Table:
    """A ruled table: a tinted header row repeated on every page, the first `text_cols`
    columns wrapped (a unit's or a type's name), the figures right-aligned."""
    data: list[list[Any]] = [
        [_text(h, _CELL if i < text_cols else _HEAD_R) for i, h in enumerate(header)]
    ]
    data += [[_text(c) if i < text_cols else str(c) for i, c in enumerate(row)] for row in rows]
    table = Table(data, colWidths=[w * mm for w in widths], repeatRows=1, hAlign="LEFT")
    table.setStyle(
        [
            ("FONT", (0, 0), (-1, -1), FONT, 9),
            ("TEXTCOLOR", (0, 0), (-1, -1), INK),
            ("BACKGROUND", (0, 0), (-1, 0), HEAD),
            ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, ZEBRA]),
            ("GRID", (0, 0), (-1, -1), 0.4, RULE),
            ("ALIGN", (text_cols, 1), (-1, -1), "RIGHT"),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("TOPPADDING", (0, 0), (-1, -1), 3),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ]
    )
    return table


def _pair(left: list[Any], right: list[Any]) -> Table:
    """Two short sections side by side."""
    table = Table([[left, right]], colWidths=[WIDTH / 2] * 2, hAlign="LEFT")
    table.setStyle(
        [
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ]
    )
    return table


def _section(title: str, body: list[Any], *, level: ParagraphStyle = _H2) -> list[Any]:
    """A heading kept with the start of what follows it."""
    return [KeepTogether([_text(title, level), *body[:1]]), *body[1:]]


def _figures(rows: list[dict[str, Any]], label: Any) -> list[list[Any]]:
    return [
        [label(r), _num(r["created"]), _num(r["closed"]), _num(r["open"]), _num(r["overdue"])]
        for r in rows
    ]


def _or_empty(table: list[list[Any]], make: Any, empty: str) -> Any:
    return make(table) if table else _text(empty, _MUTED)


def _targets(summary: dict[str, Any]) -> list[Any]:
    header = [
        _("Target"),
        _("Achieved"),
        _("Target value"),
        _("Numerator"),
        _("Denominator"),
        _("last month"),
        _("same month last year"),
        _("Met"),
    ]
    rows = [
        [
            t["label"],
            _pct(t["value"]),
            _pct(t["target"]),
            _num(t["numerator"]),
            _num(t["denominator"]),
            _pct(t.get("last_month")),
            _pct(t.get("last_year")),
            _met(t["met"]),
        ]
        for t in summary["targets"]
    ]
    table = _table(header, rows, [48, 19, 17, 16, 16, 19, 21, 18])
    for i, t in enumerate(summary["targets"], start=1):
        if t["met"] is False:
            table.setStyle([("TEXTCOLOR", (7, i), (7, i), RED)])
    return _section(_("Quality targets"), [table])


def _work_orders(summary: dict[str, Any]) -> list[Any]:
    counts = [_("Created"), _("Closed"), _("Open"), _("Overdue")]
    wo = summary.get("work_order_breakdowns") or {}
    out = _section(
        _("Work orders of the month"),
        [
            _table(
                [_("Type"), *counts],
                _figures(summary["work_orders"], lambda r: r["label"]),
                [62, 28, 28, 28, 28],
            )
        ],
    )
    if not wo:
        return out
    subtypes = _figures(wo["by_subtype"], lambda r: r["type_label"])
    for line, r in zip(subtypes, wo["by_subtype"], strict=True):
        line.insert(1, r["subtype_label"])
    out += _section(
        _("Work orders by type and sub-type"),
        [
            _or_empty(
                subtypes,
                lambda rows: _table(
                    [_("Type"), _("Sub-type"), *counts], rows, [34, 40, 25, 25, 25, 25], text_cols=2
                ),
                _("No work orders this month."),
            )
        ],
    )
    out += _section(
        _("Work orders by channel"),
        [
            _table(
                [_("Channel"), *counts],
                _figures(wo["by_channel"], lambda r: r["label"]),
                [62, 28, 28, 28, 28],
            )
        ],
    )
    reply = wo["reply_time"]
    out += _section(
        _("Time to reply"),
        [
            _table(
                [_("Replied"), _("Median (hours)"), _("90th percentile (hours)")],
                [
                    [
                        _num(reply["replied"]),
                        _num(reply["median_hours"]),
                        _num(reply["p90_hours"]),
                    ]
                ],
                [58, 58, 58],
                text_cols=0,
            )
        ],
        level=_H3,
    )
    out += _section(
        _("Work orders by unit"),
        [
            _or_empty(
                _figures(wo["by_unit"], _unit),
                lambda rows: _table([_("Unit"), *counts], rows, [62, 28, 28, 28, 28]),
                _("No work orders this month."),
            )
        ],
    )
    return out


def _counted(title: str, head: str, rows: list[tuple[Any, Any]]) -> list[Any]:
    body = _or_empty(
        [[label, _num(n)] for label, n in rows],
        lambda data: _table([head, _("Count")], data, [HALF - 24, 24]),
        _("None yet"),
    )
    return [_text(title, _H3), body]


def _complaints(summary: dict[str, Any]) -> list[Any]:
    c = summary["complaints"]
    by_unit = [
        [
            _unit(r),
            _num(r["complaints"]),
            _num(r["replied"]),
            _pct(r["reply_rate"]),
            _num(r["timely"]),
            _pct(r["timely_rate"]),
        ]
        for r in c.get("by_unit", [])
    ]
    head = [
        _("Unit"),
        _("Complaints"),
        _("Replied"),
        _("Reply rate"),
        _("Replied in time"),
        _("Timely rate"),
    ]
    none = _("No complaints this month.")
    out = _section(
        _("Complaints by unit"),
        [_or_empty(by_unit, lambda rows: _table(head, rows, [54, 24, 24, 24, 24, 24]), none)],
    )
    subtypes = [
        [
            r.get("subtype_label") or "—",
            _num(r["complaints"]),
            _num(r["replied"]),
            _num(r["timely"]),
        ]
        for r in c.get("by_subtype", [])
        if r["type"] == "complaint"
    ]
    head = [_("Sub-type"), _("Complaints"), _("Replied"), _("Replied in time")]
    out += _section(
        _("Complaints by sub-type"),
        [_or_empty(subtypes, lambda rows: _table(head, rows, [74, 33, 33, 34]), none)],
    )
    rulings = _counted(
        _("Responsibility ruling"),
        _("Ruling"),
        [(r["label"], r["count"]) for r in c.get("by_ruling", [])],
    )
    satisfaction = _counted(
        _("Satisfaction of follow-ups"),
        _("Satisfaction"),
        [(r["label"], r["count"]) for r in c.get("by_satisfaction", [])],
    )
    out.append(_pair(rulings, satisfaction))
    causes = summary.get("top_causes") or {}
    words = _counted(
        _("Top causes of complaints"),
        _("Keyword"),
        [(r["word"], r["count"]) for r in causes.get("by_word", [])],
    )
    overdue = [[_unit(r), _num(r["overdue"])] for r in summary.get("most_overdue_units") or []]
    most = [
        _text(_("Units with the most overdue work"), _H3),
        _or_empty(
            overdue,
            lambda rows: _table([_("Unit"), _("Overdue")], rows, [HALF - 24, 24]),
            _("Nothing overdue."),
        ),
    ]
    out.append(_pair(words, most))
    return out


def _notices(notices: dict[str, Any]) -> list[Any]:
    rows = [
        [_("Issued"), _num(notices["issued"])],
        [_("Fed back"), _num(notices["fed_back"])],
        [_("Fed back in time"), _num(notices["fed_back_in_time"])],
        [_("Feedback rate"), _pct(notices.get("rate"))],
        [_("Timely feedback rate"), _pct(notices.get("timely_rate"))],
    ]
    return [
        _text(_("Notices and their feedback"), _H2),
        _table([_("Metric"), _("Value")], rows, [HALF - 24, 24]),
    ]


def _calls(calls: dict[str, Any]) -> list[Any]:
    rows = [
        [_("Offered"), _num(calls.get("offered"))],
        [_("Answered"), _num(calls.get("answered"))],
        [_("Abandoned"), _num(calls.get("abandoned"))],
        [_("Short abandoned"), _num(calls.get("short_abandoned"))],
        [_("Service level"), _pct(calls.get("service_level"))],
        [_("Abandonment rate"), _pct(calls.get("abandonment_rate"))],
        [_("Average speed of answer (s)"), _num(calls.get("asa_seconds"))],
        [_("Average handling time (s)"), _num(calls.get("aht_seconds"))],
    ]
    return [
        _text(_("Calls of the month"), _H2),
        _table([_("Metric"), _("Value")], rows, [HALF - 24, 24]),
    ]


def render_month_pdf(summary: dict[str, Any], *, centre: str | None = None) -> bytes:
    """The A4 PDF of one `month_report` document: title, month and as-of time, then the
    targets, work orders, complaints, notices and (when the reader may see them) calls,
    with the centre's name, the month and the page number on every page."""
    centre = centre or _("Postal customer service centre")
    year, month = (int(part) for part in summary["month"].split("-"))
    month_label = date_format(date(year, month, 1), "YEAR_MONTH_FORMAT")
    as_of = timezone.localtime(datetime.fromisoformat(summary["as_of"]))
    title = _("%(centre)s month-end summary") % {"centre": centre}

    def furniture(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 8)
        canvas.setFillColor(INK)
        canvas.setStrokeColor(ACCENT)
        canvas.line(MARGIN, A4[1] - MARGIN + 4 * mm, A4[0] - MARGIN, A4[1] - MARGIN + 4 * mm)
        canvas.drawString(MARGIN, A4[1] - MARGIN + 6 * mm, f"{title} · {month_label}")
        canvas.drawString(MARGIN, MARGIN - 8 * mm, centre)
        page = _("Page %(page)s") % {"page": doc.page}
        canvas.drawRightString(A4[0] - MARGIN, MARGIN - 8 * mm, page)
        canvas.restoreState()

    story: list[Any] = [
        _text(title, _TITLE),
        _text(month_label, _SUB),
        _text(
            _("Figures as of %(as_of)s") % {"as_of": date_format(as_of, "DATETIME_FORMAT")}, _MUTED
        ),
        Spacer(1, 4 * mm),
    ]
    story += _targets(summary)
    story += _work_orders(summary)
    story += _complaints(summary)
    last = [
        block
        for block in (
            _notices(summary["notices"]) if summary.get("notices") else None,
            _calls(summary["calls"]) if summary.get("calls") else None,
        )
        if block
    ]
    if len(last) == 2:
        story.append(KeepTogether([_pair(*last)]))
    elif last:
        story += last[0]

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=f"{title} {month_label}",
        author=centre,
        subject=title,
        creator="postdesk",
    )
    doc.build(story, onFirstPage=furniture, onLaterPages=furniture)
    return buffer.getvalue()
