"""Panels on the home page, by role. Each panel is a URL the page loads (htmx), so an app
adds a panel by adding one line here and one view of its own."""

from __future__ import annotations

from dataclasses import dataclass

AGENT, LEAD, DIRECTOR, HANDLER, ADMIN = "agent", "lead", "director", "handler", "admin"


@dataclass(frozen=True)
class HomePanel:
    url_name: str
    roles: frozenset[str]


HOME_PANELS: list[HomePanel] = [
    HomePanel("notifications:panel", frozenset({AGENT, LEAD, DIRECTOR, HANDLER, ADMIN})),
    HomePanel("calls:panel", frozenset({AGENT})),
    HomePanel("callbacks:panel", frozenset({AGENT, LEAD})),
    HomePanel("workorders:panel", frozenset({AGENT, LEAD, DIRECTOR, HANDLER})),
    HomePanel("knowledge:panel", frozenset({AGENT, LEAD})),
    HomePanel("workforce:handover_panel", frozenset({LEAD})),
]
