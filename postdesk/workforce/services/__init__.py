"""Every write of the workforce app (see each module)."""

from postdesk.workforce.services.forecasts import forecast_override_set
from postdesk.workforce.services.handovers import (
    ItemInput,
    handover_acknowledge,
    handover_comment,
    handover_create,
)
from postdesk.workforce.services.internal_reports import (
    ReportInput,
    internal_report_act,
    internal_report_create,
    internal_reports_chase,
)
from postdesk.workforce.services.seats import seat_place, seat_remove

__all__ = [
    "ItemInput",
    "ReportInput",
    "forecast_override_set",
    "handover_acknowledge",
    "handover_comment",
    "handover_create",
    "internal_report_act",
    "internal_report_create",
    "internal_reports_chase",
    "seat_place",
    "seat_remove",
]
