"""League tables: units and agents side by side for a month or a range of months, within
the reader's scope, sortable by any column.

Every figure is the owning app's: complaints, replies and timely replies per handling unit
from `workorders.selectors.complaint_kpis`, notices and their feedback per unit from
`notices.selectors.notice_kpi` (both per month, summed over the range), overdue orders
and rulings against a unit and each agent's orders taken and follow-ups from
`workorders.tallies`, calls answered and AHT per agent from `calls.selectors`, the quality
score per agent from `quality.selectors.agent_scorecards` (the mean of the months'
averages weighted by their evaluations). Rates are computed here from the summed counts.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from postdesk.calls.selectors import call_metrics_for_days, is_supervisor
from postdesk.core.errors import ValidationFailed
from postdesk.core.periods import Month, month_span
from postdesk.notices.selectors import notice_kpi
from postdesk.org.models import Unit, User
from postdesk.quality.selectors import agent_scorecards
from postdesk.workorders.selectors import complaint_kpis
from postdesk.workorders.tallies import agent_tallies, unit_tallies

MAX_MONTHS = 12

UNIT_COLUMNS = (
    "complaints",
    "replied",
    "reply_rate",
    "timely_rate",
    "overdue",
    "notices",
    "notice_feedback_rate",
    "ruled_against",
)
AGENT_COLUMNS = (
    "calls_answered",
    "aht_seconds",
    "orders_taken",
    "follow_ups",
    "satisfaction_rate",
    "quality_score",
)

COLUMN_LABELS = {
    "complaints": gettext_lazy("Complaints"),
    "replied": gettext_lazy("Replied"),
    "reply_rate": gettext_lazy("Reply rate"),
    "timely_rate": gettext_lazy("Replied in time"),
    "overdue": gettext_lazy("Overdue"),
    "notices": gettext_lazy("Notices"),
    "notice_feedback_rate": gettext_lazy("Notice feedback rate"),
    "ruled_against": gettext_lazy("Ruled responsible"),
    "calls_answered": gettext_lazy("Calls answered"),
    "aht_seconds": gettext_lazy("AHT"),
    "orders_taken": gettext_lazy("Orders taken"),
    "follow_ups": gettext_lazy("Follow-ups"),
    "satisfaction_rate": gettext_lazy("Satisfied"),
    "quality_score": gettext_lazy("Quality score"),
}
RATE_COLUMNS = frozenset({"reply_rate", "timely_rate", "notice_feedback_rate", "satisfaction_rate"})


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _months(first: Month, last: Month) -> list[Month]:
    if last < first:
        raise ValidationFailed(fields={"to": _("The last month comes before the first.")})
    months = month_span(first, last)
    if len(months) > MAX_MONTHS:
        raise ValidationFailed(fields={"to": _("Give at most %(n)d months.") % {"n": MAX_MONTHS}})
    return months


def _sorted(rows: list[dict[str, Any]], key: str, columns: tuple[str, ...], desc: bool) -> None:
    if key not in columns:
        raise ValidationFailed(
            fields={"sort": _("Sort by one of: %(columns)s.") % {"columns": ", ".join(columns)}}
        )
    present = [r for r in rows if r[key] is not None]
    missing = [r for r in rows if r[key] is None]  # no data: always last
    present.sort(key=lambda r: (r[key], r["name"]), reverse=desc)
    rows[:] = present + missing


def unit_league(
    *,
    user: User,
    first: Month,
    last: Month | None = None,
    as_of: datetime,
    sort: str = "complaints",
    desc: bool = True,
) -> list[dict[str, Any]]:
    """One row per unit with work in the range."""
    months = _months(first, last or first)
    counts: dict[str, dict[str, Any]] = defaultdict(
        lambda: {
            "name": "",
            "complaints": 0,
            "replied": 0,
            "timely": 0,
            "overdue": 0,
            "ruled_against": 0,
            "notices": 0,
            "fed_back": 0,
        }
    )
    for month in months:
        for row in complaint_kpis(user=user, month=month)["by_unit"]:
            if row["unit"]:
                c = counts[row["unit"]]
                c["name"] = c["name"] or row["unit_name"]
                for field in ("complaints", "replied", "timely"):
                    c[field] += row[field]
        for row in notice_kpi(user=user, month=month, as_of=as_of)["by_unit"]:
            c = counts[row["unit"]]
            c["notices"] += row["issued"]
            c["fed_back"] += row["fed_back"]
    tallies = unit_tallies(user=user, start=months[0].start, end=months[-1].end)
    for code, tally in tallies.items():
        c = counts[code]
        c["name"] = c["name"] or tally["name"]
        c["overdue"] += tally["overdue"]
        c["ruled_against"] += tally["ruled_against"]
    names = dict(Unit.objects.filter(code__in=list(counts)).values_list("code", "name"))
    rows = [
        {
            "unit": code,
            "name": c["name"] or names.get(code, code),
            "complaints": c["complaints"],
            "replied": c["replied"],
            "reply_rate": _rate(c["replied"], c["complaints"]),
            "timely_rate": _rate(c["timely"], c["complaints"]),
            "overdue": c["overdue"],
            "notices": c["notices"],
            "notice_feedback_rate": _rate(c["fed_back"], c["notices"]),
            "ruled_against": c["ruled_against"],
        }
        for code, c in counts.items()
    ]
    _sorted(rows, sort, UNIT_COLUMNS, desc)
    return rows


def agent_league(
    *,
    user: User,
    first: Month,
    last: Month | None = None,
    as_of: datetime,
    sort: str = "calls_answered",
    desc: bool = True,
) -> list[dict[str, Any]]:
    """One row per agent with calls, orders or follow-ups in the range. Call figures only
    for readers who may see the call metrics (team leads, directors, administrators)."""
    del as_of  # the agents' figures are all of recorded events
    months = _months(first, last or first)
    tallies = agent_tallies(user=user, start=months[0].start, end=months[-1].end)
    calls: dict[str, dict[str, Any]] = {}
    if is_supervisor(user=user):
        calls = call_metrics_for_days(
            user=user, first=months[0].first_day, last=months[-1].last_day
        ).get("by_user", {})
    quality: dict[str, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    names: dict[str, str] = {}
    for month in months:
        for card in agent_scorecards(user=user, month=month):
            if card["average"] is not None:
                q = quality[card["agent"]]
                q[0] += Decimal(str(card["average"])) * card["evaluated"]
                q[1] += card["evaluated"]
                names[card["agent"]] = card["name"]
    usernames = (set(tallies) | set(calls) | set(quality)) - {"unknown", ""}
    rows = []
    for username in usernames:
        t = tallies.get(username, {"taken": 0, "follow_ups": 0, "satisfied": 0})
        c = calls.get(username, {})
        score = quality.get(username)
        rows.append(
            {
                "agent": username,
                "name": t.get("name") or names.get(username, username),
                "calls_answered": c.get("answered", 0),
                "aht_seconds": c.get("aht_seconds"),
                "orders_taken": t["taken"],
                "follow_ups": t["follow_ups"],
                "satisfaction_rate": _rate(t["satisfied"], t["follow_ups"]),
                "quality_score": float(round(score[0] / score[1], 2))
                if score and score[1]
                else None,
            }
        )
    _sorted(rows, sort, AGENT_COLUMNS, desc)
    return rows
