"""The main navigation, by role. One table; the header renders it.

Apps add their entries here: (url name, label, roles that see it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

AGENT, LEAD, DIRECTOR, HANDLER, ADMIN = "agent", "lead", "director", "handler", "admin"
AUDITOR = "auditor"  # reads the access log (org.rules.can_view_access_log), nothing else
CENTRE = {AGENT, LEAD, DIRECTOR, ADMIN}


@dataclass(frozen=True)
class NavItem:
    url_name: str
    label: str | Promise
    roles: frozenset[str]
    key: str


NAV: list[NavItem] = [
    NavItem("home", _("Home"), frozenset({AGENT, LEAD, DIRECTOR, HANDLER, ADMIN, AUDITOR}), "home"),
    NavItem("calls:workbench", _("Workbench"), frozenset({AGENT, LEAD}), "workbench"),
    NavItem("workorders:list", _("Work orders"), frozenset(CENTRE), "workorders"),
    NavItem("callbacks:list", _("Callbacks"), frozenset({AGENT, LEAD, DIRECTOR}), "callbacks"),
    NavItem("workorders:inbox", _("Unit inbox"), frozenset({HANDLER}), "inbox"),
    NavItem("workorders:board", _("Team board"), frozenset({LEAD, DIRECTOR}), "board"),
    NavItem("notices:list", _("Notices"), frozenset({AGENT, LEAD, DIRECTOR}), "notices"),
    NavItem("notices:inbox", _("Notices to my unit"), frozenset({HANDLER}), "notice_inbox"),
    NavItem("notices:chase", _("Notices to chase"), frozenset({LEAD, DIRECTOR}), "notice_chase"),
    NavItem(
        "customers:list", _("Customers"), frozenset({AGENT, LEAD, ADMIN, HANDLER}), "customers"
    ),
    NavItem("tracking:query", _("Parcels"), frozenset({AGENT, LEAD, DIRECTOR, HANDLER}), "parcels"),
    NavItem("tracking:entry", _("Result entry"), frozenset({AGENT, LEAD, HANDLER}), "entry"),
    NavItem("tracking:chase", _("Chase list"), frozenset({AGENT, LEAD, HANDLER}), "chase"),
    NavItem("tracking:kpi", _("Delivery KPIs"), frozenset({LEAD, DIRECTOR}), "delivery_kpi"),
    NavItem(
        "knowledge:search",
        _("Knowledge base"),
        frozenset({AGENT, LEAD, DIRECTOR, HANDLER, ADMIN}),
        "kb",
    ),
    NavItem("calls:wallboard", _("Wallboard"), frozenset({LEAD, DIRECTOR}), "wallboard"),
    NavItem("workforce:staffing", _("Staffing"), frozenset({LEAD, DIRECTOR, ADMIN}), "staffing"),
    NavItem("workforce:floor", _("Seat map"), frozenset({LEAD, DIRECTOR, ADMIN}), "floor"),
    NavItem("workforce:rosters", _("Rosters"), frozenset({LEAD, DIRECTOR, ADMIN}), "rosters"),
    NavItem("workforce:schedule", _("My schedule"), frozenset({AGENT}), "schedule"),
    NavItem("workforce:handovers", _("Shift handovers"), frozenset({LEAD, AGENT}), "handovers"),
    NavItem(
        "workforce:reports",
        _("Internal reports"),
        frozenset(CENTRE | {HANDLER}),
        "internal_reports",
    ),
    NavItem("quality:index", _("Quality inspection"), frozenset(CENTRE | {HANDLER}), "quality"),
    NavItem("reports:index", _("Reports"), frozenset({LEAD, DIRECTOR, ADMIN}), "reports"),
    NavItem("exports", _("My exports"), frozenset(CENTRE | {HANDLER}), "exports"),
    NavItem("org_units", _("Organisation"), frozenset({ADMIN, DIRECTOR}), "org"),
    NavItem("org_access_log", _("Access log"), frozenset({ADMIN, AUDITOR}), "access_log"),
    NavItem("routing:index", _("Service areas"), frozenset({ADMIN}), "routing"),
    NavItem("admin:index", _("Administration"), frozenset({ADMIN}), "admin"),
]


def nav_for(role: str) -> list[dict[str, Any]]:
    items = []
    for item in NAV:
        if role not in item.roles:
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue  # the app that owns it has not got that page (yet)
        items.append({"url": url, "label": item.label, "key": item.key})
    return items
