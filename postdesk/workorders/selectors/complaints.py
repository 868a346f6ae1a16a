"""The complaint KPIs of a month (reply rate, timely reply rate), in the reader's scope."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, F, Q, QuerySet

from postdesk.core.periods import Month
from postdesk.org.models import Unit, User
from postdesk.workorders.models import WorkOrder
from postdesk.workorders.selectors.orders import work_orders_visible

KPI_TYPES = ("complaint", "suggestion")


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def month_complaints(*, user: User, month: Month) -> QuerySet[WorkOrder]:
    """The complaints behind the month's reply rate (its denominator): created in the
    month, in the reader's scope. `replied_q` is its numerator's condition."""
    return work_orders_visible(user=user).filter(
        type="complaint", created_at__gte=month.start, created_at__lt=month.end
    )


def replied_q() -> Q:
    return Q(replied_at__isnull=False)


def _timely_q() -> Q:
    return Q(replied_at__isnull=False, reply_due_at__isnull=False) & Q(
        replied_at__lte=F("reply_due_at")
    )


def complaint_headline(*, user: User, month: Month) -> dict[str, Any]:
    """`complaint_kpis`'s headline figures alone (complaints, replied, reply_rate,
    timely, timely_rate) in one aggregate: what the month report's targets read of the
    months beside the reported one (`test_complaint_headline` holds it to
    `complaint_kpis`)."""
    row = month_complaints(user=user, month=month).aggregate(
        total=Count("id"),
        replied=Count("id", filter=replied_q()),
        timely=Count("id", filter=_timely_q()),
    )
    total, replied, timely = int(row["total"]), int(row["replied"]), int(row["timely"])
    return {
        "complaints": total,
        "replied": replied,
        "reply_rate": _rate(replied, total),
        "timely": timely,
        "timely_rate": _rate(timely, total),
    }


def complaint_kpis(*, user: User, month: Month) -> dict[str, Any]:
    """Complaint reply rate and timely reply rate for orders created in `month`.

    reply rate = complaints created in the month with a recorded reply ÷ complaints
    created in the month; timely reply rate = those replied by their reply deadline ÷
    complaints created in the month. Broken down by handling unit, type (complaints and
    suggestions) and complaint sub-type; the headline figures are complaints only.
    """
    orders = work_orders_visible(user=user).filter(
        type__in=KPI_TYPES, created_at__gte=month.start, created_at__lt=month.end
    )
    replied = replied_q()
    timely = _timely_q()

    def grouped(*keys: str) -> list[dict[str, Any]]:
        rows = (
            orders.values(*keys)
            .annotate(
                total=Count("id"),
                replied=Count("id", filter=replied),
                timely=Count("id", filter=timely),
            )
            .order_by(*keys)
        )
        return list(rows)

    def figures(row: dict[str, Any]) -> dict[str, Any]:
        return {
            "complaints": row["total"],
            "replied": row["replied"],
            "reply_rate": _rate(row["replied"], row["total"]),
            "timely": row["timely"],
            "timely_rate": _rate(row["timely"], row["total"]),
        }

    by_type = {row["type"]: figures(row) for row in grouped("type")}
    headline = by_type.get(
        "complaint",
        {"complaints": 0, "replied": 0, "reply_rate": None, "timely": 0, "timely_rate": None},
    )
    unit_rows = [r for r in grouped("handling_unit_id", "type") if r["type"] == "complaint"]
    units = Unit.objects.in_bulk(
        [r["handling_unit_id"] for r in unit_rows if r["handling_unit_id"]]
    )
    return {
        "month": str(month),
        **headline,
        "target_reply_rate": 1.0,
        "by_unit": [
            {
                "unit": units[r["handling_unit_id"]].code
                if r["handling_unit_id"] in units
                else None,
                "unit_name": units[r["handling_unit_id"]].name
                if r["handling_unit_id"] in units
                else "",
                **figures(r),
            }
            for r in unit_rows
        ],
        "by_type": [{"type": t, **v} for t, v in sorted(by_type.items())],
        "by_subtype": [
            {"type": r["type"], "subtype": r["subtype"], **figures(r)}
            for r in grouped("type", "subtype")
        ],
    }
