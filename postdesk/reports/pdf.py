"""The month-end summary as an A4 PDF: an HTML page (`reports/pdf/month.html`) laid out by
WeasyPrint in Debian's Noto Sans CJK, the fonts subset and embedded, so the file reads the
same on any machine; the chart is SVG (`charts.targets_chart`).

It lays out exactly the document `selectors.month_report` returns — the page and the
Excel show the same — and recounts nothing. `_blocks` turns the document into headed
tables; the template only draws them (and the page furniture: the title and month at the
top of every page, the centre's name and the page number at its foot).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from postdesk.reports.charts import targets_chart


@dataclass
class Block:
    """A heading and a table under it (or a line saying there is nothing to show)."""

    title: str
    head: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    text_cols: int = 1  # the leading columns that hold names; the rest are figures
    empty: str = ""
    minor: bool = False  # a sub-heading (h3)
    flagged: set[tuple[int, int]] = field(default_factory=set)  # (row, col) shown in red

    def header(self) -> list[tuple[str, str]]:
        """The column headings with their CSS class."""
        return [(h, "name" if i < self.text_cols else "") for i, h in enumerate(self.head)]

    def body(self) -> list[list[tuple[str, str]]]:
        """The rows as (text, CSS class) cells: names left, figures right, flags red."""
        return [
            [
                (
                    cell,
                    " ".join(
                        c
                        for c, on in (
                            ("name", j < self.text_cols),
                            ("flag", (i, j) in self.flagged),
                        )
                        if on
                    ),
                )
                for j, cell in enumerate(line)
            ]
            for i, line in enumerate(self.rows)
        ]


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


def _figures(rows: list[dict[str, Any]], label: Any) -> list[list[str]]:
    return [
        [label(r), _num(r["created"]), _num(r["closed"]), _num(r["open"]), _num(r["overdue"])]
        for r in rows
    ]


def _targets(summary: dict[str, Any]) -> Block:
    block = Block(
        _("Quality targets"),
        [
            _("Target"),
            _("Achieved"),
            _("Target value"),
            _("Numerator"),
            _("Denominator"),
            _("last month"),
            _("same month last year"),
            _("Met"),
        ],
    )
    for i, t in enumerate(summary["targets"]):
        block.rows.append(
            [
                str(t["label"]),
                _pct(t["value"]),
                _pct(t["target"]),
                _num(t["numerator"]),
                _num(t["denominator"]),
                _pct(t.get("last_month")),
                _pct(t.get("last_year")),
                _met(t["met"]),
            ]
        )
        if t["met"] is False:
            block.flagged.add((i, 7))
    return block


def _work_orders(summary: dict[str, Any]) -> list[Block]:
    counts = [_("Created"), _("Closed"), _("Open"), _("Overdue")]
    none = _("No work orders this month.")
    out = [
        Block(
            _("Work orders of the month"),
            [_("Type"), *counts],
            _figures(summary["work_orders"], lambda r: str(r["label"])),
        )
    ]
    wo = summary.get("work_order_breakdowns") or {}
    if not wo:
        return out
    subtypes = _figures(wo["by_subtype"], lambda r: str(r["type_label"]))
    for line, r in zip(subtypes, wo["by_subtype"], strict=True):
        line.insert(1, str(r["subtype_label"]))
    reply = wo["reply_time"]
    out += [
        Block(
            _("Work orders by type and sub-type"),
            [_("Type"), _("Sub-type"), *counts],
            subtypes,
            text_cols=2,
            empty=none,
        ),
        Block(
            _("Work orders by channel"),
            [_("Channel"), *counts],
            _figures(wo["by_channel"], lambda r: str(r["label"])),
        ),
        Block(
            _("Time to reply"),
            [_("Replied"), _("Median (hours)"), _("90th percentile (hours)")],
            [[_num(reply["replied"]), _num(reply["median_hours"]), _num(reply["p90_hours"])]],
            text_cols=0,
            minor=True,
        ),
        Block(
            _("Work orders by unit"),
            [_("Unit"), *counts],
            _figures(wo["by_unit"], _unit),
            empty=none,
        ),
    ]
    return out


def _counted(title: str, head: str, rows: list[tuple[Any, Any]]) -> Block:
    return Block(
        title,
        [head, _("Count")],
        [[str(label), _num(n)] for label, n in rows],
        empty=_("None yet"),
        minor=True,
    )


def _complaints(summary: dict[str, Any]) -> list[Block]:
    c = summary["complaints"]
    none = _("No complaints this month.")
    causes = summary.get("top_causes") or {}
    return [
        Block(
            _("Complaints by unit"),
            [
                _("Unit"),
                _("Complaints"),
                _("Replied"),
                _("Reply rate"),
                _("Replied in time"),
                _("Timely rate"),
            ],
            [
                [
                    _unit(r),
                    _num(r["complaints"]),
                    _num(r["replied"]),
                    _pct(r["reply_rate"]),
                    _num(r["timely"]),
                    _pct(r["timely_rate"]),
                ]
                for r in c.get("by_unit", [])
            ],
            empty=none,
        ),
        Block(
            _("Complaints by sub-type"),
            [_("Sub-type"), _("Complaints"), _("Replied"), _("Replied in time")],
            [
                [
                    str(r.get("subtype_label") or "—"),
                    _num(r["complaints"]),
                    _num(r["replied"]),
                    _num(r["timely"]),
                ]
                for r in c.get("by_subtype", [])
                if r["type"] == "complaint"
            ],
            empty=none,
        ),
        _counted(
            _("Responsibility ruling"),
            _("Ruling"),
            [(r["label"], r["count"]) for r in c.get("by_ruling", [])],
        ),
        _counted(
            _("Satisfaction of follow-ups"),
            _("Satisfaction"),
            [(r["label"], r["count"]) for r in c.get("by_satisfaction", [])],
        ),
        _counted(
            _("Top causes of complaints"),
            _("Keyword"),
            [(r["word"], r["count"]) for r in causes.get("by_word", [])],
        ),
        Block(
            _("Units with the most overdue work"),
            [_("Unit"), _("Overdue")],
            [[_unit(r), _num(r["overdue"])] for r in summary.get("most_overdue_units") or []],
            empty=_("Nothing overdue."),
            minor=True,
        ),
    ]


def _notices(notices: dict[str, Any]) -> Block:
    return Block(
        _("Notices and their feedback"),
        [_("Metric"), _("Value")],
        [
            [_("Issued"), _num(notices["issued"])],
            [_("Fed back"), _num(notices["fed_back"])],
            [_("Fed back in time"), _num(notices["fed_back_in_time"])],
            [_("Feedback rate"), _pct(notices.get("rate"))],
            [_("Timely feedback rate"), _pct(notices.get("timely_rate"))],
        ],
    )


def _calls(calls: dict[str, Any]) -> Block:
    return Block(
        _("Calls of the month"),
        [_("Metric"), _("Value")],
        [
            [_("Offered"), _num(calls.get("offered"))],
            [_("Answered"), _num(calls.get("answered"))],
            [_("Abandoned"), _num(calls.get("abandoned"))],
            [_("Short abandoned"), _num(calls.get("short_abandoned"))],
            [_("Service level"), _pct(calls.get("service_level"))],
            [_("Abandonment rate"), _pct(calls.get("abandonment_rate"))],
            [_("Average speed of answer (s)"), _num(calls.get("asa_seconds"))],
            [_("Average handling time (s)"), _num(calls.get("aht_seconds"))],
        ],
    )


def _blocks(summary: dict[str, Any]) -> list[list[Block]]:
    """The summary as rows of blocks: one block a row, or two short ones side by side."""
    complaints = _complaints(summary)
    rows: list[list[Block]] = [[b] for b in _work_orders(summary)]
    rows += [[complaints[0]], [complaints[1]], complaints[2:4], complaints[4:6]]
    last = [
        block
        for block in (
            _notices(summary["notices"]) if summary.get("notices") else None,
            _calls(summary["calls"]) if summary.get("calls") else None,
        )
        if block
    ]
    if last:
        rows.append(last)
    return rows


def _page_counter() -> str:
    """The footer's "page N of M" as a CSS `content` value, in the reader's language."""
    text = _("Page {page} of {pages}")

    def quoted(part: str) -> str:
        return '"' + part.replace("\\", "\\\\").replace('"', '\\"') + '"'

    page_at, pages_at = text.index("{page}"), text.index("{pages}")
    return " ".join(
        (
            quoted(text[:page_at]),
            "counter(page)",
            quoted(text[page_at + len("{page}") : pages_at]),
            "counter(pages)",
            quoted(text[pages_at + len("{pages}") :]),
        )
    )


def render_month_pdf(summary: dict[str, Any], *, centre: str | None = None) -> bytes:
    """The A4 PDF of one `month_report` document: title, month and as-of time, the
    targets and their chart, work orders, complaints, notices and (when the reader may
    see them) calls, with the centre's name, the month and the page number on every page."""
    centre = centre or _("Postal customer service centre")
    year, month = (int(part) for part in summary["month"].split("-"))
    month_label = date_format(date(year, month, 1), "YEAR_MONTH_FORMAT")
    as_of = timezone.localtime(datetime.fromisoformat(summary["as_of"]))
    title = _("%(centre)s month-end summary") % {"centre": centre}
    html = render_to_string(
        "reports/pdf/month.html",
        {
            "centre": centre,
            "title": title,
            "month_label": month_label,
            "as_of": _("Figures as of %(as_of)s")
            % {"as_of": date_format(as_of, "DATETIME_FORMAT")},
            "targets": _targets(summary),
            "chart": mark_safe(targets_chart(summary["targets"])),  # noqa: S308 (pygal's own markup; labels escaped by it)
            "rows": _blocks(summary),
            "page_counter": mark_safe(_page_counter()),  # noqa: S308 (quoted above)
        },
    )
    from weasyprint import HTML  # here: loading Pango is only worth it for a PDF

    return bytes(HTML(string=html).write_pdf())
