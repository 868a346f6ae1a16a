"""Every read of the workforce app that matters (see each module)."""

from postdesk.workforce.selectors.adherence import team_adherence
from postdesk.workforce.selectors.floor import floor_plan_get, floor_plans, seat_map
from postdesk.workforce.selectors.reports import (
    handover_get,
    handovers_list,
    handovers_visible,
    handovers_waiting_for,
    internal_report_events,
    internal_report_get,
    internal_reports_list,
    internal_reports_visible,
    sales_leads_month,
    seats_out_of_order,
)
from postdesk.workforce.selectors.rosters import (
    colleagues_of,
    roster_team_get,
    roster_teams,
    roster_view,
    schedule_for,
    swap_candidates,
    swaps_of,
    week_start_of,
)
from postdesk.workforce.selectors.staffing import call_history, staffing_requirement

__all__ = [
    "call_history",
    "colleagues_of",
    "floor_plan_get",
    "floor_plans",
    "handover_get",
    "handovers_list",
    "handovers_visible",
    "handovers_waiting_for",
    "internal_report_events",
    "internal_report_get",
    "internal_reports_list",
    "internal_reports_visible",
    "roster_team_get",
    "roster_teams",
    "roster_view",
    "sales_leads_month",
    "schedule_for",
    "seat_map",
    "seats_out_of_order",
    "staffing_requirement",
    "swap_candidates",
    "swaps_of",
    "team_adherence",
    "week_start_of",
]
