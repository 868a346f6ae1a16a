"""The month-end report: the centre's four quality targets and the month's summary.

Read-only: every figure comes from the owning app's selectors, through the reader's
scope. The four targets (KF/ZDS-02 of the centre's manual):
1. 投递信息上网率 — delivery results put online ÷ delivery attempts (tracking), ≥ 98%;
2. 上网及时率 — put online in time ÷ attempts (tracking), ≥ 96%;
3. 服务投诉处理回复率 — complaints with a reply ÷ complaints created (work orders), 100%;
4. 投递、揽收信息通知反馈率 — notices issued in the month that the unit fed back on ÷
   notices issued (less those cancelled before their deadline), 100%: the notices app's
   `notice_kpi` (a dispatched pickup issues its notice).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from postdesk.calls.selectors import call_metrics_for_days, is_supervisor
from postdesk.core.errors import NotFound
from postdesk.core.periods import FIRST_YEAR, Month, month_span
from postdesk.notices.selectors import notice_kpi
from postdesk.org.models import Role, User
from postdesk.org.selectors import scope_for
from postdesk.quality.selectors import agent_scorecards, team_scorecards, unit_scorecards
from postdesk.reports.models import MonthSummary
from postdesk.reports.rules import can_read_archive
from postdesk.reports.sections import (
    complaint_breakdowns,
    most_overdue_units,
    top_causes,
    work_order_breakdowns,
)
from postdesk.reports.target_items import not_yet_due
from postdesk.tracking.selectors import delivery_kpi
from postdesk.workorders.flows import terminal_statuses
from postdesk.workorders.labels import subtype_label, type_label
from postdesk.workorders.selectors import (
    complaint_headline,
    complaint_kpis,
    work_orders_visible,
)

WORK_ORDER_TYPES = (
    "query",
    "consultation",
    "complaint",
    "suggestion",
    "tracing",
    "pickup",
    "booking",
)


@dataclass(frozen=True)
class Target:
    key: str
    label: str | Promise
    numerator: int
    denominator: int
    value: float | None
    target: float
    not_yet_due: int = 0  # counted against, but still inside their time limit

    @property
    def met(self) -> bool | None:
        return None if self.value is None else self.value >= self.target

    @property
    def late(self) -> int:
        """Items against the target whose time limit has passed (or that have none)."""
        return self.denominator - self.numerator - self.not_yet_due

    @property
    def state(self) -> str:
        """`met`, `pending` (short only by items still inside their time limit: it can
        still be met), `short` or `no_data` — what the page paints (pure)."""
        if self.met is None:
            return "no_data"
        if self.met:
            return "met"
        if self.numerator + self.not_yet_due >= self.target * self.denominator:
            return "pending"
        return "short"

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": str(self.label),
            "numerator": self.numerator,
            "denominator": self.denominator,
            "value": self.value,
            "target": self.target,
            "met": self.met,
            "state": self.state,
            "not_yet_due": self.not_yet_due,
            "late": self.late,
            "value_pct": "—" if self.value is None else f"{self.value * 100:.2f}%",
            "target_pct": f"{self.target * 100:.0f}%",
        }


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def notification_feedback(
    *, user: User, month: Month, as_of: datetime | None = None
) -> dict[str, Any]:
    """The fourth target exactly as the notices app defines it (`notices.kpi_rules`):
    notices issued in the month (less those cancelled before their deadline) and how many
    were fed back by as-of. `dispatched` is the older name of `issued`."""
    kpi = notice_kpi(user=user, month=month, as_of=as_of or timezone.now())
    return {**kpi, "dispatched": kpi["issued"]}


def work_order_summary(*, user: User, month: Month) -> list[dict[str, Any]]:
    """Per type: created in the month, closed, still open, overdue among them."""
    closed = list(terminal_statuses())
    rows = (
        work_orders_visible(user=user)
        .filter(created_at__gte=month.start, created_at__lt=month.end)
        .values("type")
        .annotate(
            created=Count("id"),
            closed=Count("id", filter=Q(status__in=closed)),
            overdue=Count("id", filter=Q(breached=True)),
        )
    )
    by_type = {row["type"]: row for row in rows}
    return [
        {
            "type": kind,
            "label": type_label(kind),
            "created": int(by_type.get(kind, {}).get("created", 0)),
            "closed": int(by_type.get(kind, {}).get("closed", 0)),
            "open": int(by_type.get(kind, {}).get("created", 0))
            - int(by_type.get(kind, {}).get("closed", 0)),
            "overdue": int(by_type.get(kind, {}).get("overdue", 0)),
        }
        for kind in WORK_ORDER_TYPES
    ]


def quality_targets(
    *, user: User, month: Month, as_of: datetime, complaints: dict[str, Any] | None = None
) -> list[Target]:
    """The four targets of `month`; `complaints`: the month's `complaint_kpis` when the
    caller has them already (its headline figures are all the targets read)."""
    delivery = delivery_kpi(user=user, month=month, as_of=as_of)["centre"]
    if complaints is None:
        complaints = complaint_headline(user=user, month=month)
    feedback = notification_feedback(user=user, month=month, as_of=as_of)
    attempts = int(delivery["attempts"])
    return [
        Target(
            "online_rate",
            _("Delivery information online rate"),
            int(delivery["online"]),
            attempts,
            _rate(int(delivery["online"]), attempts),
            float(getattr(settings, "TRACKING_ONLINE_TARGET", 0.98)),
        ),
        Target(
            "timely_rate",
            _("Delivery information online in time"),
            int(delivery["timely"]),
            attempts,
            _rate(int(delivery["timely"]), attempts),
            float(getattr(settings, "TRACKING_TIMELY_TARGET", 0.96)),
        ),
        Target(
            "complaint_reply_rate",
            _("Complaint reply rate"),
            int(complaints["replied"]),
            int(complaints["complaints"]),
            complaints["reply_rate"],
            1.0,
            not_yet_due(user=user, key="complaint_reply_rate", month=month, as_of=as_of),
        ),
        Target(
            "notification_feedback_rate",
            _("Delivery and pickup notification feedback rate"),
            int(feedback["fed_back"]),
            int(feedback["issued"]),
            feedback["rate"],
            1.0,
            not_yet_due(user=user, key="notification_feedback_rate", month=month, as_of=as_of),
        ),
    ]


def targets_compared(
    *, user: User, month: Month, as_of: datetime, complaints: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    """The four targets of `month`, each with the same target's value last month and in
    the same month last year beside it (None before the calendar's first year);
    `complaints`: `month`'s `complaint_kpis`, when the caller has them."""
    current = [
        t.as_dict()
        for t in quality_targets(user=user, month=month, as_of=as_of, complaints=complaints)
    ]
    earlier: dict[str, dict[str, Any]] = {}
    for name, back in (("last_month", -1), ("last_year", -12)):
        try:
            other = month.shift(back)
        except ValueError:  # before the calendar's first month
            continue
        for t in quality_targets(user=user, month=other, as_of=as_of):
            earlier.setdefault(t.key, {})[name] = t.as_dict()
    for row in current:
        for name in ("last_month", "last_year"):
            past = earlier.get(row["key"], {}).get(name)
            row[name] = None if past is None else past["value"]
            row[f"{name}_pct"] = "—" if past is None else past["value_pct"]
    return current


def inspection_summary(*, user: User, month: Month) -> dict[str, Any]:
    """The month's quality inspection (质检) scorecards by team, agent and handling unit
    (branch replies), in league order, as the quality app counts them (its scope)."""

    def rows(cards: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
        return [
            {
                "key": c[kind],
                "name": c["name"],
                "evaluated": c["evaluated"],
                "quota": c["quota"],
                "average": None if c["average"] is None else float(c["average"]),
                "fatal_failed": c["fatal_failed"],
            }
            for c in cards
            if kind in c
        ]

    return {
        "by_team": rows(team_scorecards(user=user, month=month), "team"),
        "by_agent": rows(agent_scorecards(user=user, month=month), "agent"),
        "by_unit": rows(unit_scorecards(user=user, month=month), "unit"),
    }


def month_report(*, user: User, month: Month, as_of: datetime) -> dict[str, Any]:
    """Everything the month-end report shows, as one JSON-ready document."""
    complaints = complaint_kpis(user=user, month=month)  # read once: targets and section
    report: dict[str, Any] = {
        "month": str(month),
        "as_of": as_of.isoformat(),
        "targets": targets_compared(user=user, month=month, as_of=as_of, complaints=complaints),
        "work_orders": work_order_summary(user=user, month=month),
        "work_order_breakdowns": work_order_breakdowns(user=user, month=month, as_of=as_of),
        "complaints": {
            **complaints,
            **complaint_breakdowns(user=user, month=month),
        },
        "notices": notification_feedback(user=user, month=month, as_of=as_of),
        "top_causes": top_causes(user=user, month=month),
        "most_overdue_units": most_overdue_units(user=user, as_of=as_of),
        "calls": None,
        "inspection": None,
    }
    for row in report["complaints"]["by_subtype"]:
        row["subtype_label"] = subtype_label(row["subtype"]) or "—"
    if is_supervisor(user=user):
        report["calls"] = call_metrics_for_days(
            user=user, first=month.first_day, last=month.last_day, breakdowns=False
        )
        report["inspection"] = inspection_summary(user=user, month=month)
    return report


def target_trend(*, user: User, month: Month, as_of: datetime, months: int = 6) -> dict[str, Any]:
    """The four targets over the last `months` months (fewer at the calendar's start),
    for the trend chart."""
    series: dict[str, list[float | None]] = {}
    labels: dict[str, str] = {}
    first = month.shift(-min(months - 1, (month.year - FIRST_YEAR) * 12 + month.month - 1))
    names = month_span(first, month)
    for name in names:
        for target in quality_targets(user=user, month=name, as_of=as_of):
            series.setdefault(target.key, []).append(target.value)
            labels[target.key] = str(target.label)
    return {"months": [str(m) for m in names], "series": series, "labels": labels}


# ------------------------------------------------------------------ the archive


def centre_reader() -> User:
    """The reader an archived summary is made for: the whole centre (an administrator's
    scope; calls included). Never saved, so it signs in nowhere; the archive's own
    readers are checked by `rules.can_read_archive`."""
    return User(username="postdesk-month-summary", role=Role.ADMIN, is_active=True)


def summary_recipients() -> list[User]:
    """Who receives the archived summary: the active directors and team leads who see the
    whole centre (a county bureau's lead sees only its county, so not the centre's
    summary either)."""
    users = User.objects.filter(is_active=True, role__in=[Role.DIRECTOR, Role.LEAD])
    return [user for user in users.select_related("unit") if scope_for(user=user).everything]


def month_summaries(*, user: User, month: Month | None = None) -> QuerySet[MonthSummary]:
    """The stored summaries, newest month and version first, without their files; none
    for a reader the archive is not for."""
    rows = MonthSummary.objects.defer("report", "pdf", "xlsx").select_related("created_by")
    if not can_read_archive(user):
        return rows.none()
    return rows.filter(month=str(month)) if month is not None else rows


def month_summary_get(*, user: User, month: Month, version: int) -> MonthSummary:
    """One stored version (with its files); NotFound when there is none, or the reader
    may not read the archive."""
    found = MonthSummary.objects.filter(month=str(month), version=version).first()
    if found is None or not can_read_archive(user):
        raise NotFound()
    return found
