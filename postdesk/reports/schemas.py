"""The month-end report's typed answer (`GET /api/v1/reports/month`): every section the
/reports/ page, its PDF and its Excel show, field by field."""

from __future__ import annotations

from ninja import Schema

from postdesk.calls.schemas import CallReportOut
from postdesk.notices.api import KpiKindRow, KpiRow, KpiUnitRow


class ReplyFigures(Schema):
    """Complaints created in the month, replied, replied by the deadline (rates 0–1)."""

    complaints: int
    replied: int
    reply_rate: float | None
    timely: int
    timely_rate: float | None


class ReplyByUnit(ReplyFigures):
    unit: str | None
    unit_name: str


class ReplyByType(ReplyFigures):
    type: str


class ReplyBySubtype(ReplyFigures):
    type: str
    subtype: str
    subtype_label: str | None = None


class ComplaintKpiOut(ReplyFigures):
    month: str
    target_reply_rate: float
    by_unit: list[ReplyByUnit]
    by_type: list[ReplyByType]
    by_subtype: list[ReplyBySubtype]


class TargetOut(Schema):
    """One quality target. `state`: met, pending (short only by items still inside their
    time limit: `not_yet_due`; it can still be met), short or no_data; `late` the items
    against it whose time limit has passed."""

    key: str
    label: str
    numerator: int
    denominator: int
    value: float | None
    target: float
    met: bool | None
    state: str
    not_yet_due: int
    late: int
    value_pct: str
    target_pct: str
    last_month: float | None
    last_month_pct: str
    last_year: float | None
    last_year_pct: str


class Figures(Schema):
    """Work orders created in the month, closed, still open, overdue among them."""

    created: int
    closed: int
    open: int
    overdue: int


class TypeRow(Figures):
    type: str
    label: str


class SubtypeRow(Figures):
    type: str
    type_label: str
    subtype: str
    subtype_label: str


class ChannelRow(Figures):
    channel: str
    label: str


class UnitRow(Figures):
    unit: str | None
    unit_name: str


class ReplyTime(Schema):
    replied: int
    median_hours: float | None
    p90_hours: float | None


class Breakdowns(Schema):
    by_subtype: list[SubtypeRow]
    by_channel: list[ChannelRow]
    by_unit: list[UnitRow]
    reply_time: ReplyTime


class Counted(Schema):
    label: str
    count: int


class RulingRow(Counted):
    ruling: str


class SatisfactionRow(Counted):
    satisfaction: str


class MonthComplaints(ComplaintKpiOut):
    by_ruling: list[RulingRow]
    by_satisfaction: list[SatisfactionRow]


class MonthNotices(KpiRow):
    month: str
    by_unit: list[KpiUnitRow]
    by_kind: list[KpiKindRow]
    dispatched: int  # the older name of `issued`


class CauseBySubtype(Counted):
    subtype: str


class CauseByWord(Schema):
    word: str
    count: int


class TopCauses(Schema):
    by_subtype: list[CauseBySubtype]
    by_word: list[CauseByWord]


class OverdueUnit(Schema):
    unit: str | None
    unit_name: str
    overdue: int


class ScoreRow(Schema):
    key: str | int | None
    name: str
    evaluated: int
    quota: int
    average: float | None
    fatal_failed: int


class Inspection(Schema):
    by_team: list[ScoreRow]
    by_agent: list[ScoreRow]
    by_unit: list[ScoreRow]


class MonthReportOut(Schema):
    """The month-end report; `calls` and `inspection` are null for readers who are not
    team leads, directors or administrators."""

    month: str
    as_of: str
    targets: list[TargetOut]
    work_orders: list[TypeRow]
    work_order_breakdowns: Breakdowns
    complaints: MonthComplaints
    notices: MonthNotices
    top_causes: TopCauses
    most_overdue_units: list[OverdueUnit]
    calls: CallReportOut | None
    inspection: Inspection | None
