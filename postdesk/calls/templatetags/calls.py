"""Template filters of the calls pages: `{% load calls %}`."""

from __future__ import annotations

from django import template

from postdesk.calls.selectors import wrapup_labels

register = template.Library()


@register.filter
def wrapup_label(code: str) -> str:
    """A wrap-up code as the agents read it (查询, 投诉 …), never the raw code."""
    if not code:
        return ""
    return wrapup_labels().get(code, code)
