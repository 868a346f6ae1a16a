"""The fourth quality target 投递、揽收信息通知反馈率: the reference rules (pure: no Django,
no database). ``selectors.notice_kpi`` computes the same in SQL and is tested against
this on both databases. The definitions are fixed by the issue:

For a month M and an as-of instant:

* ``issued`` — notices issued in M (and by as-of), excluding those cancelled before
  their deadline (a cancellation known at as-of);
* ``fed_back`` — those with a feedback recorded at or before as-of (done, failed or
  wrong_unit: a notice's first feedback counts, so one routed again keeps it);
* ``fed_back_in_time`` — those whose (first) feedback came by the deadline (at or
  before it, and known at as-of);
* ``rate`` = fed_back ÷ issued, ``timely_rate`` = fed_back_in_time ÷ issued (None when
  issued is 0); by unit (the unit the notice was issued to) and by kind too.

The deadline is the one set at issue; it does not restart when the notice is routed
again after a wrong_unit feedback.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class NoticeFacts:
    number: str
    kind: str
    unit: str  # the code of the unit the notice was issued to
    issued_at: datetime
    due_at: datetime
    first_feedback_at: datetime | None = None
    cancelled_at: datetime | None = None

    def __post_init__(self) -> None:
        for name in ("issued_at", "due_at", "first_feedback_at", "cancelled_at"):
            value = getattr(self, name)
            if value is not None and value.tzinfo is None:
                raise ValueError(f"{name} must be timezone-aware")


def counts_in(notice: NoticeFacts, start: datetime, end: datetime, as_of: datetime) -> bool:
    """Whether the notice is one of the month's `issued`."""
    if not (start <= notice.issued_at < end) or notice.issued_at > as_of:
        return False
    cancelled = notice.cancelled_at
    return not (cancelled is not None and cancelled <= as_of and cancelled < notice.due_at)


def is_fed_back(notice: NoticeFacts, as_of: datetime) -> bool:
    return notice.first_feedback_at is not None and notice.first_feedback_at <= as_of


def is_fed_back_in_time(notice: NoticeFacts, as_of: datetime) -> bool:
    return is_fed_back(notice, as_of) and notice.first_feedback_at <= notice.due_at  # type: ignore[operator]


def rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass
class Tally:
    issued: int = 0
    fed_back: int = 0
    fed_back_in_time: int = 0

    def add(self, issued: int, fed_back: int, in_time: int) -> None:
        self.issued += issued
        self.fed_back += fed_back
        self.fed_back_in_time += in_time

    def figures(self) -> dict[str, Any]:
        return {
            "issued": self.issued,
            "fed_back": self.fed_back,
            "fed_back_in_time": self.fed_back_in_time,
            "rate": rate(self.fed_back, self.issued),
            "timely_rate": rate(self.fed_back_in_time, self.issued),
        }


def assemble(month: str, cells: Iterable[tuple[str, str, int, int, int]]) -> dict[str, Any]:
    """The report from (unit, kind, issued, fed_back, fed_back_in_time) cells: the
    one shape the reference and the SQL answer in."""
    total = Tally()
    by_unit: dict[str, Tally] = {}
    by_kind: dict[str, Tally] = {}
    for unit, kind, issued, fed_back, in_time in cells:
        if not issued:
            continue
        total.add(issued, fed_back, in_time)
        by_unit.setdefault(unit, Tally()).add(issued, fed_back, in_time)
        by_kind.setdefault(kind, Tally()).add(issued, fed_back, in_time)
    return {
        "month": month,
        **total.figures(),
        "by_unit": [{"unit": u, **by_unit[u].figures()} for u in sorted(by_unit)],
        "by_kind": [{"kind": k, **by_kind[k].figures()} for k in sorted(by_kind)],
    }


def notice_kpi_reference(
    notices: Iterable[NoticeFacts], *, month: str, start: datetime, end: datetime, as_of: datetime
) -> dict[str, Any]:
    """The target for the month [start, end) as of `as_of`, from plain facts."""
    cells: dict[tuple[str, str], list[int]] = {}
    for notice in notices:
        if not counts_in(notice, start, end, as_of):
            continue
        cell = cells.setdefault((notice.unit, notice.kind), [0, 0, 0])
        cell[0] += 1
        cell[1] += is_fed_back(notice, as_of)
        cell[2] += is_fed_back_in_time(notice, as_of)
    return assemble(month, ((u, k, *v) for (u, k), v in cells.items()))  # type: ignore[misc]
