"""The league tables' headings (a link that sorts by the column) and cells (rates as
percentages, seconds with their unit, a dash where there is no data)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import template
from django.utils.html import format_html

from postdesk.core.periods import Month
from postdesk.reports.league import COLUMN_LABELS, RATE_COLUMNS

register = template.Library()


@register.simple_tag
def league_heading(
    table: str,
    column: str,
    sort: str,
    desc: bool,
    first: Month,
    last: Month,
    other_sort: str,
    other_desc: bool,
) -> str:
    other = "agent" if table == "unit" else "unit"
    active = column == sort
    query = {
        "month": str(first),
        "to": str(last),
        f"{table}_sort": column,
        f"{table}_dir": "asc" if active and desc else "desc",
        f"{other}_sort": other_sort,
        f"{other}_dir": "desc" if other_desc else "asc",
    }
    arrow = ("▼" if desc else "▲") if active else ""
    return format_html(
        '<a href="?{}" data-sort="{}">{}{}</a>',
        urlencode(query),
        column,
        COLUMN_LABELS[column],
        arrow,
    )


@register.simple_tag
def league_cell(row: dict[str, Any], column: str) -> str:
    value = row.get(column)
    if value is None:
        return "—"
    if column in RATE_COLUMNS:
        return f"{value * 100:.2f}%"
    if column == "aht_seconds":
        return f"{value:.0f} s"
    if column == "quality_score":
        return f"{value:.2f}"
    return str(value)
