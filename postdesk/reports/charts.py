"""The month summary's chart as SVG (pygal): each target this month, last month and in the
same month last year, against its goal. SVG so the PDF keeps it sharp at any zoom and the
text in it stays text."""

from __future__ import annotations

from typing import Any

import pygal
from django.utils.translation import gettext as _
from pygal.style import Style

FONT = "Noto Sans CJK SC"
_STYLE = Style(
    font_family=FONT,
    background="white",
    plot_background="white",
    foreground="#1F2933",
    foreground_strong="#1F2933",
    foreground_subtle="#B8C4CC",
    colors=("#B8C4CC", "#6B7785", "#0B6E4F"),
    label_font_size=11,
    major_label_font_size=11,
    legend_font_size=11,
    value_font_size=9,
)


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


def targets_chart(targets: list[dict[str, Any]]) -> str:
    """An SVG bar chart (markup, no script) of the four targets; None values are gaps."""
    chart = pygal.Bar(
        style=_STYLE,
        width=760,
        height=280,
        explicit_size=True,
        js=[],
        range=(0, 1),
        y_labels=[0, 0.25, 0.5, 0.75, 1],
        value_formatter=_pct,
        legend_at_bottom=True,
        legend_at_bottom_columns=3,
        print_values=True,
        margin=8,
    )
    chart.x_labels = [str(t["label"]) for t in targets]
    chart.add(_("same month last year"), [t.get("last_year") for t in targets])
    chart.add(_("last month"), [t.get("last_month") for t in targets])
    chart.add(_("this month"), [t.get("value") for t in targets])
    return str(chart.render(is_unicode=True, disable_xml_declaration=True))
