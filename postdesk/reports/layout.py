"""The month summary as headed tables, once, for both files: the PDF (`pdf.py`) draws each
`Block` as a table under its heading, the Excel workbook (`excel.py`) writes each as a
sheet. A cell holds the value itself (a count, a rate, hours, a name); its column's kind
says how to show it, so the PDF prints "66.67%" where Excel stores 0.6667 with a percent
format. Read from the document `selectors.month_report` returns; nothing is recounted."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

TEXT, COUNT, RATE, DECIMAL = "text", "count", "rate", "decimal"


@dataclass
class Column:
    label: str
    kind: str = COUNT  # TEXT | COUNT | RATE | DECIMAL


@dataclass
class Block:
    """A heading and a table under it (or a line saying there is nothing to show)."""

    title: str
    columns: list[Column]
    rows: list[list[Any]] = field(default_factory=list)
    empty: str = ""
    minor: bool = False  # a sub-heading in the PDF
    flagged: set[tuple[int, int]] = field(default_factory=set)  # (row, col) shown in red
    value_kinds: list[str] = field(default_factory=list)  # per row, the last column's kind

    def kind(self, row: int, col: int) -> str:
        if self.value_kinds and col == len(self.columns) - 1:
            return self.value_kinds[row]
        return self.columns[col].kind


def _texts(*labels: str) -> list[Column]:
    return [Column(label, TEXT) for label in labels]


def _counts(*labels: str) -> list[Column]:
    return [Column(label) for label in labels]


def _unit(row: dict[str, Any]) -> str:
    return str(row.get("unit_name") or _("No unit"))


STATE_LABELS = {
    "no_data": _("no data"),
    "met": pgettext("target state", "met"),
    "pending": _("in progress"),
    "short": _("below target"),
}


def _state(t: dict[str, Any]) -> str:
    """The target's state key (summaries stored before `state` existed fall back to
    `met`)."""
    met = t["met"]
    return str(t.get("state") or ("no_data" if met is None else "met" if met else "short"))


def _figures(rows: list[dict[str, Any]], label: Any) -> list[list[Any]]:
    return [[label(r), r["created"], r["closed"], r["open"], r["overdue"]] for r in rows]


def targets_block(summary: dict[str, Any]) -> Block:
    block = Block(
        _("Quality targets"),
        [
            Column(_("Target"), TEXT),
            Column(_("Achieved"), RATE),
            Column(_("Target value"), RATE),
            Column(_("Numerator")),
            Column(_("Denominator")),
            Column(_("last month"), RATE),
            Column(_("same month last year"), RATE),
            Column(_("Met"), TEXT),
        ],
    )
    for i, t in enumerate(summary["targets"]):
        block.rows.append(
            [
                str(t["label"]),
                t["value"],
                t["target"],
                t["numerator"],
                t["denominator"],
                t.get("last_month"),
                t.get("last_year"),
                str(STATE_LABELS[_state(t)]),
            ]
        )
        if _state(t) == "short":
            block.flagged.add((i, 7))
    return block


def _work_orders(summary: dict[str, Any]) -> list[Block]:
    counts = _counts(_("Created"), _("Closed"), _("Open"), _("Overdue"))
    none = _("No work orders this month.")
    out = [
        Block(
            _("Work orders of the month"),
            [*_texts(_("Type")), *counts],
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
    return [
        *out,
        Block(
            _("Work orders by type and sub-type"),
            [*_texts(_("Type"), _("Sub-type")), *counts],
            subtypes,
            empty=none,
        ),
        Block(
            _("Work orders by channel"),
            [*_texts(_("Channel")), *counts],
            _figures(wo["by_channel"], lambda r: str(r["label"])),
        ),
        Block(
            _("Time to reply"),
            [
                Column(_("Replied")),
                Column(_("Median (hours)"), DECIMAL),
                Column(_("90th percentile (hours)"), DECIMAL),
            ],
            [[reply["replied"], reply["median_hours"], reply["p90_hours"]]],
            minor=True,
        ),
        Block(
            _("Work orders by unit"),
            [*_texts(_("Unit")), *counts],
            _figures(wo["by_unit"], _unit),
            empty=none,
        ),
    ]


def _counted(title: str, head: str, rows: list[tuple[Any, Any]]) -> Block:
    return Block(
        title,
        [Column(head, TEXT), Column(_("Count"))],
        [[str(label), n] for label, n in rows],
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
                Column(_("Unit"), TEXT),
                Column(_("Complaints")),
                Column(_("Replied")),
                Column(_("Reply rate"), RATE),
                Column(_("Replied in time")),
                Column(_("Timely rate"), RATE),
            ],
            [
                [
                    _unit(r),
                    r["complaints"],
                    r["replied"],
                    r["reply_rate"],
                    r["timely"],
                    r["timely_rate"],
                ]
                for r in c.get("by_unit", [])
            ],
            empty=none,
        ),
        Block(
            _("Complaints by sub-type"),
            [*_texts(_("Sub-type")), *_counts(_("Complaints"), _("Replied"), _("Replied in time"))],
            [
                [str(r.get("subtype_label") or "—"), r["complaints"], r["replied"], r["timely"]]
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
            [Column(_("Unit"), TEXT), Column(_("Overdue"))],
            [[_unit(r), r["overdue"]] for r in summary.get("most_overdue_units") or []],
            empty=_("Nothing overdue."),
            minor=True,
        ),
    ]


def _metrics(title: str, rows: list[tuple[str, Any, str]]) -> Block:
    """A two-column table of named figures, (label, value, kind): a count, a rate, seconds."""
    return Block(
        title,
        [Column(_("Metric"), TEXT), Column(_("Value"))],
        [[label, value] for label, value, _kind in rows],
        value_kinds=[kind for _label, _value, kind in rows],
    )


def _notices(notices: dict[str, Any]) -> Block:
    return _metrics(
        _("Notices and their feedback"),
        [
            (_("Issued"), notices["issued"], COUNT),
            (_("Fed back"), notices["fed_back"], COUNT),
            (_("Fed back in time"), notices["fed_back_in_time"], COUNT),
            (_("Feedback rate"), notices.get("rate"), RATE),
            (_("Timely feedback rate"), notices.get("timely_rate"), RATE),
        ],
    )


def _calls(calls: dict[str, Any]) -> Block:
    return _metrics(
        _("Calls of the month"),
        [
            (_("Offered"), calls.get("offered"), COUNT),
            (_("Answered"), calls.get("answered"), COUNT),
            (_("Abandoned"), calls.get("abandoned"), COUNT),
            (_("Short abandoned"), calls.get("short_abandoned"), COUNT),
            (_("Service level"), calls.get("service_level"), RATE),
            (_("Abandonment rate"), calls.get("abandonment_rate"), RATE),
            (_("Average speed of answer (s)"), calls.get("asa_seconds"), DECIMAL),
            (_("Average handling time (s)"), calls.get("aht_seconds"), DECIMAL),
        ],
    )


def _inspection(inspection: dict[str, Any]) -> list[Block]:
    head = [
        Column(_("Evaluated")),
        Column(_("Quota")),
        Column(_("Average score"), DECIMAL),
        Column(_("Fatal fails")),
    ]

    def rows(items: list[dict[str, Any]]) -> list[list[Any]]:
        return [
            [r["name"] or r["key"], r["evaluated"], r["quota"], r["average"], r["fatal_failed"]]
            for r in items
        ]

    none = _("No evaluations this month.")
    return [
        Block(
            _("Quality inspection by team"),
            [Column(_("Team"), TEXT), *head],
            rows(inspection["by_team"]),
            empty=none,
        ),
        Block(
            _("Quality inspection by agent"),
            [Column(_("Agent"), TEXT), *head],
            rows(inspection["by_agent"]),
            empty=none,
        ),
        Block(
            _("Quality inspection of branch replies"),
            [Column(_("Unit"), TEXT), *head],
            rows(inspection["by_unit"]),
            empty=none,
        ),
    ]


def summary_blocks(summary: dict[str, Any]) -> list[list[Block]]:
    """The summary after its targets, as rows of blocks: one block a row, or two short
    ones side by side (the PDF sets them so; the workbook gives each its sheet)."""
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
    if summary.get("inspection"):
        rows += [[b] for b in _inspection(summary["inspection"])]
    return rows
