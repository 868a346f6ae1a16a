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
from postdesk.workforce.services.rosters import (
    EntryChange,
    RulesInput,
    day_off_cancel,
    day_off_request,
    roster_build,
    roster_entries_set,
    swap_request_create,
    swap_request_decide,
)
from postdesk.workforce.services.seats import seat_place, seat_remove

__all__ = [
    "EntryChange",
    "ItemInput",
    "ReportInput",
    "RulesInput",
    "day_off_cancel",
    "day_off_request",
    "forecast_override_set",
    "handover_acknowledge",
    "handover_comment",
    "handover_create",
    "internal_report_act",
    "internal_report_create",
    "internal_reports_chase",
    "roster_build",
    "roster_entries_set",
    "seat_place",
    "seat_remove",
    "swap_request_create",
    "swap_request_decide",
]
