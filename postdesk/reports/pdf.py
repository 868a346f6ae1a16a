"""The month-end summary as an A4 PDF: an HTML page (`reports/pdf/month.html`) laid out by
WeasyPrint in Debian's Noto Sans CJK, the fonts subset and embedded, so the file reads the
same on any machine; the chart is SVG (`charts.targets_chart`).

It lays out exactly the document `selectors.month_report` returns — the page and the
Excel show the same — and recounts nothing: `layout.py` turns the document into headed
tables (the Excel workbook writes the same), this module formats their cells and the
template draws them, with the page furniture: the title and month at the top of every
page, the centre's name and "page N of M" at its foot.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from postdesk.reports.charts import targets_chart
from postdesk.reports.layout import COUNT, DECIMAL, RATE, TEXT, Block, summary_blocks, targets_block


def show(value: Any, kind: str) -> str:
    """A cell as the PDF prints it: counts with thousands separators, rates as percents
    to two places, hours and seconds to one, nothing as "—"."""
    if value is None:
        return "—"
    if kind == RATE:
        return f"{value * 100:.2f}%"
    if kind == DECIMAL:
        return f"{float(value):,.1f}"
    if kind == COUNT:
        return f"{int(value):,}"
    return str(value)


@dataclass(frozen=True)
class Table:
    """A block drawn: its heading, header cells and body cells as (text, CSS class)."""

    title: str
    minor: bool
    empty: str
    header: list[tuple[str, str]]
    body: list[list[tuple[str, str]]]


def _table(block: Block) -> Table:
    def css(i: int, j: int) -> str:
        names = "name" if block.columns[j].kind == TEXT else ""
        return f"{names} flag".strip() if (i, j) in block.flagged else names

    return Table(
        block.title,
        block.minor,
        block.empty,
        [(c.label, "name" if c.kind == TEXT else "") for c in block.columns],
        [
            [(show(v, block.kind(i, j)), css(i, j)) for j, v in enumerate(line)]
            for i, line in enumerate(block.rows)
        ],
    )


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
            "targets": _table(targets_block(summary)),
            "chart": mark_safe(targets_chart(summary["targets"])),  # noqa: S308 (pygal's own markup; labels escaped by it)
            "rows": [[_table(b) for b in row] for row in summary_blocks(summary)],
            "page_counter": mark_safe(_page_counter()),  # noqa: S308 (quoted above)
        },
    )
    from weasyprint import HTML  # here: loading Pango is only worth it for a PDF

    return bytes(HTML(string=html).write_pdf())
